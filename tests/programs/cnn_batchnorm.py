"""A small CNN with BatchNorm2d, Dropout, max pooling; train/eval modes."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.bn2 = nn.BatchNorm2d(16)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(16 * 3 * 3, 32)
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        return F.log_softmax(self.fc2(x), dim=1)


model = Net()
print(model)
x = torch.randn(16, 1, 16, 16)
y = torch.randint(0, 4, (16,))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
model.train()
for step in range(5):
    optimizer.zero_grad()
    out = model(x)
    loss = F.nll_loss(out, y)
    loss.backward()
    optimizer.step()
    print(f"step {step} loss {loss.item():.6f}")

print(model.bn1.running_mean)
print(model.bn1.running_var)
print(model.bn1.num_batches_tracked)
model.eval()
with torch.no_grad():
    out = model(x)
    pred = out.argmax(dim=1, keepdim=True)
    correct = pred.eq(y.view_as(pred)).sum().item()
    print(f"eval loss {F.nll_loss(out, y, reduction='sum').item():.6f}, "
          f"Accuracy: {correct}/{len(y)} ({100. * correct / len(y):.0f}%)")
    print(out[:2].exp())
print(model.training, model.bn1.training, model.dropout.training)
print(model.conv1.weight.grad.shape, model.fc2.bias.grad)

# Activation checkpointing: the reentrant variant reruns forward (dropout replayed) in backward.
from torch.utils.checkpoint import checkpoint  # noqa: E402

model.train()
model.zero_grad()
xr = x.clone().requires_grad_()
out = checkpoint(model, xr, use_reentrant=True)
loss = F.nll_loss(out, y)
loss.backward()
print(f"checkpointed loss {loss.item():.6f}", out.grad_fn)
print(model.fc2.bias.grad, model.bn1.num_batches_tracked)
print(f"input grad L1 {xr.grad.abs().sum().item():.4f}")  # conv backward: float32 sums
