# source: https://pytorch.org/docs/stable/optim.html ("optimizer.step(closure)": algorithms such as LBFGS re-evaluate the function; "How to adjust learning rate": ReduceLROnPlateau example)
# adapted: the model is a quadratic and a Rosenbrock function of two leaves; the validation loss is a fixed list
import torch

x = torch.tensor([1.0, -1.5], requires_grad=True)
optimizer = torch.optim.LBFGS([x], lr=1, max_iter=3)
print(optimizer)


def closure():
    optimizer.zero_grad()
    loss = ((x - torch.tensor([3.0, 2.0])) ** 2).sum() + (x[0] * x[1] - 6.0) ** 2 * 0.1
    loss.backward()
    return loss


for i in range(3):
    loss = optimizer.step(closure)
    print(i, loss.item(), x)
print(optimizer.state_dict()['state'][0]['n_iter'], optimizer.state_dict()['state'][0]['func_evals'])

w = torch.zeros(2, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, 'min', factor=0.5, patience=1)
val_losses = [1.0, 0.9, 0.95, 0.97, 0.96, 0.8, 0.85, 0.86, 0.9, 0.7]
for epoch, val_loss in enumerate(val_losses):
    opt.zero_grad()
    ((w - 1) ** 2).sum().backward()
    opt.step()
    # Note that step should be called after validate()
    scheduler.step(val_loss)
    print(epoch, opt.param_groups[0]['lr'], scheduler.get_last_lr(), w)
