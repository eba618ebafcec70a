"""The golden cases: programs that are valid both in gradcli and in Python with PyTorch.

Each case is (program, bindings, no_grad). `record.py` runs them with PyTorch 2.13 and
writes torch_golden.json; the tests read only that JSON, so CI needs no torch.
The last line of a program is its output `out`; both sides then reduce it with a
non-uniform weight, `loss = (out * weights).sum()`, so a wrong VJP cannot hide behind ones.
"""

from __future__ import annotations

import re

import numpy as np

RNG = np.random.default_rng(2013)


def r(*shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, size=shape).round(6).tolist()


def pos(*shape):
    return r(*shape, lo=0.2, hi=3.0)


def unit(*shape):
    return r(*shape, lo=-0.9, hi=0.9)


def prob(*shape):
    return r(*shape, lo=0.05, hi=0.95)


CASES: list[tuple[str, dict, list[str]]] = []


def case(program: str, no_grad: tuple[str, ...] = (), **bindings):
    """One case; bindings the program never reads are dropped (gradcli rejects them)."""
    used = {k: v for k, v in bindings.items() if re.search(rf"\b{k}\b", program)}
    CASES.append((program, used, [n for n in no_grad if n in used]))


# ---------------------------------------------------------------- unary elementwise
UNARY = {
    "exp": r, "exp2": r, "log": pos, "log2": pos, "log10": pos, "log1p": pos, "sqrt": pos,
    "abs": r, "sin": r, "cos": r, "tan": unit, "asin": unit, "acos": unit, "atan": r,
    "sinh": r, "cosh": r, "tanh": r, "sigmoid": r, "relu": r, "erf": r, "reciprocal": pos,
    "square": r, "sign": r, "floor": r,
}
for name, gen in UNARY.items():
    for shape in [(), (4,), (2, 3)]:
        case(f"torch.{name}(x)", x=gen(*shape))
    case(f"x.{name}()", x=gen(3))
    case(f"{name}(x) * y", x=gen(), y=r())
for name in ["softplus", "gelu", "leaky_relu", "elu", "silu", "relu", "sigmoid", "tanh"]:
    for shape in [(), (5,), (2, 3)]:
        case(f"F.{name}(x)", x=r(*shape, lo=-3, hi=3))
case("F.softplus(x, beta=2.0)", x=r(4))
for form in ["F.logsigmoid(x)", "F.hardtanh(x)", "F.relu6(x * 4)", "F.mish(x)", "F.selu(x)",
             "F.celu(x)", "F.celu(x, alpha=0.5)", "F.hardsigmoid(x * 2)", "F.hardswish(x * 2)",
             "F.softsign(x)", "F.tanhshrink(x)", "F.softmin(x, 0)", "F.threshold(x, 0.1, 20.)",
             "x.expm1()", "torch.trunc(x * 3)", "(x * 3).frac()", "x.sgn() * x",
             "F.hardtanh(x, -0.5, 0.5)", "torch.nn.functional.silu(x)"]:
    case(form, x=r(6, lo=-3, hi=3))
case("x.rsqrt()", x=pos(4))
case("torch.logit(x)", x=prob(4))
case("F.hardtanh(v)", v=[-1.0, 1.0, 0.5, 2.0])
case("F.hardswish(v)", v=[-3.0, 3.0, 0.0, -4.0])
case("F.hardsigmoid(v)", v=[-3.0, 3.0, 0.0])
case("F.softplus(x, beta=1.0, threshold=1.0)", x=r(5, lo=-3, hi=3))
case("F.leaky_relu(x, negative_slope=0.2)", x=r(4))
case("F.elu(x, alpha=0.5)", x=r(4))
case("F.gelu(x, approximate='tanh')", x=r(4))
case("torch.nn.functional.relu(x)", x=r(4))

# ---------------------------------------------------------------- arithmetic, all operand kinds
SCALAR_FORMS = ["x + y", "x + 1", "1 + x", "torch.add(x, y)", "x - y", "x - 1", "2 - x",
                "x * y", "2 * x", "torch.mul(x, y)", "x / y", "x / 2", "2 / x",
                "x ** 2", "x.pow(0.5)", "x ** y", "2 ** x", "-x", "+x * y", "x ** -1",
                "x ** 3 - 2 * x * y + y / x", "(x + y) * (x + y)", "x * x", "x - x * 2.5",
                "torch.pow(x, 3)", "torch.pow(2, x)", "x.square() + y.reciprocal()",
                "torch.atan2(x, y)", "torch.hypot(x, y)", "torch.maximum(x, y)",
                "torch.minimum(x, y)", "torch.max(x, y)", "torch.min(x, y)", "x.clamp(0, 1)",
                "x.clamp(min=0.5)", "x.clamp(max=0.5)", "torch.clamp(x, -0.5, 0.5)",
                "torch.where(x > y, x, y)", "torch.where(x > 1, x * y, 0.5)",
                "torch.where(x < 1, 2.0, y)", "x.clone() * y"]
for form in SCALAR_FORMS:
    case(form, x=pos(), y=pos())
    case(form, x=pos(3), y=pos(3))

# broadcasting: every binary op with mismatched shapes
BROADCAST = [((2, 3), (3,)), ((2, 3), (2, 1)), ((3,), ()), ((), (2, 2)), ((2, 1, 3), (4, 1)),
             ((1, 3), (2, 1))]
for form in ["x + y", "x - y", "x * y", "x / y", "x ** y", "torch.maximum(x, y)",
             "torch.minimum(x, y)", "torch.atan2(x, y)", "torch.where(x > y, x, y)",
             "torch.hypot(x, y)"]:
    for sx, sy in BROADCAST:
        case(form, x=pos(*sx), y=pos(*sy))

# ---------------------------------------------------------------- reductions
M = (3, 4)
for form in ["M.sum()", "M.sum(0)", "M.sum(dim=1)", "M.sum(1, keepdim=True)", "M.sum((0, 1))",
             "M.sum(-1)", "M.mean()", "M.mean(0)", "M.mean(dim=1, keepdim=True)",
             "M.mean((0, 1))", "M.prod()", "M.prod(1)", "M.prod(0, keepdim=True)", "M.max()",
             "M.min()", "M.max(0).values", "M.max(1)[0]", "torch.max(M, 1).values",
             "M.min(dim=0).values", "M.max(1, keepdim=True).values",
             "torch.logsumexp(M, 0)", "torch.logsumexp(M, dim=1, keepdim=True)",
             "torch.softmax(M, 1)", "torch.softmax(M, dim=0)", "F.softmax(M, dim=1)",
             "torch.log_softmax(M, 1)", "F.log_softmax(M, dim=0)", "M.norm()",
             "M.norm(dim=1)", "torch.norm(M)", "M.norm(p=1)", "M.norm(3)", "M.var()",
             "M.std()", "M.var(0)", "M.std(dim=1)", "M.cumsum(0)", "M.cumsum(dim=1)",
             "torch.sum(M)", "torch.mean(M, 1)", "torch.prod(M, 1)", "M.exp().sum()",
             "(M * M).sum(0)", "M.sum(0) * M.sum(1, keepdim=True)"]:
    case(form, M=r(*M))
for form in ["v.sum()", "v.prod()", "v.max()", "v.min()", "v.max(0).values", "v.norm()",
             "torch.dot(v, v)", "v.mean()", "torch.logsumexp(v, 0)", "torch.softmax(v, 0)",
             "v.cumsum(0)", "v.var()", "v.std()"]:
    case(form, v=r(5))
# ties and zeros
case("v.max()", v=[1.0, 3.0, 3.0])
case("v.min()", v=[2.0, -1.0, -1.0, 5.0])
case("v.max(0).values", v=[1.0, 3.0, 3.0])
case("M.max(1).values", M=[[1.0, 4.0, 4.0], [2.0, 2.0, 0.0]])
case("v.prod()", v=[2.0, 0.0, 3.0])
case("v.prod()", v=[0.0, 0.0, 3.0])
case("M.prod(1)", M=[[1.0, 0.0, 2.0], [3.0, 4.0, 5.0]])
case("v.clamp(0, 1)", v=[0.0, 1.0, 0.5, 2.0, -1.0])
case("v.norm()", v=[0.0, 0.0, 0.0])
case("torch.maximum(x, y)", x=[1.0, 2.0, 3.0], y=[1.0, 0.0, 3.0])
case("torch.minimum(x, y)", x=[1.0, 2.0, 3.0], y=[1.0, 5.0, 3.0])
case("torch.relu(v)", v=[-1.0, 0.0, 2.0])
case("v.abs()", v=[-1.0, 0.0, 2.0])
case("F.leaky_relu(v)", v=[-1.0, 0.0, 2.0])
case("v ** 2", v=[0.0, 1.0, -2.0])
case("v ** 0", v=[0.0, 1.0, -2.0])
case("x ** y", x=0.0, y=2.0)
case("x ** y", x=-2.0, y=2.0)
case("torch.where(x > 0, x, y)", x=1.0, y=3.0)
case("F.elu(v)", v=[-1.0, 0.0, 2.0])
case("torch.sqrt(x)", x=0.0)
case("torch.log(x)", x=0.0)
case("torch.hypot(x, y)", x=0.0, y=0.0)
case("x.sign() * y", x=[-2.0, 0.0, 3.0], y=[1.0, 2.0, 3.0])
case("x.floor() + x", x=[-1.5, 0.0, 2.5])
case("x ** 0.5", x=[0.0, 4.0])
case("x.ceil() * x", x=[-1.5, 0.2, 2.5])
case("torch.round(x) + x", x=[-1.4, 0.6, 2.2])
case("x.clamp(lo, hi)", x=r(4), lo=r(4, lo=-1, hi=0), hi=r(4, lo=0, hi=1))
case("torch.clamp(x, min=lo)", ("lo",), x=r(4), lo=r(4))

# ---------------------------------------------------------------- linear algebra
case("torch.mm(A, B)", A=r(2, 3), B=r(3, 4))
case("A @ B", A=r(2, 3), B=r(3, 4))
case("torch.matmul(A, B)", A=r(3, 3), B=r(3, 2))
case("A.mm(B)", A=r(2, 3), B=r(3, 2))
case("A @ v", A=r(2, 3), v=r(3))
case("torch.mv(A, v)", A=r(4, 3), v=r(3))
case("v @ A", A=r(3, 2), v=r(3))
case("v @ w", v=r(4), w=r(4))
case("torch.dot(v, w)", v=r(4), w=r(4))
case("torch.dist(v, 2 * v)", v=r(3))
case("torch.dist(v, w)", v=r(4), w=r(4))
case("torch.dist(A, v, p=1)", A=r(2, 3), v=r(3))
case("v.dist(w, 3)", v=r(4), w=r(4))
case("torch.outer(v, w)", v=r(3), w=r(2))
case("T3 @ B", T3=r(2, 2, 3), B=r(3, 2))
case("A3 @ B3", A3=r(2, 3, 4), B3=r(2, 4, 5))
case("torch.bmm(A3, B3)", A3=r(2, 3, 4), B3=r(2, 4, 5))
case("torch.matmul(A3, B3)", ("B3",), A3=r(2, 3, 4), B3=r(2, 4, 5))
case("A3 @ v", A3=r(2, 3, 4), v=r(4))
case("v @ B3", v=r(4), B3=r(2, 4, 5))
case("v @ B3", ("v",), v=r(4), B3=r(2, 4, 5))
case("M @ B3", M=r(3, 4), B3=r(2, 4, 5))
case("M @ B3", ("M",), M=r(3, 4), B3=r(2, 4, 5))
case("A3 @ D", A3=r(2, 3, 4), D=r(1, 4, 5))
case("A4 @ B4", A4=r(2, 2, 3, 4), B4=r(2, 2, 4, 5))
case("A4 @ B3", A4=r(2, 1, 3, 4), B3=r(3, 4, 5))
case("A3 @ M2", ("M2",), A3=r(2, 3, 4), M2=r(4, 2))
case("A3.transpose(1, 2) @ M2", ("M2",), A3=r(2, 4, 3), M2=r(4, 2))
case("A3 @ B3", A3=r(2, 3, 4), B3=r(3, 4, 5))
case("A @ A.t()", A=r(2, 3))
case("A.T @ A", A=r(2, 3))
case("F.linear(X, W)", X=r(4, 3), W=r(2, 3))
case("F.linear(X, W, b)", X=r(4, 3), W=r(2, 3), b=r(2))
case("F.linear(v, W, b)", v=r(3), W=r(2, 3), b=r(2))
case("F.linear(v, W)", v=r(3), W=r(2, 3))
case("torch.trace(A)", A=r(3, 3))
case("torch.det(A)", A=r(3, 3))
case("torch.inverse(A)", A=[[2.0, 0.5, 0.1], [0.3, 1.5, 0.2], [0.1, 0.4, 1.8]])
case("torch.mm(A, B)", ("B",), A=r(2, 3), B=r(3, 4))
case("torch.mm(A, B)", ("A",), A=r(2, 3), B=r(3, 4))

# ---------------------------------------------------------------- movement and indexing
for form in ["A.t()", "A.T", "A.permute(1, 0)", "A.transpose(0, 1)", "A.reshape(6)",
             "A.reshape(3, 2)", "A.view(6)", "A.view(-1)", "A.flatten()", "A.unsqueeze(0)",
             "A.unsqueeze(-1)", "A.unsqueeze(0).squeeze()", "A.unsqueeze(0).squeeze(0)",
             "A.t().reshape(6)", "A.T.flatten()", "A.t().contiguous()", "A[0]", "A[0, 1]",
             "A[:, 1]", "A[0:1]", "A[:, 0:2]", "A[-1, -1]", "A[0][1]", "A[None]", "A[:]",
             "A[..., 1]", "A[:, :]", "A[1:, ::2]", "A[None, 0]", "torch.t(A)",
             "torch.reshape(A, (3, 2))", "torch.transpose(A, 0, 1)", "A.sum(0)[1:]",
             "torch.stack([A, A * 2])", "torch.stack([A, A], dim=1)", "torch.cat([A, A])",
             "torch.cat([A, A * A], dim=1)", "A.clone()", "A.exp()[1]",
             "A.flatten().unsqueeze(1)", "A.reshape(3, 2).t()"]:
    case(form, A=r(2, 3))
case("v.expand(2, 3)", v=r(3))
for form in ["torch.flip(M, [0])", "M.flip(0, 1)", "M.roll(1)", "torch.roll(M, (1, -1), (0, 1))",
             "torch.tril(M)", "M.triu(1)", "torch.diag(M)", "torch.diagonal(M, 1)",
             "M.diagonal(-1)", "torch.diag(M.sum(1))", "torch.diag(M[0], 1)"]:
    case(form, M=r(3, 3))
for form in ["M.t().reshape(4, 3)", "M.t().reshape(4, 3, 1)", "M[:, ::2].reshape(3, 2)",
             "M[:, ::2].reshape(6)", "M.t().view(4, 3)", "M.t().flatten()",
             "M.unsqueeze(0).expand(2, 3, 4).reshape(6, 4)", "M.t().contiguous().view(12)"]:
    case(form, M=r(3, 4))
for form in ["v[[0, 2]]", "v[[0, 0, 3]]", "v[v > 0]", "v[torch.tensor([4, 1])]",
             "v[torch.tensor([True, False, True, False, True])]", "v[[-1, 0]]"]:
    case(form, v=r(5))
for form in ["M[[0, 2]]", "M[:, [0, 2]]", "M[0, [1, 3]]", "M[[0, 1], [1, 2]]", "M[M > 0]",
             "M[1:, [0, 2]]", "M[[0, 2], 1:]", "M[None, [0, 1]]", "M[[0, 1]][:, 1]",
             "M[[[0], [2]], [1, 3]]", "M[..., [3, 3, 0]]"]:
    case(form, M=r(3, 4))
case("v[[0, 5]]", v=r(5))
case("v[[0.5]]", v=r(5))
case("v.t()", v=r(3))
case("v[None].T", v=r(3))
case("v.unsqueeze(1) * v", v=r(3))
case("x.reshape(1)", x=r())
case("torch.stack([x, y])", x=r(), y=r())
case("torch.cat([v, w])", v=r(2), w=r(3))
case("v.flatten() * 2", v=r(3))

# ---------------------------------------------------------------- losses
case("F.mse_loss(a, b)", a=r(4), b=r(4))
case("F.mse_loss(a, b, reduction='sum')", a=r(2, 3), b=r(2, 3))
case("F.mse_loss(a, b)", ("b",), a=r(2, 3), b=r(2, 3))
case("F.binary_cross_entropy(p, t)", ("t",), p=prob(4), t=prob(4))
case("F.binary_cross_entropy(torch.sigmoid(z), t)", ("t",), z=r(5), t=[0.0, 1.0, 1.0, 0.0, 1.0])
case("F.binary_cross_entropy(p, t, reduction='sum')", ("t",), p=prob(2, 2), t=prob(2, 2))
case("F.cross_entropy(M, torch.tensor([0, 2, 1]))", M=r(3, 4))
case("F.cross_entropy(M, torch.tensor([3, 0]), reduction='sum')", M=r(2, 4))
case("F.cross_entropy(v, torch.tensor(2))", v=r(4))
case("F.nll_loss(torch.log_softmax(M, 1), torch.tensor([1, 0]))", M=r(2, 3))
case("F.cross_entropy(M, P)", ("P",), M=r(3, 4), P=[[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1],
                                                     [0.25, 0.25, 0.25, 0.25]])
case("F.cross_entropy(M, P, reduction='sum')", ("P",), M=r(2, 3), P=[[0.5, 0.25, 0.25],
                                                                     [0.0, 1.0, 0.0]])
case("F.cross_entropy(M, P, reduction='none')", ("P",), M=r(2, 3), P=[[0.5, 0.25, 0.25],
                                                                      [0.0, 1.0, 0.0]])
case("F.cross_entropy(v, P)", ("P",), v=r(4), P=[0.1, 0.2, 0.3, 0.4])
case("F.cross_entropy(M, torch.tensor([0, 2]), reduction='none')", M=r(2, 3))
case("F.binary_cross_entropy(p, t, weight=w)", ("t", "w"), p=prob(4), t=prob(4),
     w=r(4, lo=0.1, hi=2.0))
case("F.binary_cross_entropy(p, t, weight=w, reduction='sum')", ("t", "w"), p=prob(2, 3),
     t=prob(2, 3), w=r(3, lo=0.1, hi=2.0))

# ---------------------------------------------------------------- whole programs
case("a = x + w\nb = w + 1\ny = a * b\ny", x=2.0, w=1.0)
case("u = b * c\nv = a + u\nJ = 3 * v\nJ", a=5.0, b=3.0, c=2.0)
case("y = w * x + b\ny", w=2.0, x=1.0, b=1.0)
case("h2h = torch.mm(W_h, prev_h.t())\ni2h = torch.mm(W_x, x.t())\nnext_h = h2h + i2h\n"
     "next_h = next_h.tanh()\nloss = next_h.sum()\nloss", ("x", "prev_h"),
     W_h=r(5, 5), W_x=r(5, 3), x=r(1, 3), prev_h=r(1, 5))
case("w = torch.tensor([1.], requires_grad=True)\nx = torch.tensor([2.], requires_grad=True)\n"
     "a = torch.add(w, x)\nb = torch.add(w, 1)\ny = torch.mul(a, b)\ny")
case("c = torch.tensor([1., 2., 3.])\ny = (x * c).sum()\ny", x=r(3))
case("t = x.detach()\ny = t * x\ny", x=r(3))
case("z = torch.zeros(3)\ny = (x + z) * torch.ones(3)\ny", x=r(3))
case("e = torch.eye(3)\ny = A @ e\ny", A=r(2, 3))
case("k = torch.arange(3)\ny = x * k\ny", x=r(3))
case("h = torch.full((2, 3), 0.5)\ny = A * h\ny", A=r(2, 3))
case("a = x * 2\na = a.exp()\na = a + x\na", x=r(2))
case("p = torch.sigmoid(X @ W.t() + b)\nF.binary_cross_entropy(p, t)", ("t",),
     X=r(4, 3), W=r(1, 3), b=r(1), t=[[0.0], [1.0], [1.0], [0.0]])
case("logits = X @ W.t()\nF.cross_entropy(logits, torch.tensor([0, 1, 1, 2]))",
     X=r(4, 3), W=r(3, 3))
case("m = x.mean()\ns = ((x - m) ** 2).mean()\ns", x=r(6))
case("q = x / x.norm()\n(q * q).sum()", x=r(4))
case("s = torch.softmax(x, 0)\n(s * torch.log(s)).sum()", x=r(5))
case("torch.tensor(2.0) * x", x=r())
case("z = torch.zeros(2, 3, requires_grad=True)\nw = torch.ones(3, 1)\n((z @ w + 1) ** 2).mean()")
case("f = torch.full((2,), 0.5, requires_grad=True)\n(f * f.exp()).sum()")
case("o = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)\n(o @ o).trace()")
case("s = torch.linspace(0, 1, 5, requires_grad=True)\ntorch.sin(s).sum()")
case("k = torch.arange(4.0, requires_grad=True)\n(k ** 3).sum()")
case("e = torch.eye(2, requires_grad=True)\n(e * A).sum()", A=r(2, 2))
case("x.sum() * torch.tensor([[1.0, 2.0]])", x=r(3))

# ---------------------------------------------------------------- errors PyTorch raises too
case("A @ B", A=r(2, 3), B=r(2, 3))
case("x + y", x=r(2, 3), y=r(4))
case("torch.mm(A, v)", A=r(2, 3), v=r(3))
case("A.view(4)", A=r(2, 3))
case("A.t().view(6)", A=r(2, 3))
case("A[2]", A=r(2, 3))
case("A[0, 0, 0]", A=r(2, 3))
case("torch.cat([A, v])", A=r(2, 3), v=r(3))


# ---------------------------------------------------------------- found by differential tests
case("torch.clamp_min(x, 0.2) * torch.clamp_max(x, 0.5)", x=[0.2, 0.5, -1.0, 1.0])
case("torch.clamp_min(x, lo) + torch.clamp_max(x, hi)", x=[0.2, 0.5, -1.0, 1.0],
     lo=[0.2, 0.0, 0.0, 2.0], hi=[0.1, 0.5, -2.0, 1.0])
case("torch.clamp(x, lo, hi)", x=[1.0, 2.0, 0.5], lo=[3.0, 3.0, 0.0], hi=[0.0, 0.0, 1.0])
case("A.unsqueeze(0).squeeze((0,))", A=[[1.0, -2.0, 0.5], [0.0, 3.0, -1.5]])
case("torch.log(F.relu(x)).sum()", x=[-1.0, 0.0])
case("torch.det(A)", A=[[1.0, 2.0], [2.0, 4.0]])
case("A.mT", A=[[[1.0, 2.0], [3.0, 4.0]], [[0.5, 0.0], [-1.0, 2.0]]])
case("torch.sgn(torch.var(x, correction=3))", x=[1.0, 2.0, 3.0])  # ZeroTensor: 0, not NaN
case("torch.sgn(torch.std(x))", x=[1.0, 2.0, 3.0])  # ZeroTensor filled in place: an error
case("F.hardtanh(torch.log(x - 2), 0.0, 0.5)", x=[1.0] * 9)  # NaN: vector loop 0, tail passes
case("torch.norm(x, p=float('inf')) + torch.clamp(x, max=float('inf')).sum() * int(2.5)",
     x=[1.0, -2.0, 0.5])

# ---------------------------------------------------------------- selection, sorting, masks
IDX = "torch.tensor([[0, 2, 1], [1, 0, 0]])"
for form in [f"torch.gather(x, 1, {IDX})", "x.gather(0, torch.tensor([[0, 1, 1], [1, 0, 0]]))",
             "x.index_select(1, torch.tensor([2, 0, 2]))",
             "torch.index_select(x, 0, torch.tensor([1]))",
             "x.sort(1).values", "x.sort(0, descending=True)[0]", "torch.sort(x.flatten())[0]",
             "x.topk(2).values", "torch.topk(x, 1, dim=0, largest=False).values",
             "x.masked_fill(x > 0, 0.5)", "x.masked_fill(x < 0.1, float('-inf')).softmax(1)",
             "x.masked_fill(x > 0, y.sum())", "x.masked_select(x > 0)",
             "x.cumprod(1)", "torch.cumprod(x, 0)", "x.amax(1)", "x.amin(0, keepdim=True)",
             "torch.amax(x, (0, 1))", "x.kthvalue(2, 1).values", "x.median(1).values",
             "x.median()", "x.median(0, keepdim=True)[0]", "x.cummax(1).values",
             "x.cummin(0).values", "x.mode(1).values", "x.round(decimals=1) + x",
             "torch.round(x * 10, decimals=-1) + x",
             "torch.lerp(x, y, 0.3)", "x.lerp(y, 0.75)", "torch.lerp(x, y, w)",
             "torch.addcmul(x, y, w, value=0.5)", "x.addcdiv(y, w + 3)",
             "torch.logaddexp(x, y)", "torch.remainder(x, 0.7)", "torch.remainder(x, y + 3)",
             "torch.fmod(x, 0.7)", "torch.fmod(x, y + 3)", "torch.nan_to_num(torch.log(x))",
             "x.chunk(3, 1)[1]", "torch.chunk(x, 2)[0] * 2", "x.split(2, 1)[1]",
             "x.split([1, 2], 1)[1]", "torch.tensor_split(x, 2, 1)[0]", "x.narrow(1, 1, 2)",
             "x.movedim(0, 1)", "x.tile((2,))", "x.unflatten(1, (3, 1))", "x.view_as(y)",
             "x.t().reshape_as(y.t())", "torch.hstack([x, y])", "torch.vstack([x, y])",
             "torch.column_stack([x[0], y[1]])", "x.repeat_interleave(2, dim=1)",
             "x.diff(dim=1)", "torch.diff(x, n=2)",
             "torch.take(x, torch.tensor([0, 5, 2]))", "torch.addmm(w[:, :2], x, y.t())",
             "x.deg2rad()", "x.rad2deg()", "x.repeat_interleave(torch.tensor(2))",
             "torch.repeat_interleave(x, torch.tensor([1, 0, 2]), dim=1)",
             "torch.meshgrid(x[0], y[1], indexing='ij')[1]",
             "x.type_as(y) * 2", "torch.take_along_dim(x, torch.tensor([[2], [0]]), 1)"]:
    case(form, x=r(2, 3), y=r(2, 3), w=r(2, 3))
case("torch.lerp(x, y, w)", x=r(3), y=r(3), w=prob(3))
case("x.sort(descending=True).values[:2]", x=[1.0, 3.0, 3.0, -2.0, 0.5])
case("x.topk(3).values", x=[0.5, 2.0, 2.0, 1.0])
case("x.amax()", x=[1.0, 4.0, 4.0, -1.0])
case("x.median()", x=[3.0, 1.0, 2.0, 2.0])
case("x.cumprod(0)", x=[2.0, 0.0, 3.0, -1.5])
case("x.cumprod(0)", x=[0.0, 0.0, 3.0])

# ---------------------------------------------------------------- special functions, linalg
for form in ["torch.erfc(x)", "torch.special.erfc(x) * x", "torch.lgamma(z)", "z.lgamma()",
             "torch.digamma(z)", "torch.special.psi(z) + x", "torch.polygamma(1, z)",
             "torch.polygamma(2, z) + z.polygamma(3)", "torch.sinc(x)", "x.sinc()",
             "torch.xlogy(x, z)", "torch.xlogy(x, 2.0)", "torch.xlogy(3.0, z)",
             "torch.special.xlogy(q, z)", "torch.erfinv(u)", "u.erfinv() * 2",
             "torch.logcumsumexp(x, 1)", "x.logcumsumexp(0)",
             "torch.zeros(3, 3).scatter_add(0, torch.tensor([[0, 1, 2], [2, 2, 0]]), x)",
             "x.scatter_add(1, torch.tensor([[0, 0], [2, 1]]), y)",
             "torch.zeros(3, 3).index_add(0, torch.tensor([0, 2]), x)",
             "x.index_add(1, torch.tensor([2, 0, 2]), y, alpha=0.5)",
             "torch.cross(x, y, dim=1)", "torch.linalg.cross(x, y)",
             "torch.cdist(x, y)", "torch.cdist(x, y, p=1)", "torch.cdist(x, y, p=3)",
             "torch.cdist(x[:, None], y[:, None], p=0.5)",
             "torch.linalg.solve(A, v)", "torch.linalg.solve(A, B)",
             "torch.linalg.cholesky(A @ A.mT + torch.eye(3))",
             "torch.linalg.cholesky(A @ A.mT + torch.eye(3), upper=True)",
             "torch.cholesky(A @ A.mT + torch.eye(3))",
             "torch.linalg.eigh(A + A.mT).eigenvalues",
             "torch.linalg.eigh(A + A.mT)[1].abs()",
             "torch.linalg.eigvalsh(A @ A.mT)", "torch.linalg.svdvals(A)",
             "torch.linalg.svdvals(x)", "torch.linalg.matrix_norm(A)",
             "torch.linalg.matrix_norm(A, 'nuc')", "torch.linalg.matrix_norm(A, 2)",
             "torch.linalg.matrix_norm(A, 1)", "torch.linalg.norm(A, float('inf'))",
             "torch.linalg.norm(A)", "torch.linalg.vector_norm(x, ord=1)",
             "torch.kron(x, y)", "torch.kron(v, A)", "torch.tensordot(x, y.t(), dims=1)",
             "torch.tensordot(x, y, dims=([0, 1], [0, 1]))",
             "torch.tensordot(A, B, dims=([1], [0]))",
             "F.cosine_similarity(x, y)", "F.cosine_similarity(x, y, dim=0)",
             "F.normalize(x)", "F.normalize(x, p=1, dim=0)"]:
    case(form, x=r(2, 3), y=r(2, 3), z=pos(2, 3), q=[[0.0, 1.0, 2.0], [0.5, 0.0, 3.0]],
         u=r(2, 3, lo=-0.9, hi=0.9), v=r(3),
         A=[[2.0, 0.5, 0.1], [0.3, 1.5, 0.2], [0.1, 0.4, 1.8]], B=r(3, 2))


# ---------------------------------------------------------------- more of torch.nn.functional
for form in ["F.smooth_l1_loss(x, y)", "F.smooth_l1_loss(x, y, beta=0.5, reduction='sum')",
             "F.smooth_l1_loss(x, y, reduction='none')", "F.smooth_l1_loss(x, y, beta=0.0)",
             "F.huber_loss(x, y)", "F.huber_loss(x, y, delta=0.3, reduction='sum')",
             "F.kl_div(F.log_softmax(x, 1), F.softmax(y, 1), reduction='batchmean')",
             "F.kl_div(x, y.abs(), reduction='sum')", "F.kl_div(x, y, log_target=True)",
             "F.layer_norm(x, (3,))", "F.layer_norm(x, (2, 3))",
             "F.layer_norm(x, (3,), w[0], w[1])", "F.layer_norm(x, (3,), None, w[1])",
             "F.prelu(x, w[0, :1])", "F.prelu(x, w[0, :2].t().reshape(2))"]:
    case(form, x=r(2, 3), y=r(2, 3), w=r(2, 3))
case("F.prelu(x, w)", x=r(2, 3, 2), w=r(3))

# ---------------------------------------------------------------- Hessians (scalar outputs)
# Recorded with torch.autograd.functional.hessian over all bindings, flattened in order.
HESSIAN_CASES: list[tuple[str, dict]] = [
    ("(x + w) * (w + 1)", {"x": 2.0, "w": 1.0}),
    ("torch.tanh(W @ v).sum()", {"W": r(2, 3), "v": r(3)}),
    ("(torch.mm(A, B) ** 2).sum()", {"A": r(2, 2), "B": r(2, 2)}),
    ("torch.sigmoid(x * y).mean() + (x ** 3).sum()", {"x": r(3), "y": r(3)}),
    ("torch.log_softmax(z, 0)[1] + torch.softmax(z, 0)[0]", {"z": r(4)}),
    ("torch.exp(-(v * v).sum()) * torch.sin(v).prod()", {"v": r(3)}),
    ("F.mse_loss(torch.tanh(X @ w), t)", {"X": r(4, 2), "w": r(2), "t": r(4)}),
    ("((x - y) ** 2).sum() / (1 + (x * x).sum())", {"x": r(2), "y": r(2)}),
    ("torch.sqrt(1 + x * x).sum() + torch.log(2 + torch.cos(x)).sum()", {"x": r(3)}),
    ("(A.t() @ A).sum() + A.mean(1).pow(3).sum()", {"A": r(2, 3)}),
    ("(1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2", {"x": [-1.2, 1.0]}),
    ("(M[:, 1:] * M[0, 1:]).sum() + M[1, 0] ** 3", {"M": r(2, 3)}),
    ("torch.exp(v[0:2]).sum() * v[-1]", {"v": r(3)}),
    ("(M.max(1).values ** 2).sum() + (M.min(0, keepdim=True).values ** 3).sum()",
     {"M": r(2, 3)}),
    # products at exact zeros: the backward's cumulative products, differentiated again
    ("x.prod()", {"x": [0.0, 2.0, 3.0]}),
    ("x.prod()", {"x": [0.0, 2.0, 0.0, 5.0]}),
    ("(x * x).prod() + torch.sin(x).prod()", {"x": [0.0, 1.5]}),
    ("M.prod(1).sum() + M.prod(0, keepdim=True).pow(2).sum()", {"M": [[0.0, 2.0, 3.0],
                                                                    [1.0, 0.0, -2.0]]}),
    ("torch.prod(v * w)", {"v": [1.0, 0.0, 2.0], "w": [0.5, 3.0, 0.0]}),
]

# ---------------------------------------------------------------- pooling, padding, conv1d
for form in ["F.avg_pool2d(x, 2)", "F.avg_pool2d(x, 3, stride=1, padding=1)",
             "F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)",
             "F.avg_pool2d(x, 2, stride=1, divisor_override=3)", "F.avg_pool2d(x[0], (2, 3))",
             "F.adaptive_avg_pool2d(x, (2, 3))", "F.adaptive_avg_pool2d(x, 1)",
             "F.adaptive_avg_pool2d(x, (3, None))", "F.adaptive_avg_pool1d(s, 3)",
             "F.adaptive_avg_pool1d(s, 1)", "F.avg_pool1d(s, 3, stride=2, padding=1)",
             "F.max_pool1d(s, 2)", "F.max_pool1d(s, 3, stride=2, padding=1)",
             "F.conv1d(s, w)", "F.conv1d(s, w, b, stride=2, padding=1)", "F.conv1d(s[0], w, b)",
             "F.pad(s, (1, 2))", "F.pad(x, (1, 1, 2, 0), value=0.5)", "F.pad(x, (-1, 1))",
             "F.pad(s, (0, 0, 1, 0, 0, 1))", "F.glu(s)", "F.glu(s, 1)",
             "F.softshrink(s)", "F.hardshrink(s, 0.3)", "torch.linalg.inv(A)",
             "torch.linalg.inv(torch.stack([A, A.t()]))"]:
    case(form, x=r(2, 2, 5, 5), s=r(2, 4, 7), w=r(3, 4, 3), b=r(3),
         A=[[2.0, 0.5, 0.1], [0.3, 1.5, 0.2], [0.1, 0.4, 1.8]])
