# source: https://machinelearningmastery.com/calculating-derivatives-in-pytorch/ (derivatives, tensor attributes, partial derivatives, derivative at multiple values)
# adapted: matplotlib lines removed (the PyTorch reference venv has no matplotlib, so record.py cannot run them)
import torch

x = torch.tensor(3.0, requires_grad = True)
print("creating a tensor x: ", x)

y = 3 * x ** 2
print("Result of the equation is: ", y)
y.backward()
print("Dervative of the equation at x = 3 is: ", x.grad)

print('data attribute of the tensor:',x.data)
print('grad attribute of the tensor::',x.grad)
print('grad_fn attribute of the tensor::',x.grad_fn)
print("is_leaf attribute of the tensor::",x.is_leaf)
print("requires_grad attribute of the tensor::",x.requires_grad)

print('data attribute of y: ',y.data)
print('grad attribute of y: ',y.grad)
print('grad_fn attribute of y: ',y.grad_fn)
print("is_leaf attribute of y: ",y.is_leaf)
print("requires_grad attribute of y: ",y.requires_grad)

x = torch.tensor(3.0, requires_grad = True)
y = 6 * x ** 2 + 2 * x + 4
print("Result of the equation is: ", y)
y.backward()
print("Derivative of the equation at x = 3 is: ", x.grad)

u = torch.tensor(3., requires_grad=True)
v = torch.tensor(4., requires_grad=True)

f = u**3 + v**2 + 4*u*v

print(u)
print(v)
print(f)

f.backward()
print("Partial derivative with respect to u: ", u.grad)
print("Partial derivative with respect to v: ", v.grad)

# compute the derivative of the function with multiple values
x = torch.linspace(-20, 20, 20, requires_grad = True)
Y = x ** 2
y = torch.sum(Y)
y.backward()

# ploting the function and derivative
print(x.grad)
