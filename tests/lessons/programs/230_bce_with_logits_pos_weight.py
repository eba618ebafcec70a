# source: https://pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html (pos_weight example)
# adapted: printed; a second example with per-class weights and a backward through input and target
import torch

target = torch.ones([10, 64], dtype=torch.float32)  # 64 classes, batch size = 10
output = torch.full([10, 64], 1.5)  # A prediction (logit)
pos_weight = torch.ones([64])  # All weights are equal to 1
criterion = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
print(criterion(output, target))  # -log(sigmoid(1.5))

x = torch.tensor([[1.5, -0.3], [0.2, 2.0], [-1.0, 0.7]], requires_grad=True)
t = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], requires_grad=True)
loss = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0, 0.5]),
                                  weight=torch.tensor([1.0, 3.0]))(x, t)
print(loss)
loss.backward()
print(x.grad)
print(t.grad)
try:
    torch.nn.BCELoss()(torch.tensor([0.5]), torch.tensor([2.0]))
except RuntimeError as e:
    print(e)
