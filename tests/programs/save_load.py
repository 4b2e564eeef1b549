"""Save and load a state_dict, optimizer state and a checkpoint dict in a temporary directory."""
import os
import tempfile

import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)


class TheModelClass(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 12)
        self.bn = nn.BatchNorm1d(12)
        self.fc2 = nn.Linear(12, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


model = TheModelClass()
optimizer = optim.Adam(model.parameters(), lr=0.01)
x, y = torch.randn(8, 6), torch.randint(0, 3, (8,))
for _ in range(3):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
print(f"loss {loss.item():.6f}")

print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", model.state_dict()[param_tensor].size())
print("Optimizer's state_dict:")
for var_name, value in optimizer.state_dict().items():
    if var_name == "state":
        print(var_name, "\t", {k: sorted(v) for k, v in value.items()})
    else:
        print(var_name, "\t", value)

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "model.pt")
    torch.save(model.state_dict(), path)
    model2 = TheModelClass()
    print(model2.load_state_dict(torch.load(path, weights_only=True)))
    model2.eval()
    model.eval()
    print(torch.equal(model(x), model2(x)))

    ckpt = os.path.join(d, "ckpt.tar")
    torch.save({
        "epoch": 3,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "loss": loss,
    }, ckpt)
    model3 = TheModelClass()
    opt3 = optim.Adam(model3.parameters(), lr=0.5)
    checkpoint = torch.load(ckpt, weights_only=True)
    model3.load_state_dict(checkpoint["model_state_dict"])
    opt3.load_state_dict(checkpoint["optimizer_state_dict"])
    print(checkpoint["epoch"], checkpoint["loss"])
    print(opt3.param_groups[0]["lr"], opt3.state_dict()["state"][0]["step"])
    model.train()
    model3.train()
    for m, o in ((model, optimizer), (model3, opt3)):
        o.zero_grad()
        nn.functional.cross_entropy(m(x), y).backward()
        o.step()
    print(all(torch.equal(a, b) for a, b in zip(model.parameters(), model3.parameters())))

    # Whole tensors, views and containers round-trip too.
    t = torch.arange(10.0)
    obj = {"view": t[2:5], "base": t, "list": [torch.tensor(1), 2.5, "s"], "i": torch.int32}
    p = os.path.join(d, "obj.pt")
    torch.save(obj, p)
    back = torch.load(p)
    print(back)
    back["base"][3] = 100.0
    print(back["view"])
    # Missing / unexpected keys when loading non-strictly.
    sd = model.state_dict()
    del sd["fc2.bias"]
    sd["extra"] = torch.zeros(1)
    print(model3.load_state_dict(sd, strict=False))
    try:
        model3.load_state_dict(sd)
    except RuntimeError as e:
        print(type(e).__name__, str(e).splitlines()[0])
