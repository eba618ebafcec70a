# source: https://d2l.ai/chapter_multilayer-perceptrons/mlp.html (d2l-ai/d2l-en:chapter_multilayer-perceptrons/mlp.md, 5.1.2 Activation Functions, PyTorch tab)
# adapted: d2l.plot calls replaced by printing a few gradient values; x range shortened to arange(-2.0, 2.0, 0.5)
import torch

x = torch.arange(-2.0, 2.0, 0.5, requires_grad=True)
y = torch.relu(x)
print(y)

y.backward(torch.ones_like(x), retain_graph=True)
print('grad of relu', x.grad)

y = torch.sigmoid(x)
print(y)
# Clear out previous gradients
x.grad.data.zero_()
y.backward(torch.ones_like(x),retain_graph=True)
print('grad of sigmoid', x.grad)

y = torch.tanh(x)
print(y)
# Clear out previous gradients
x.grad.data.zero_()
y.backward(torch.ones_like(x),retain_graph=True)
print('grad of tanh', x.grad)
