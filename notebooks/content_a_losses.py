"""Cells of notebook 04: loss functions (old notebook 03, deepened: the seed
note's three families derived from maximum likelihood, their gradients derived
and drawn, stability, a PyTorch comparison, a cross-entropy exercise)."""

NB04 = [
    ("md", r"""
# 04 · Loss functions · 损失函数

A loss function **quantifies how far the network's output is from the expected output**
(用来量化神经网络的输出与期望的输出的偏差). It is the one number training minimises, so it decides what
"better" means: which mistakes cost a lot, which cost little, and which cost nothing. And since
training follows the loss's gradient, the *shape of the gradient* decides what the network pays
attention to.

The seed note sorts the common losses into three families (the seed's families):

| task | losses |
|---|---|
| regression (回归) | squared error, Huber |
| binary classification (二分类) | binary cross-entropy, hinge |
| multi-class classification (多分类) | cross-entropy, Kullback–Leibler divergence |

This notebook takes each family in turn: where the loss comes from, its gradient derived in
Markdown and checked against the engine, a plot of both, and a small experiment that shows what the
choice changes. Every loss here comes from `nn.functional`.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn import functional as F
from course_checks.nb04 import check_cross_entropy

def curve(loss_fn, xs):
    x = ag.Tensor(xs, requires_grad=True)
    loss = loss_fn(x)
    loss.sum().backward()
    return loss.numpy(), x.grad.numpy()
"""),
    ("md", r"""
## Where losses come from: maximum likelihood · 最大似然

Most losses are not arbitrary: they are the **negative log-likelihood** of the data under a
probability model the network's output describes. If the network says "$y$ is distributed as
$p(y \mid \hat y)$", the best parameters make the observed targets most probable, that is, minimise
$-\sum_k \log p(y_k \mid \hat y_k)$.

* **Gaussian noise → squared error.** With $p(y \mid \hat y) = \frac{1}{\sqrt{2\pi}\sigma}
  e^{-(y - \hat y)^2 / 2\sigma^2}$, the negative log is $\frac{(y - \hat y)^2}{2\sigma^2}$ plus a
  constant. Minimising it is minimising the squared error.
* **A coin → binary cross-entropy.** With $p(y = 1) = \hat p$, the probability of a label
  $y \in \{0, 1\}$ is $\hat p^{\,y} (1 - \hat p)^{1 - y}$, whose negative log is
  $-[y \log \hat p + (1 - y)\log(1 - \hat p)]$.
* **A die → cross-entropy.** With class probabilities $q_1, \dots, q_C$, the probability of class
  $c$ is $q_c$, and the loss is $-\log q_c$.

This view explains the table above: pick the loss that matches the noise you expect. Heavy-tailed
noise (outliers) calls for something like Huber; labels call for cross-entropy.

## Regression: squared error against Huber · 平方误差与Huber损失

Squared error $L = (\hat y - y)^2$, with residual $r = \hat y - y$, has gradient
$\partial L / \partial \hat y = 2r$: it grows with the residual, so one far-away point can dominate
the sum. **Huber** is quadratic near zero and linear beyond $\delta$:

$$L_\delta(r) = \begin{cases} \tfrac12 r^2 & |r| \le \delta \\ \delta\,(|r| - \tfrac\delta2) & |r| > \delta \end{cases}
\qquad \frac{\partial L_\delta}{\partial r} = \begin{cases} r & |r| \le \delta \\ \delta\,\mathrm{sign}(r) & |r| > \delta \end{cases}$$

so its gradient is capped at $\pm\delta$: the pieces meet with equal value *and* slope at
$|r| = \delta$, and no single point can pull harder than $\delta$.
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
    ("md", "Fit a line to data with three gross outliers, once with each loss:"),
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
    ("md", r"""
The squared-error line is dragged up by the three outliers; Huber stays close to the truth, because
each outlier can pull with a gradient of at most δ while the 37 good points pull together.

## Binary classification: cross-entropy against hinge · 二元交叉熵与合页损失

A binary classifier outputs one score (a **logit**) $z$; the probability of class 1 is
$p = \sigma(z)$. **Binary cross-entropy** is $L = -[y\log p + (1-y)\log(1-p)]$. Its gradient with
respect to the *logit* is remarkably simple. With $\sigma'(z) = p(1-p)$ (notebook 03):

$$\frac{\partial L}{\partial z} = -\Big[\frac{y}{p} - \frac{1 - y}{1 - p}\Big]\,p(1-p) = -[y(1-p) - (1-y)p] = p - y .$$

The prediction minus the label: a confident wrong answer gets a gradient near $\pm1$, a confident
right answer a gradient near 0. The $\log$ in the loss cancels the sigmoid's saturation exactly;
with squared error on $p$ instead, the factor $p(1-p)$ would remain, and a confidently wrong
prediction would get almost no gradient.

The **hinge** loss (the SVM's) uses labels $\pm1$ and the margin $m = yz$: $L = \max(0, 1 - m)$,
with gradient $-y$ inside the margin and 0 outside. It is exactly zero once a point is on the right
side with margin 1, while cross-entropy keeps pushing, more and more gently.
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
Both draw a good boundary. Hinge only "cares" about points inside the margin (its gradient is zero
elsewhere), which makes it a max-margin classifier; cross-entropy uses every point and gives
calibrated probabilities $\sigma(z)$, which is why it is the usual choice for neural networks.

## Multi-class: cross-entropy and KL divergence · 交叉熵与KL散度

For $C$ classes the network outputs logits $z \in \mathbb{R}^C$, softmax turns them into
probabilities $q_i = e^{z_i} / \sum_j e^{z_j}$, and **cross-entropy** against a target distribution
$p$ is $H(p, q) = -\sum_c p_c \log q_c$. With a one-hot target (class $t$) it is $-\log q_t$.

**Its gradient, derived.** Write $\log q_c = z_c - \log\sum_j e^{z_j}$. Then
$\frac{\partial \log q_c}{\partial z_i} = \delta_{ci} - q_i$, and

$$\frac{\partial H}{\partial z_i} = -\sum_c p_c\,(\delta_{ci} - q_i) = -p_i + q_i \sum_c p_c = q_i - p_i ,$$

since $\sum_c p_c = 1$. The same "prediction minus target" as binary cross-entropy: softmax and the
log cancel each other's awkward parts. For a batch of $N$ examples with the mean taken, each row's
gradient is divided by $N$.

The **Kullback–Leibler divergence** $\mathrm{KL}(p\,\|\,q) = \sum_c p_c(\log p_c - \log q_c)$ measures
how far $q$ is from $p$ (it is $\ge 0$, and 0 only when $q = p$). Expanding it,
$H(p, q) = H(p) + \mathrm{KL}(p\,\|\,q)$, where $H(p) = -\sum_c p_c \log p_c$ is the target's own
entropy. $H(p)$ does not depend on the network, so both losses have the same gradient; KL is the
natural choice when the target is itself a distribution (distillation), because it reaches 0. In
PyTorch's convention `F.kl_div` takes log-probabilities first, then the target.
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
## Computing it safely: the log-sum-exp trick · 数值稳定性

$e^{1000}$ overflows a float64, so the textbook $\log \frac{e^{z_t}}{\sum_j e^{z_j}}$ gives
`inf - inf = nan` for large logits. The cure uses that softmax does not change when the same
constant is subtracted from every logit: with $m = \max_j z_j$,

$$\log \sum_j e^{z_j} = m + \log \sum_j e^{z_j - m},$$

and now every exponent is $\le 0$, so nothing overflows, and the largest term is exactly 1, so
the sum never underflows to 0 either. `F.cross_entropy` and `log_softmax` do this; you will too, in
the exercise. The same issue appears in the binary case: prefer the *with logits* versions, because
`binary_cross_entropy(sigmoid(z))` loses everything once $\sigma(z)$ rounds to 0 or 1, while the fused
form $\max(z, 0) - zy + \log(1 + e^{-|z|})$ is exact for any logit.
"""),
    ("code", r"""
z = ag.tensor([40.0, -40.0], requires_grad=True)
stable = F.binary_cross_entropy_with_logits(z, np.array([0.0, 1.0]), reduction="none")
naive = F.binary_cross_entropy(z.sigmoid(), np.array([0.0, 1.0]), reduction="none")
print("with logits:", stable.numpy(), "  via sigmoid (clamped at 100 like PyTorch):", naive.numpy())

big = np.array([1000.0, 0.0, -1000.0])
with np.errstate(over="ignore", invalid="ignore"):
    naive_ce = -np.log(np.exp(big[0]) / np.exp(big).sum())
print("naive cross-entropy on logits [1000, 0, -1000], class 0:", naive_ce,
      "  F.cross_entropy:", F.cross_entropy(ag.tensor(big[None]), np.array([0])).item())
"""),
    ("md", r"""
## Checked against PyTorch

All seven losses, in float64, against `torch.nn.functional` (hinge against its PyTorch spelling,
`clamp(1 - y*z, min=0)`): values and gradients. This runs when PyTorch is installed and says so when
it is not.
"""),
    ("code", r"""
try:
    import torch
except ImportError:
    torch = None
if torch is None:
    print("PyTorch is not installed: the comparison is skipped (pip install torch to run it)")
else:
    TF = torch.nn.functional
    rng = np.random.default_rng(5)
    pred, goal = rng.standard_normal(6) * 2, rng.standard_normal(6)
    labels01, signs = (rng.random(6) > 0.5).astype(np.float64), np.where(rng.random(6) > 0.5, 1.0, -1.0)
    logits6, classes6 = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    soft6 = rng.dirichlet(np.ones(4), size=6)
    T = torch.tensor
    cases = {  # name: (input, ours(x), theirs(x))
        "mse_loss": (pred, lambda p: F.mse_loss(p, goal), lambda p: TF.mse_loss(p, T(goal))),
        "huber_loss": (pred, lambda p: F.huber_loss(p, goal, delta=0.7),
                       lambda p: TF.huber_loss(p, T(goal), delta=0.7)),
        "bce_with_logits": (pred, lambda p: F.binary_cross_entropy_with_logits(p, labels01),
                            lambda p: TF.binary_cross_entropy_with_logits(p, T(labels01))),
        "hinge_loss": (pred, lambda p: F.hinge_loss(p, signs), lambda p: (1 - T(signs) * p).clamp(min=0).mean()),
        "cross_entropy": (logits6, lambda p: F.cross_entropy(p, classes6),
                          lambda p: TF.cross_entropy(p, T(classes6))),
        "cross_entropy, soft": (logits6, lambda p: F.cross_entropy(p, soft6), lambda p: TF.cross_entropy(p, T(soft6))),
        "kl_div": (logits6, lambda p: F.kl_div(p.log_softmax(1), soft6, reduction="batchmean"),
                   lambda p: TF.kl_div(p.log_softmax(1), T(soft6), reduction="batchmean")),
    }
    for name, (data, ours_fn, theirs_fn) in cases.items():
        ours_in, theirs_in = ag.tensor(data, requires_grad=True), T(data, requires_grad=True)
        ours, theirs = ours_fn(ours_in), theirs_fn(theirs_in)
        ours.backward(); theirs.backward()
        dv = abs(ours.item() - theirs.item())
        dg = np.abs(ours_in.grad.numpy() - theirs_in.grad.numpy()).max()
        print(f"{name:20s}: loss {ours.item():.6f}   difference in value {dv:.1e}, in gradient {dg:.1e}")
        assert dv < 1e-12 and dg < 1e-12
"""),
    ("md", r"""
## Which loss to pick

| situation | loss | why |
|---|---|---|
| regression, clean data | squared error (`mse_loss`) | Gaussian likelihood; the gradient is the residual |
| regression with outliers | `huber_loss` | quadratic near 0, capped gradient far away |
| two classes, want probabilities | `binary_cross_entropy_with_logits` | stable for any logit; gradient σ(z) − y |
| two classes, want a margin | `hinge_loss` | zero loss beyond margin 1 (SVM) |
| several classes | `cross_entropy` | softmax + log-likelihood; gradient q − p |
| match a whole distribution (distillation) | `kl_div` | same gradient as cross-entropy, 0 when q = p |

## Exercise · 练习: cross-entropy from scratch

1. Write `my_cross_entropy(logits, targets)`: `logits` is an `(N, C)` Tensor, `targets` an array of
   `N` class indices; return the mean over the batch of $-\log \mathrm{softmax}(z)_{t}$, using Tensor
   operations (so the engine can differentiate it) and the log-sum-exp trick (so logits of 1000 give
   a finite loss). Useful: `z.amax(dim=1, keepdim=True)`, `.exp()`, `.sum(dim=1)`, `.log()`, and
   indexing `z[np.arange(N), targets]`.
2. Write `cross_entropy_grad(logits, targets)` in numpy: the gradient you derived above,
   $(q - \mathrm{onehot}(t)) / N$.

`check_cross_entropy` compares both with `F.cross_entropy` on ordinary logits, one wide example, and
logits so large that a naive softmax overflows. The reference solution is in
`notebooks/solutions/nb04.py`.
"""),
    ("code", r"""
def my_cross_entropy(logits, targets):
    raise NotImplementedError("exercise: mean of -log softmax(logits)[target], with the log-sum-exp trick")

def cross_entropy_grad(logits, targets):
    raise NotImplementedError("exercise: (softmax(logits) - onehot(targets)) / N, in numpy")
"""),
    ("code", r"""
try:
    check_cross_entropy(my_cross_entropy, cross_entropy_grad)
except NotImplementedError as exc:
    print("not done yet:", exc)
"""),
]

NOTEBOOKS = {"04_loss_functions": NB04}
