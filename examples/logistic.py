# run: gradcli eval -f examples/logistic.py --X "[[0.5, 1.0], [-1.5, 2.0], [1.0, -0.5]]" --w "[0.1, -0.2]" --b 0.05 --t "[1, 0, 1]" --no-grad X,t
# Logistic regression: the gradient of the binary cross-entropy loss.
import torch
import torch.nn.functional as F
p = torch.sigmoid(X @ w + b)
loss = F.binary_cross_entropy(p, t)
