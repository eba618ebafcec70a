# source: composed for gradcli's corpus from d2l's "Computing the gradient of Python control flow" and the course notes on dynamic graphs
# adapted: written for this corpus; numbers chosen by hand
import torch

def f(a, scale=2.0):
    b = a * scale
    steps = 0
    while b.norm() < 100:
        b = b * 2
        steps += 1
        if steps > 50:
            break
    if b.sum() > 0:
        c = b
    elif b.sum() == 0:
        c = b * 0
    else:
        c = 100 * b
    return c, steps

def make_power(n):
    def power(t):
        return t ** n
    return power

cube = make_power(3)
a = torch.tensor(0.7, requires_grad=True)
d, steps = f(a)
d.backward()
print("steps:", steps, "d:", d, "grad:", a.grad)
print(a.grad == d / a, a.grad is None)
a.grad = None
cube(a).backward()
print("d(a^3)/da = %.4f" % a.grad.item())

def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)

print("{} and {:.2f}".format(fact(5), 2 / 3), sep="")
print(1 < 2 < 3, 3 > 2 > 5, [k for k in range(10) if k % 3 == 0])
values = {"a": 1.5, "b": -2.0}
for key, v in sorted(values.items()):
    print(key, v, sep="=", end="; ")
print()
assert a.grad is not None, "no gradient"
print(sum([1, 2, 3]), min(4, 2, 8), max([0.5, 1.5]), abs(-3), round(2.567, 2), len(values))
