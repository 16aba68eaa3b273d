# Ported from "Dive into Deep Learning", 2.5 Automatic Differentiation (PyTorch version;
# https://github.com/d2l-ai/d2l-en, code under the MIT-0 license). Only the import lines differ.
import glassgrad as torch

x = torch.arange(4.0)
print(x)

x.requires_grad_(True)
print(x.grad)  # the gradient is None by default

y = 2 * torch.dot(x, x)
print(y)

y.backward()
print(x.grad)
print(x.grad == 4 * x)

x.grad.zero_()  # reset the gradient
y = x.sum()
y.backward()
print(x.grad)

# backward for non-scalar variables
x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))  # faster: y.sum().backward()
print(x.grad)

# detaching computation
x.grad.zero_()
y = x * x
u = y.detach()
z = u * x

z.sum().backward()
print(x.grad == u)

x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)


# gradients and Python control flow
def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()

print(a.grad == d / a)
