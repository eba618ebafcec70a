# source: https://www.codegenes.net/blog/newtons-method-pytorch (minimum of x^2 + 2x + 1: second derivative via grad.backward())
# adapted: none; the blog's second-derivative step raises (x.grad has no graph without create_graph=True), uncaught
import torch

def f(x):
    return x**2 + 2*x + 1

x = torch.tensor([2.0], requires_grad=True)
num_iterations = 10
for i in range(num_iterations):
    fx = f(x)
    fx.backward()
    grad = x.grad
    print(i, grad)
    x.grad = None
    grad.backward()
    hessian = x.grad
    x.data = x.data - grad / hessian
    x.grad = None
print(f"The approximate minimum is at x = {x.item()}")
