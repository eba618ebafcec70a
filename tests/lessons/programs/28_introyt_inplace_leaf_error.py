# source: https://pytorch.org/tutorials/beginner/introyt/autogradyt_tutorial.html ("Autograd and In-place Operations": the cell that throws)
import torch
import math

a = torch.linspace(0., 2. * math.pi, steps=25, requires_grad=True)
torch.sin_(a)
