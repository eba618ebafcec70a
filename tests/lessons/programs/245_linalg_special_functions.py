# Linear algebra and special functions as lessons use them: solving a system and its
# gradient, a Cholesky factor, eigenvalues of a symmetric matrix, singular values, the
# cross product, pairwise distances, cosine similarity, and the gamma family.
import torch
import torch.nn.functional as F

A = torch.tensor([[3., 1.], [1., 2.]], requires_grad=True)
b = torch.tensor([9., 8.], requires_grad=True)
x = torch.linalg.solve(A, b)
x.sum().backward()
print(x, A.grad, b.grad)

S = torch.tensor([[4., 2.], [2., 3.]], requires_grad=True)
L = torch.linalg.cholesky(S)
L.sum().backward()
print(L, S.grad)

M = torch.tensor([[2., 1.], [1., 2.]], requires_grad=True)
vals, vecs = torch.linalg.eigh(M)
vals.sum().backward()
print(vals, M.grad)
print(torch.linalg.eigh(M).eigenvalues)
sv = torch.linalg.svdvals(torch.tensor([[3., 0.], [0., 4.]]))
print(sv, torch.linalg.norm(A), torch.linalg.matrix_norm(A.detach(), 'nuc'))

u = torch.tensor([1., 2., 3.], requires_grad=True)
w = torch.tensor([4., 5., 6.])
c = torch.linalg.cross(u, w)
c.pow(2).sum().backward()
print(c, u.grad)

p = torch.tensor([[0., 0.], [1., 1.], [2., 0.]], requires_grad=True)
d = torch.cdist(p, torch.tensor([[1., 0.]]))
d.sum().backward()
print(d, p.grad)
s = F.cosine_similarity(p, torch.ones(3, 2) + p.detach(), dim=1)
print(s, F.normalize(p.detach(), dim=1))

z = torch.tensor([0.5, 1.5, 4.0], requires_grad=True)
g = torch.lgamma(z) + torch.digamma(z) + torch.polygamma(1, z) + torch.special.erfinv(z / 5)
g.sum().backward()
print(g, z.grad)
print(torch.erfc(z), torch.sinc(z), torch.xlogy(z, z), torch.logcumsumexp(z, 0))
print(torch.kron(torch.eye(2), torch.tensor([[1., 2.]])), torch.tensordot(A, A, dims=1))
acc = torch.zeros(3).index_add(0, torch.tensor([0, 2, 0]), torch.tensor([1., 2., 3.]))
print(acc, torch.zeros(2).scatter_add(0, torch.tensor([1, 1, 0]), torch.tensor([1., 2., 3.])))
