# Tensor memory as view lessons inspect it: stride(), storage_offset(), data_ptr() shared by
# views and not by clones, is_contiguous, nbytes/itemsize; integer floor division and
# remainder with Python numbers; type() of layers, optimizers and tensors; bool tensors.
import torch
import torch.nn as nn
torch.manual_seed(0)
a = torch.arange(12.).reshape(3, 4)
b = a.t()
c = a[1:, 2:]
d = a.view(4, 3)
e = a.clone()
f = a.unsqueeze(0)
g = torch.ones(3, 1).expand(3, 4)
print(a.stride(), b.stride(), c.stride(), d.stride(), f.stride(), g.stride(), a.stride(1), b.stride(-1))
print(c.storage_offset(), a[2].storage_offset(), b.is_contiguous(), b.contiguous().stride())
print(a.data_ptr() == d.data_ptr(), a.data_ptr() == e.data_ptr(), c.data_ptr() - a.data_ptr(), a.nbytes, a.itemsize)
print(torch.ones(2, 1, 3).stride(), torch.tensor(5.).stride(), a[:, 1].stride(), a[::2].stride())
print(torch.tensor(7) // 2, 7 // torch.tensor(2), torch.tensor(7.5) // 2, torch.tensor(7) // 2.0, torch.tensor([7, -7]) // 3)
print(torch.tensor(7) % 3, torch.tensor([7.5, -7.5]) % 2, 7 % torch.tensor(3), torch.tensor(7, dtype=torch.int32) // 2)
m = nn.Linear(2, 2)
print(type(m), type(m.weight), type(torch.tensor(1)), type(nn.MSELoss()), type(nn.Sequential()))
print(type(torch.optim.SGD(m.parameters(), lr=0.1)), type(torch.optim.Adam(m.parameters())))
print(torch.tensor(True), torch.tensor(True).dtype, torch.tensor([True, False]) & torch.tensor(True))
