# source: https://pytorch.org/tutorials/beginner/saving_loading_models.html (pytorch/tutorials:beginner_source/saving_loading_models.py)
# adapted: the sections' snippets run one after another on the tutorial's TheModelClass (its layers narrowed: 2 and 4 channels, 12 and 8 hidden units); PATH names kept; a few prints of loaded values added
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)

# Define model
class TheModelClass(nn.Module):
    def __init__(self):
        super(TheModelClass, self).__init__()
        self.conv1 = nn.Conv2d(3, 2, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(2, 4, 5)
        self.fc1 = nn.Linear(4 * 5 * 5, 12)
        self.fc2 = nn.Linear(12, 8)
        self.fc3 = nn.Linear(8, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 4 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

# Initialize model
model = TheModelClass()

# Initialize optimizer
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

# Print model's state_dict
print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", model.state_dict()[param_tensor].size())

# Print optimizer's state_dict
print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])

# Save/Load state_dict (Recommended)
PATH = "model_weights.pth"
torch.save(model.state_dict(), PATH)

model2 = TheModelClass()
print(model2.load_state_dict(torch.load(PATH, weights_only=True)))
model2.eval()
print(torch.equal(model2.fc3.bias, model.fc3.bias), model2.training)

# Save/Load Entire Model
torch.save(model, "model.pt")
try:
    torch.load("model.pt")
except Exception as e:
    print(type(e).__name__)
model3 = torch.load("model.pt", weights_only=False)
model3.eval()
print(model3.fc2)

# Saving & Loading a General Checkpoint for Inference and/or Resuming Training
x = torch.randn(2, 3, 32, 32)
target = torch.tensor([1, 7])
for epoch in range(3):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), target)
    loss.backward()
    optimizer.step()
    print(epoch, loss.item())

torch.save({
            'epoch': epoch,
            'model_state_dict': model.state_dict(),
            'optimizer_state_dict': optimizer.state_dict(),
            'loss': loss,
            }, "checkpoint.tar")

model = TheModelClass()
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

checkpoint = torch.load("checkpoint.tar", weights_only=True)
model.load_state_dict(checkpoint['model_state_dict'])
optimizer.load_state_dict(checkpoint['optimizer_state_dict'])
epoch = checkpoint['epoch']
loss = checkpoint['loss']
print(epoch, loss)

model.train()
for epoch in range(epoch + 1, epoch + 3):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), target)
    loss.backward()
    optimizer.step()
    print(epoch, loss.item())
print(optimizer.state_dict()['state'][9]['momentum_buffer'])

# missing and unexpected keys
sd = model.state_dict()
del sd["fc3.bias"]
sd["fc4.weight"] = torch.zeros(2)
print(model.load_state_dict(sd, strict=False))
try:
    model.load_state_dict(sd)
except RuntimeError as e:
    print(e)
sd = model.state_dict()
sd["fc3.bias"] = torch.zeros(3)
try:
    model.load_state_dict(sd)
except RuntimeError as e:
    print(e)
try:
    torch.load("missing.pth")
except FileNotFoundError as e:
    print(e)
