# source: https://discuss.pytorch.org/t/requires-grad-propagation/93792 (optimising a plain tensor: cte1 @ tensor + cte2)
# adapted: torch.rand constants replaced by fixed tensors; optim.SGD([tensor], lr=1) replaced by its update (tensor.grad = None for zero_grad(), tensor -= 1 * tensor.grad under no_grad for step())
import torch
cte1 = torch.tensor([[0.1, 0.4, 0.7],
                     [0.2, 0.5, 0.8],
                     [0.3, 0.6, 0.9],
                     [0.5, 0.1, 0.2],
                     [0.4, 0.3, 0.1]]).requires_grad_(False)
cte2 = torch.full((5, 5), 0.25).requires_grad_(False)
tensor = torch.ones(3, 5).requires_grad_()
print(f'Initial tensor'
      f'{tensor}')
for i in range(5):
    tensor.grad = None
    print(f'Iteration {i}')
    output = cte1 @ tensor + cte2
    print(f'Requires grad? {output.requires_grad}')
    output.sum().backward()
    print(f'Tensor gradients \n'
          f' {tensor.grad}')
    with torch.no_grad():
        tensor -= 1 * tensor.grad
    print(f'Tensors \n'
          f' {tensor}')
