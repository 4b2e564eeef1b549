"""A custom Dataset and DataLoader with a regression model trained under StepLR."""
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, random_split


class SineDataset(Dataset):
    def __init__(self, n):
        self.x = torch.linspace(-3, 3, n).unsqueeze(1)
        self.y = torch.sin(self.x) + 0.1 * torch.randn(n, 1)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return {"x": self.x[idx], "y": self.y[idx], "idx": idx}


torch.manual_seed(0)
ds = SineDataset(100)
print(len(ds), ds[3])
train_ds, val_ds = random_split(ds, [80, 20], generator=torch.Generator().manual_seed(42))
print(len(train_ds), len(val_ds), val_ds.indices[:5])
loader = DataLoader(train_ds, batch_size=16, shuffle=True, drop_last=True)
val_loader = DataLoader(val_ds, batch_size=8)
print(len(loader), len(val_loader))
batch = next(iter(loader))
print(sorted(batch), batch["x"].shape, batch["idx"][:4], batch["idx"].dtype)

model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
loss_fn = nn.MSELoss()
for epoch in range(6):
    model.train()
    total = 0.0
    for b in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(b["x"]), b["y"])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(b["x"])
    scheduler.step()
    model.eval()
    with torch.no_grad():
        val = sum(loss_fn(model(b["x"]), b["y"]).item() * len(b["x"]) for b in val_loader)
    print(f"epoch {epoch}: train {total / 64:.5f} val {val / len(val_ds):.5f} "
          f"lr {scheduler.get_last_lr()[0]}")
print(scheduler.state_dict())

# Default collation of tuples, ints and nested lists; a sampler with a generator.
pairs = [(torch.tensor([i, i + 1]), i, [float(i), -1.0]) for i in range(5)]
for xb, ib, lb in DataLoader(pairs, batch_size=2):
    print(xb, ib, lb)
g = torch.Generator().manual_seed(7)
print(list(torch.utils.data.RandomSampler(range(8), generator=g)))
print(list(torch.utils.data.BatchSampler(range(7), batch_size=3, drop_last=False)))
