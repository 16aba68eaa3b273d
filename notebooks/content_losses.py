"""Cells of notebook 03 (loss functions)."""

NB03 = [
    ("md", r"""
# 03 · Loss functions · 损失函数

A loss function **quantifies how far the network's output is from the expected output**
(用来量化神经网络的输出与期望的输出的偏差). Training moves the parameters against the
loss's gradient, so the *shape* of the loss, and especially of its gradient, decides what
the network pays attention to.

| task | losses |
|---|---|
| regression | squared error, Huber |
| binary classification | binary cross-entropy, hinge |
| multi-class classification | cross-entropy, Kullback–Leibler divergence |

Every loss here comes from `nn.functional` and is differentiated by the engine; each
closed-form gradient in the text is checked against it.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn import functional as F

def curve(loss_fn, xs):
    x = ag.Tensor(xs, requires_grad=True)
    loss = loss_fn(x)
    loss.sum().backward()
    return loss.numpy(), x.grad.numpy()
"""),
    ("md", r"""
## Regression: squared error against Huber

Squared error $L = (\hat y - y)^2$ has gradient $2(\hat y - y)$: it grows with the residual,
so one far-away point can dominate. Huber is quadratic for $|r| < \delta$ and linear beyond
it: $L = \tfrac12 r^2$ or $\delta(|r| - \tfrac\delta2)$; its gradient is capped at $\pm\delta$.
"""),
    ("code", r"""
r = np.linspace(-4, 4, 401)
zeros = np.zeros_like(r)
mse, dmse = curve(lambda t: F.mse_loss(t, zeros, reduction="none"), r)
hub, dhub = curve(lambda t: F.huber_loss(t, zeros, reduction="none", delta=1.0), r)
assert np.allclose(dmse, 2 * r) and np.allclose(dhub, np.clip(r, -1, 1))
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
axes[0].plot(r, mse, label="squared error"); axes[0].plot(r, hub, label="Huber (delta=1)")
axes[0].set_title("loss vs residual"); axes[0].legend()
axes[1].plot(r, dmse, label="squared error"); axes[1].plot(r, dhub, label="Huber")
axes[1].set_title("gradient vs residual"); axes[1].legend()
plt.tight_layout(); plt.show()
"""),
    ("md", "Fit a line to data with a few gross outliers, once with each loss:"),
    ("code", r"""
rng = np.random.default_rng(0)
x = np.linspace(0, 1, 40)
y = 2 * x + 1 + rng.normal(scale=0.05, size=x.size)
y[[5, 12, 30]] += np.array([6.0, 5.0, 7.0])          # outliers

def fit_line(loss_fn, steps=2000, lr=0.1):
    a = ag.Tensor(0.0, requires_grad=True, dtype=np.float64)
    c = ag.Tensor(0.0, requires_grad=True, dtype=np.float64)
    opt = nn.optim.SGD([a, c], lr=lr, momentum=0.9)
    X, Y = ag.Tensor(x), ag.Tensor(y)
    for _ in range(steps):
        loss = loss_fn(X * a + c, Y)
        opt.zero_grad(); loss.backward(); opt.step()
    return a.item(), c.item()

fits = {"squared error": fit_line(F.mse_loss), "Huber": fit_line(lambda p, t: F.huber_loss(p, t, delta=0.5))}
print({name: (round(a, 2), round(c, 2)) for name, (a, c) in fits.items()})
plt.scatter(x, y, s=12, color="gray")
for name, (a, c) in fits.items():
    plt.plot(x, a * x + c, label=f"{name}: y = {a:.2f}x + {c:.2f}")
plt.plot(x, 2 * x + 1, "k--", lw=0.8, label="truth: y = 2x + 1"); plt.legend(); plt.show()
"""),
    ("md", "The squared error line is dragged up by the three outliers; Huber stays close to the truth, because each outlier can pull with a gradient of at most δ."),
    ("md", r"""
## Binary classification: cross-entropy against hinge

With label $y \in \{0, 1\}$ and probability $p = \sigma(z)$ from a score $z$, **binary
cross-entropy** is $-[y\log p + (1-y)\log(1-p)]$ and its gradient with respect to the score
is simply $\sigma(z) - y$. The **hinge** loss (the SVM's) uses labels $\pm1$ and the margin
$m = yz$: $L = \max(0, 1 - m)$. It is exactly zero once a point is on the right side with
margin 1, while cross-entropy keeps pushing, more and more gently.
"""),
    ("code", r"""
m = np.linspace(-3, 3, 401)            # margin y*z for a positive example (y = +1, z = m)
ones = np.ones_like(m)
bce, dbce = curve(lambda z: F.binary_cross_entropy_with_logits(z, ones, reduction="none"), m)
hinge, dhinge = curve(lambda z: F.hinge_loss(z, ones, reduction="none"), m)
assert np.allclose(dbce, 1 / (1 + np.exp(-m)) - 1)          # sigmoid(z) - y
assert np.allclose(dhinge, np.where(m < 1, -1.0, 0.0))
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
axes[0].plot(m, bce, label="binary cross-entropy"); axes[0].plot(m, hinge, label="hinge")
axes[0].set_xlabel("margin y*z"); axes[0].legend(); axes[0].set_title("loss")
axes[1].plot(m, dbce, label="BCE"); axes[1].plot(m, dhinge, label="hinge")
axes[1].set_xlabel("margin y*z"); axes[1].legend(); axes[1].set_title("gradient")
plt.tight_layout(); plt.show()
"""),
    ("code", r"""
from nn.data import make_blobs
Xb, yb = make_blobs(200, centers=[[-1.5, 0], [1.5, 0.5]], cluster_std=1.0, random_state=1)
Xt = ag.Tensor(Xb)

def train_linear(loss_name, steps=300):
    ag.manual_seed(0)
    model = nn.Linear(2, 1)
    model.double()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        z = model(Xt).reshape(-1)
        if loss_name == "BCE":
            loss = F.binary_cross_entropy_with_logits(z, yb.astype(np.float64))
        else:
            loss = F.hinge_loss(z, 2.0 * yb - 1) + 0.01 * (model.weight ** 2).sum()
        opt.zero_grad(); loss.backward(); opt.step()
    z = model(Xt).reshape(-1).detach().numpy()
    return ((z > 0) == (yb == 1)).mean(), (np.abs(z) < 1).sum()

for name in ("BCE", "hinge"):
    acc, inside = train_linear(name)
    print(f"{name:6s}: accuracy {acc:.3f}; points inside the margin |z| < 1: {inside}")
"""),
    ("md", r"""
Both draw a good boundary. Hinge only "cares" about points inside the margin (its gradient
is zero elsewhere), which makes it a max-margin classifier; cross-entropy uses every point
and gives calibrated probabilities $\sigma(z)$, which is why it is the usual choice for
neural networks.

## Multi-class: cross-entropy and KL divergence

For $C$ classes the network outputs logits $z$, softmax turns them into probabilities $q$,
and **cross-entropy** against a target distribution $p$ is $H(p, q) = -\sum_c p_c \log q_c$.
With a one-hot target it is $-\log q_{\text{true}}$, and its gradient is beautifully simple:
$\partial H / \partial z = q - p$.

The **Kullback–Leibler divergence** $\mathrm{KL}(p\,\|\,q) = \sum_c p_c(\log p_c - \log q_c)$
measures how far $q$ is from $p$; it is cross-entropy minus the target's own entropy:
$H(p, q) = H(p) + \mathrm{KL}(p\,\|\,q)$. Since $H(p)$ does not depend on the network, both
losses have the same gradient. `F.kl_div` takes PyTorch's arguments: log-probabilities
first, then the target.
"""),
    ("code", r"""
rng = np.random.default_rng(2)
logits = ag.Tensor(rng.standard_normal((4, 5)), requires_grad=True)
target = rng.dirichlet(np.ones(5), size=4)                   # soft targets, rows sum to 1

ce = F.cross_entropy(logits, target, reduction="sum")
kl = F.kl_div(logits.log_softmax(1), target, reduction="sum")
entropy = -(target * np.log(target)).sum()
print(f"H(p, q) = {ce.item():.6f}   H(p) + KL(p||q) = {entropy + kl.item():.6f}")
assert np.isclose(ce.item(), entropy + kl.item())

ce.backward()
q = logits.detach().softmax(dim=1)
print("gradient == softmax(z) - p:", np.allclose(logits.grad, q - target))
g_ce = logits.grad.clone(); logits.grad = None
kl.backward()
print("KL has the same gradient:  ", np.allclose(logits.grad, g_ce))
"""),
    ("code", r"""
# one-hot targets: cross-entropy = -log(probability of the true class) = nll_loss(log_softmax)
classes = np.array([0, 3, 1, 4])
a = F.cross_entropy(logits, classes)
b = F.nll_loss(logits.log_softmax(1), classes)
c = -q[np.arange(4), classes].log().mean().item()
print(a.item(), b.item(), c)
assert np.isclose(a.item(), c) and np.isclose(b.item(), c)
"""),
    ("md", r"""
## Which loss to pick

| situation | loss | why |
|---|---|---|
| regression, clean data | squared error (`mse_loss`) | smooth; the gradient is the residual |
| regression with outliers | `huber_loss` | quadratic near 0, capped gradient far away |
| two classes, want probabilities | `binary_cross_entropy_with_logits` | stable for any logit; gradient σ(z) − y |
| two classes, want a margin | `hinge_loss` | zero loss beyond margin 1 (SVM) |
| several classes | `cross_entropy` | softmax + log-likelihood; gradient q − p |
| match a whole distribution (distillation) | `kl_div` | same gradient as cross-entropy, 0 when q = p |

Prefer the *with logits* versions: `binary_cross_entropy(sigmoid(z))` loses precision when
σ(z) rounds to 0 or 1, while the fused form is exact for any logit.
"""),
    ("code", r"""
z = ag.tensor([40.0, -40.0], requires_grad=True)
stable = F.binary_cross_entropy_with_logits(z, np.array([0.0, 1.0]), reduction="none")
naive = F.binary_cross_entropy(z.sigmoid(), np.array([0.0, 1.0]), reduction="none")
print("with logits:", stable.numpy(), "  via sigmoid (clamped at 100 like PyTorch):", naive.numpy())
"""),
]

NOTEBOOKS = {"03_loss_functions": NB03}
