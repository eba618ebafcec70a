# source: https://pytorch.org/docs/stable/distributions.html (Score function / REINFORCE and Pathwise derivative examples; the Normal, Categorical, Bernoulli and Uniform examples)
# adapted: policy_network is a small seeded nn.Sequential and env.step a fixed reward function; a few more prints
import torch
import torch.nn as nn
from torch.distributions import Bernoulli, Categorical, Normal, Uniform

torch.manual_seed(0)

m = Categorical(torch.tensor([0.25, 0.25, 0.25, 0.25]))
print(m.sample())  # equal probability of 0, 1, 2, 3
m = Normal(torch.tensor([0.0]), torch.tensor([1.0]))
print(m.sample())  # normally distributed with loc=0 and scale=1
m = Bernoulli(torch.tensor([0.3]))
print(m.sample())  # 30% chance 1; 70% chance 0
m = Uniform(torch.tensor([0.0]), torch.tensor([5.0]))
print(m.sample())  # uniformly distributed in the range [0.0, 5.0)
print(m, m.log_prob(torch.tensor([2.0])), m.entropy())

policy_network = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3), nn.Softmax(dim=-1))


def step(action):
    return torch.randn(4), float(action) - 1.0


state = torch.randn(4)
for t in range(3):
    probs = policy_network(state)
    # Note that this is equivalent to what used to be called multinomial
    m = Categorical(probs)
    action = m.sample()
    next_state, reward = step(action)
    loss = -m.log_prob(action) * reward
    loss.backward()
    print(t, action.item(), reward, loss.item(), m.entropy().item())
    state = next_state
print(policy_network[0].bias.grad)

mean_net = nn.Linear(4, 2)
params = mean_net(state)
m = Normal(params[0], params[1].exp())
action = m.rsample()
reward = -(action - 0.5) ** 2  # Assuming that reward is differentiable
loss = -reward
loss.backward()
print(m, action, loss)
print(mean_net.weight.grad)

mu = torch.tensor([0.5, -1.0], requires_grad=True)
sigma = torch.tensor([1.0, 2.0], requires_grad=True)
d = Normal(mu, sigma)
x = d.rsample((3,))
print(x.shape, d.log_prob(x).sum(), d.entropy(), d.cdf(torch.tensor([0.0, 0.0])))
print(torch.distributions.kl_divergence(d, Normal(0.0, 1.0)))
logits = torch.tensor([1.0, 2.0, 0.5], requires_grad=True)
c = Categorical(logits=logits)
print(c.probs, c.sample((5,)))
b = Bernoulli(logits=torch.tensor([0.0, 2.0]))
print(b.probs, b.sample((2,)), b.log_prob(torch.tensor([1.0, 1.0])))
