"""Autograd tutorial: requires_grad, grad_fn, backward, no_grad, detach."""
import torch

torch.manual_seed(0)
x = torch.ones(5)
y = torch.zeros(3)
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(z)
print(loss)
print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")
print(type(z.grad_fn).__name__, type(loss.grad_fn).__name__)
loss.backward()
print(w.grad)
print(b.grad)

z = torch.matmul(x, w) + b
print(z.requires_grad)
with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)
z = torch.matmul(x, w) + b
z_det = z.detach()
print(z_det.requires_grad, z_det.grad_fn, z_det.is_leaf, z.is_leaf, w.is_leaf)

inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")

# Chains of grad_fn and next_functions.
a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([6.0, 4.0], requires_grad=True)
Q = 3 * a**3 - b**2
print(Q)
print(Q.grad_fn, Q.grad_fn.next_functions[0][0].__class__.__name__)
external_grad = torch.tensor([1.0, 1.0])
Q.backward(gradient=external_grad)
print(9 * a**2 == a.grad)
print(-2 * b == b.grad)
print(a.grad, b.grad)

# torch.autograd.grad and higher-order gradients.
x = torch.linspace(-1.0, 1.0, 5, requires_grad=True)
y = (x.sin() * x.exp()).sum()
(g,) = torch.autograd.grad(y, x, create_graph=True)
print(g)
(g2,) = torch.autograd.grad(g.sum(), x)
print(g2)

# Errors the tutorial warns about.
try:
    torch.tensor([1.0, 2.0]).sum().backward()
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    y = (x * 2).sum()
    y.backward()
    y.backward()
except RuntimeError as e:
    print("RuntimeError:", str(e).splitlines()[0])
leaf = torch.zeros(3, requires_grad=True)
try:
    leaf.add_(1)
except RuntimeError as e:
    print("RuntimeError:", e)
with torch.no_grad():
    leaf.add_(1)
print(leaf, leaf.requires_grad)
v = torch.tensor([1.0, 2.0], requires_grad=True)
s = v.sigmoid()
s.mul_(2)
try:
    s.sum().backward()
except RuntimeError as e:
    print("RuntimeError:", str(e).split(";")[0])

# Whole Jacobians and Hessians of small functions.
from torch.autograd.functional import hessian, jacobian  # noqa: E402

print(jacobian(lambda t: t.pow(2).sum(0), torch.tensor([[1.0, 2.0], [3.0, 4.0]])))
print(hessian(lambda t: (t.sin() * t).sum(), torch.tensor([0.5, 1.0])))
