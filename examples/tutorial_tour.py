"""A tour of ember's founding tutorial (shared/seed/pytorch-api-tutorial.txt), in plain PyTorch.

Run it on ember:     python -m ember run examples/tutorial_tour.py
or on PyTorch:       python examples/tutorial_tour.py
Both print the same text, except that where PyTorch prints its own name (``torch.float32``,
``torch.FloatTensor``) ember prints ``ember.``.

Each section is one of the tutorial's examples, with the tutorial's code. Random inputs are
seeded (``torch.manual_seed(k)`` at the start of the k-th section) so that runs repeat, and every
printed random tensor has fewer than 16 elements, the sizes for which ember's ``randn`` draws
exactly torch's numbers. The one example whose random input is larger (``repeat`` on a 3x4x3
tensor) uses fixed ``arange`` values instead, so the whole output can be compared with PyTorch's.
"""

import torch

_sections = 0


def section(title):
    """Print a heading and reseed, so each example's random inputs are its own and repeat."""
    global _sections
    _sections += 1
    print()
    print(f"=== {title} ===")
    torch.manual_seed(_sections)


def run_and_report(fn):
    """Run ``fn``; print an exception the way the tutorial shows it, then carry on."""
    try:
        fn()
    except RuntimeError as e:
        print(f"{type(e).__name__}: {e}")


# ---------------------------------------------------------------------------------- torch.cat()
section("cat() example 1: two tensors of the same shape")
x = torch.randn(2, 4)
y = torch.randn(2, 4)
print(f'x={x}', '\n', f'y={y}')
print(f'z={torch.cat((x, y), 0)}')

section("cat() example 2: several tensors of the same shape")
x = torch.randn(2, 4)
y = torch.randn(2, 4)
print(f'x={x}', '\n', f'y={y}')
print(f'z={torch.cat((x, y, x, y), 0)}')

section("cat() example 3: shapes that differ only in the concatenated dimension")
x = torch.randn(3, 4)
y = torch.randn(2, 4)
print(f'x={x}', '\n', f'y={y}')
print(f'z={torch.cat((x, y), 0)}')
x_1 = torch.randn(2, 3)
y_1 = torch.randn(2, 4)
print(f'x_1=\n{x_1}', '\n', f'y_1=\n{y_1}')
print(f'z_1=\n{torch.cat((x_1, y_1), 1)}')

# ------------------------------------------------------------------------ torch.Tensor.repeat()
section("Tensor.repeat() example 1: a 1-D tensor")
x = torch.randn(3)
print(f'x={x}')
print(f'x_1={x.repeat(2)}')

section("Tensor.repeat() example 2: a 3-D tensor")
# The tutorial uses torch.randn(3, 4, 3); fixed values keep the output comparable with PyTorch.
x = (torch.arange(36.).reshape(3, 4, 3) - 17.5) / 10
print(f'x={x}')
# Repeat twice along dimension 2, keep the other dimensions.
print(f'x_1={x.repeat(1, 1, 2)}')

section("Tensor.repeat() example 3: adding a dimension")
x = torch.randn(1, 2)
print(f'x={x}')
# The new leading dimension's count comes first (3 here).
print(f'x_1={x.repeat(3, 1, 1)}')

# ------------------------------------------------------------ torch.ones_like(), zeros_like()
section("ones_like()")
x = torch.randn(1, 2)
y = torch.ones_like(x)
print(f'x={x}')
print(f'y={y}')

section("zeros_like()")
x = torch.randn(1, 2)
y = torch.zeros_like(x)
print(f'x={x}')
print(f'y={y}')

# ---------------------------------------------------------------------------------- torch.max()
section("max() example 1: one row")
x = torch.randn(1, 4)
x_max = torch.max(x)
# dim=0: the maximum of each column; dim=1: of each row (values and their indices).
x_row, pos = torch.max(x, dim=1)
print(f'x={x}')
print(f'x_max={x_max}')
print(f'x_ans={x_row}')
print(f'max_pos={pos}')

section("max() example 2: several rows")
x = torch.randn(3, 4)
x_max = torch.max(x)
# The maximum of each row, and its index within the row.
x_row, pos = torch.max(x, dim=1)
print(f'x={x}')
print(f'x_max={x_max}')
print(f'x_ans={x_row}')
print(f'max_pos={pos}')

section("max() example 3: two tensors")
x = torch.randn(3, 4)
y = torch.randn(3, 4)
x_y = torch.max(x, y)
print(f'x={x}')
print(f'y={y}')
print(f'x_y={x_y}')

section("max() example 4: then the maximum along one dimension")
x = torch.randn(2, 3, 2)
y = torch.randn(2, 3, 2)
x_y = torch.max(x, y)
# [0] is the values, [1] their indices (used when matching positive/negative samples).
x_y_ans = x_y.max(2)[0]
print(f'x={x}')
print(f'y={y}')
print(f'x_y={x_y}')
print(f'x_y_ans={x_y_ans}')
print(x_y.max(2))

# -------------------------------------------------------------------------------- torch.chunk()
section("chunk()")
x = torch.randn(5, 3)
# Split dimension 1 (size 3) into 2 chunks: shapes (5, 2) and (5, 1).
x_1, x_2 = x.chunk(2, 1)
print(f'x={x}')
print(f'x_1={x_1}')
print(f'x_2={x_2}')

# ------------------------------------------------ torch.cuda.amp.autocast() and GradScaler
# Mixed precision (autocast / GradScaler) is left out for now: it comes with the
# mixed-precision issue.

# ------------------------------------------------------------------------------- detach()
section("detach() example 1: detach a tensor")
a = torch.tensor([1., 2., 3.], requires_grad=True)
print(a.grad)
out = a.sigmoid()
print(out)
# detach(): c.requires_grad is False
c = out.detach()
print(c)

section("detach() example 2: backward through the undetached tensor")
a = torch.tensor([1., 2., 3.], requires_grad=True)
print(a.grad)
out = a.sigmoid()
print(out)
c = out
print(c)
c.sum().backward()
print(a.grad)

section("detach() example 3: backward from the detached tensor fails")
a = torch.tensor([1., 2., 3.], requires_grad=True)
print(a.grad)
out = a.sigmoid()
print(out)
c = out.detach()
print(c)
run_and_report(lambda: c.sum().backward())

section("detach() example 4: changing the detached tensor breaks the original's backward")
a = torch.tensor([1., 2., 3.], requires_grad=True)
print(a.grad)
out = a.sigmoid()
print(out)
c = out.detach()
print(c)
# c shares out's memory: zeroing it changes out too, and bumps their version counter.
c.zero_()
print(c)
print(out)
run_and_report(lambda: out.sum().backward())

# ---------------------------------------------------------------------------- torch.no_grad()
section("no_grad()")
x = torch.randn(10, 5, requires_grad=True)
y = torch.randn(10, 5, requires_grad=True)
z = torch.randn(10, 5, requires_grad=True)
with torch.no_grad():
    w = x + y + z
    print(w.requires_grad)
    print(w.grad_fn)
print(w.requires_grad)

# ----------------------------------------------------------------------------- backward()
section("backward() example 1")
x = torch.tensor([1, 2], dtype=torch.float32, requires_grad=True)
y = x + 1
print(y)
z = torch.mean(y ** 2)
print(z)
z.backward()
print(x.grad)

section("backward() example 2")
x = torch.tensor([1, 2], dtype=torch.float32, requires_grad=True)
y = x.sigmoid()
print(y)
y.sum().backward()
print(x.grad)

section("backward() example 3")
x = torch.tensor([1, 2, 3], dtype=torch.float32, requires_grad=True)
y = x.sigmoid()
print(y)
y.backward(torch.ones_like(x))
print(x.grad)
