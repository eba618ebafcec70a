# source: https://github.com/satanix0/pytorch (autograd notebook: simple, nested, a neuron with BCE loss, clearing grads)
# adapted: notebook cells that only display a value wrapped in print()
import torch

x = torch.tensor(3.0, requires_grad=True)
target = x ** 2
print(x, target)
target.backward()
print(x.grad)

x = torch.tensor(3.0, requires_grad=True)
target = x ** 2
z = torch.sin(target)
print(x, target, z)
# gives dz/dx = dz/dy * dy/dx
z.backward()
print(x.grad)

# data query
x = torch.tensor(6.0) # cgpa
target = torch.tensor(0.0) # predicted 0/1

w = torch.tensor(1.0, requires_grad=True)  # weight
b = torch.tensor(0.0, requires_grad=True)  # bias

# forward pass
z = w*x + b  # linear transformation
print(z)

y_pred = torch.sigmoid(z)  # activation function
print(y_pred)

def bce_loss(y_pred, target):
    epsilon = 1e-7  # to avoid log(0)
    # clamp to avoid log(0)
    predction = torch.clamp(y_pred, epsilon, 1 - epsilon)
    return -(target * torch.log(predction) + (1 - target) * torch.log(1 - predction))

loss = bce_loss(y_pred, target)  # loss function
print(loss)

loss.backward()
print(w.grad, b.grad)

x= torch.tensor(6.0, requires_grad=True)
print(x)
y= x**2
print(y)
y.backward()
print(x.grad)
# if you re-run forward pass, it will accumulate gradients
y= x**2
y.backward()
print(x.grad)
x.grad.zero_()
print(x.grad)
