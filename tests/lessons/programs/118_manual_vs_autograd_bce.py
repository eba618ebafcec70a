# source: https://github.com/krishnaGauss/pytorch_tutorial (using autograd for neural network computation of loss gradients: manual derivatives, then autograd)
import torch

#inputs
x = torch.tensor(6.7) #input feature
y=torch.tensor(0.0) #true label

w=torch.tensor(1.0) #weight
b=torch.tensor(0.0) #bias

def binary_cross_entropy_loss(prediction, target):
    epsilon = 1e-8
    prediction = torch.clamp(prediction, epsilon, 1-epsilon)
    return -(target * torch.log(prediction)+(1-target)*torch.log(1-prediction))

#forward pass
z = w*x+b  #weighted sum
y_pred = torch.sigmoid(z) #predicted probability

#compute binary cross entropy loss
loss = binary_cross_entropy_loss(y_pred, y)

# 1. dL/d(y_pred)
dloss_dy_pred = (y_pred - y)/(y_pred*(1-y_pred))

# 2. dy_pred/dz
dy_pred_dz = y_pred * (1 - y_pred)

# 3. dz/dw and dz/db
dz_dw = x  # dz/dw = x
dz_db = 1  # dz/db = 1

dL_dw = dloss_dy_pred * dy_pred_dz * dz_dw
dL_db = dloss_dy_pred * dy_pred_dz * dz_db

print(f"Manual Gradient of loss w.r.t weight (dw): {dL_dw}")
print(f"Manual Gradient of loss w.r.t bias (db): {dL_db}")

x = torch.tensor(6.7)
y = torch.tensor(0.0)

w = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)

z = w*x + b
print(z)

y_pred = torch.sigmoid(z)
print(y_pred)

loss = binary_cross_entropy_loss(y_pred, y)
print(loss)

loss.backward()

print(w.grad)
print(b.grad)
