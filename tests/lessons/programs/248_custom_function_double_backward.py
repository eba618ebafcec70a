# Custom autograd Functions beyond the basics: double backward through a Function whose
# backward is made of differentiable ops (saving an input, and saving an output), a
# Function with two outputs, extra trailing None gradients, set_materialize_grads,
# calling apply on an instance, and a tensor hook that changes the gradient in place.
import torch

torch.manual_seed(0)


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out * 3 * x ** 2


class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        result = torch.exp(x)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_out):
        result, = ctx.saved_tensors
        return grad_out * result


x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
y = Cube.apply(x)
g, = torch.autograd.grad(y.sum(), x, create_graph=True)
print(g)
g2, = torch.autograd.grad(g.sum(), x)
print(g2)
e = Exp.apply(x)
ge, = torch.autograd.grad(e.sum(), x, create_graph=True)
print(ge, torch.autograd.grad(ge.sum(), x)[0])
xd = torch.rand(3, dtype=torch.double, requires_grad=True)
print(torch.autograd.gradcheck(Cube.apply, xd), torch.autograd.gradgradcheck(Cube.apply, xd))


class SinCos(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin(), x.cos()

    @staticmethod
    def backward(ctx, g_sin, g_cos):
        x, = ctx.saved_tensors
        return g_sin * x.cos() - g_cos * x.sin()


s, c = SinCos.apply(x)
print(s, c)
(s * 2 + c).sum().backward()
print(x.grad)
x.grad = None
s.sum().backward()
print(x.grad)


class Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t, factor, bias=None):
        ctx.set_materialize_grads(False)
        ctx.factor = factor
        return t * factor + (0 if bias is None else bias)

    @staticmethod
    def backward(ctx, grad):
        if grad is None:
            return None, None, None
        return grad * ctx.factor, None, None


x.grad = None
Scale.apply(x, 3.0).sum().backward()
print(x.grad)
x.grad = None
Scale().apply(x, -2.0).sum().backward()
print(x.grad)

w = torch.tensor([1.0, 2.0], requires_grad=True)


def double_in_place(grad):
    grad *= 2


w.register_hook(double_in_place)
(w * w).sum().backward()
print(w.grad)
