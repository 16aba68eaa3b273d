# Ported from the PyTorch tutorials, "PyTorch: Tensors and autograd"
# (beginner/examples_autograd/polynomial_autograd.py, BSD-3-Clause license,
# https://github.com/pytorch/tutorials). Only the import lines differ.
import glassgrad as torch
import math

dtype = torch.float
device = torch.device("cpu")

# input and output data: y = sin(x) on [-pi, pi]
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

# random weights; requires_grad=True: gradients with respect to them are computed in backward
a = torch.randn((), device=device, dtype=dtype, requires_grad=True)
b = torch.randn((), device=device, dtype=dtype, requires_grad=True)
c = torch.randn((), device=device, dtype=dtype, requires_grad=True)
d = torch.randn((), device=device, dtype=dtype, requires_grad=True)

learning_rate = 1e-6
for t in range(2000):
    # forward pass: predict y with a third-order polynomial
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    # the loss is a scalar tensor; loss.item() its value
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())

    # backward: a.grad, b.grad, c.grad and d.grad hold the loss's gradients
    loss.backward()

    # update the weights by gradient descent, outside the graph
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
