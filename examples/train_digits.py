"""Train a small CNN on the UCI handwritten digits (1,797 images of 8x8 pixels).

    python examples/train_digits.py                  # on ember
    python examples/train_digits.py --backend torch  # the same script on real PyTorch

Everything below the import is plain PyTorch: ember runs it unchanged. The script shows a
progress bar per epoch (tqdm), prints the test accuracy, draws the loss and accuracy curves
(matplotlib) and saves a checkpoint that either library can load.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=("ember", "torch"), default="ember")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="digits_run", help="folder for the curve and the checkpoint")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return p.parse_args(argv)


def load_digits(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Images as float32 in [0, 1], shape (N, 1, 8, 8), and int64 labels."""
    with gzip.open(path, "rt") as f:
        rows = np.loadtxt(f, delimiter=",", dtype=np.float32)
    images = (rows[:, :64] / 16.0).reshape(-1, 1, 8, 8)
    return images, rows[:, 64].astype(np.int64)


def main(argv=None) -> float:
    args = parse_args(argv)
    if args.backend == "torch":
        import torch
    else:
        import ember as torch
    nn, F = torch.nn, torch.nn.functional
    from_numpy = torch.from_numpy
    TensorDataset, DataLoader = torch.utils.data.TensorDataset, torch.utils.data.DataLoader

    try:
        from tqdm import tqdm
    except ImportError:  # the progress bar is a nicety: plain prints without the extra
        tqdm = None

    torch.manual_seed(args.seed)
    images, labels = load_digits(os.path.join(HERE, "data", "digits.csv.gz"))
    full = TensorDataset(from_numpy(images), from_numpy(labels))
    n_test = len(full) // 5
    train_set, test_set = torch.utils.data.random_split(
        full, [len(full) - n_test, n_test], generator=torch.Generator().manual_seed(args.seed))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)

    class DigitsCNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, kernel_size=3, padding=1)
            self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.fc1 = nn.Linear(32 * 2 * 2, 64)
            self.dropout = nn.Dropout(0.25)
            self.fc2 = nn.Linear(64, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))  # 16 x 4 x 4
            x = self.pool(F.relu(self.conv2(x)))  # 32 x 2 x 2
            x = torch.flatten(x, 1)
            return self.fc2(self.dropout(F.relu(self.fc1(x))))

    model = DigitsCNN()
    print(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)

    def evaluate() -> float:
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in test_loader:
                correct += (model(x).argmax(dim=1) == y).sum().item()
        return correct / len(test_set)

    history = {"loss": [], "train_acc": [], "test_acc": []}
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        seen = correct = 0
        total_loss = 0.0
        batches = train_loader
        if tqdm is not None and not args.no_progress:
            batches = tqdm(train_loader, desc=f"epoch {epoch:2d}/{args.epochs}", leave=False,
                           file=sys.stdout)
        for x, y in batches:
            optimizer.zero_grad()
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            loss.backward()
            optimizer.step()
            seen += y.shape[0]
            total_loss += loss.item() * y.shape[0]
            correct += (logits.argmax(dim=1) == y).sum().item()
            if batches is not train_loader:
                batches.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}")
        scheduler.step()
        test_acc = evaluate()
        history["loss"].append(total_loss / seen)
        history["train_acc"].append(correct / seen)
        history["test_acc"].append(test_acc)
        print(f"epoch {epoch:2d}: loss {total_loss / seen:.4f}  train acc {correct / seen:.3f}  "
              f"test acc {test_acc:.3f}")
    elapsed = time.perf_counter() - start

    test_acc = history["test_acc"][-1]
    print(f"test accuracy: {test_acc:.2%} ({args.backend}, {elapsed:.1f} s of training)")

    os.makedirs(args.out, exist_ok=True)
    ckpt = os.path.join(args.out, "digits_cnn.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": args.epochs, "test_acc": test_acc}, ckpt)
    print(f"checkpoint: {ckpt}")
    plot_curves(history, os.path.join(args.out, "curves.png"), args.backend)
    return test_acc


def plot_curves(history: dict, path: str, backend: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install 'ember[examples]'): no curves drawn")
        return
    epochs = range(1, len(history["loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax1.plot(epochs, history["loss"], marker="o")
    ax1.set(title="training loss", xlabel="epoch", ylabel="cross entropy")
    ax2.plot(epochs, history["train_acc"], marker="o", label="train")
    ax2.plot(epochs, history["test_acc"], marker="o", label="test")
    ax2.set(title="accuracy", xlabel="epoch", ylim=(0, 1.02))
    ax2.legend()
    fig.suptitle(f"digits CNN on {backend}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"curves: {path}")


if __name__ == "__main__":
    main()
