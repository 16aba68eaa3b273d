"""Cells of notebook 11 (regularisation: over- and under-fitting, dropout, weight decay)."""

NB11 = [
    ("md", r"""
# 11 · Regularisation · 正则化: dropout, weight decay, over- and under-fitting

Training minimises the loss on the training set, but what we want is a small loss on data
the network has never seen. The gap between the two is the subject of this notebook.

* **Underfitting (欠拟合)**: the model is too simple, or too constrained, to capture the
  pattern. Training and test losses are both high, and close to each other.
* **Overfitting (过拟合)**: the model is flexible enough to memorise the training set,
  noise included. The training loss keeps falling while the test loss stops falling and then
  rises; the model has learned things that are true only of its training examples.

**Regularisation (正则化)** is any change to training that trades a little training loss
for a smaller test loss. We look at the two most used in deep learning, **dropout (随机失活)**
and **weight decay (权重衰减)**, after seeing both failure modes on a problem small enough to
draw.
"""),
    ("md", r"""
## Both failure modes in one picture

The oldest example: fit polynomials of increasing degree to 15 noisy samples of a smooth
curve, by least squares, and measure the error on 200 fresh points. A polynomial of degree
$d$ has $d + 1$ coefficients; with $d = 14$ it can pass through all 15 points exactly.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn import functional as F
from nn.data import make_moons

rng = np.random.default_rng(0)
def truth(x):
    return np.sin(2 * np.pi * x)

x_train = np.sort(rng.uniform(0, 1, 15)); y_train = truth(x_train) + rng.normal(0, 0.25, 15)
x_test = rng.uniform(0, 1, 200); y_test = truth(x_test) + rng.normal(0, 0.25, 200)

def fit(degree):
    return np.polynomial.Polynomial.fit(x_train, y_train, degree)

degrees = range(0, 15)
train_err = [np.mean((fit(d)(x_train) - y_train) ** 2) for d in degrees]
test_err = [np.mean((fit(d)(x_test) - y_test) ** 2) for d in degrees]

fig, axes = plt.subplots(1, 4, figsize=(16, 3.4))
grid = np.linspace(0, 1, 300)
for ax, d, verdict in zip(axes, (1, 4, 14), ("underfits", "about right", "overfits")):
    ax.plot(grid, truth(grid), "k--", lw=1, label="truth")
    ax.plot(grid, fit(d)(grid), label=f"degree {d}")
    ax.plot(x_train, y_train, "o", ms=4); ax.set_ylim(-2, 2); ax.set_title(f"degree {d}: {verdict}"); ax.legend(fontsize=8)
axes[3].semilogy(list(degrees), train_err, "o-", label="train"); axes[3].semilogy(list(degrees), test_err, "s-", label="test")
axes[3].set_xlabel("degree (capacity)"); axes[3].set_title("mean squared error"); axes[3].legend()
plt.tight_layout(); plt.show()
print("best test error at degree", int(np.argmin(test_err)))
"""),
    ("md", r"""
The right panel is the picture to remember. As capacity grows the training error can only
fall, reaching zero when the model interpolates the data. The test error first falls
(underfitting is being cured) and then rises (the extra capacity is spent on the noise).
Neural networks are trained with far more capacity than they need; instead of choosing a
small model they control the effective capacity during training, with the methods below
and with the number of training steps (stopping when the validation loss stops falling is
called **early stopping**).

## Dropout · 随机失活

During training, dropout sets each activation to zero with probability $p$, independently
for every example and every step, and scales the survivors up:

$$y = \frac{m \odot x}{1 - p}, \qquad m_i \sim \operatorname{Bernoulli}(1 - p).$$

The factor $1/(1-p)$ ("inverted dropout") keeps the expected value unchanged,
$\mathbb{E}[y_i] = \frac{(1-p)\,x_i}{1-p} = x_i$, so at evaluation time the layer can simply
be the identity: `model.eval()` switches it off. The backward pass is the same mask and
scale, $\bar x = m \odot \bar y / (1-p)$: a dropped unit receives no gradient this step.

Why does it help? A unit cannot rely on any particular other unit being present, so features
must be useful on their own and redundantly encoded, rather than co-adapted into a fragile
combination that happens to fit the training set. Another view: every step trains a
different random sub-network ("thinned" network), and the full network at test time
approximates the average of all $2^n$ of them, an ensemble for the price of one model.
"""),
    ("code", r"""
ag.manual_seed(0)
drop = nn.Dropout(p=0.3)
x = ag.ones(4, 10)
y = drop(x).numpy()
print(y)
big = drop(ag.ones(1000, 1000)).numpy()
print(f"fraction zeroed {np.mean(big == 0):.4f} (p = 0.3), survivors = {big.max():.4f} = 1 / 0.7, mean {big.mean():.4f}")
drop.eval()
print("in eval mode the layer is the identity:", np.array_equal(drop(x).numpy(), x.numpy()))
"""),
    ("md", r"""
## Weight decay · 权重衰减

Weight decay adds a penalty on the size of the weights to the loss,

$$\tilde L(\theta) = L(\theta) + \frac{\lambda}{2}\,\|\theta\|^2 , \qquad
\nabla \tilde L = \nabla L + \lambda\theta ,$$

so an SGD step becomes

$$\theta \leftarrow \theta - \eta(\nabla L + \lambda\theta) = (1 - \eta\lambda)\,\theta - \eta \nabla L .$$

Every step first shrinks every weight by the factor $(1 - \eta\lambda)$, hence the name. A
weight survives only if the data's gradient keeps pushing it back; weights that only fit
noise, which the data supports weakly, decay towards 0. Small weights make a smoother
function (for a ReLU network, smaller slopes), which is exactly what the degree-14 polynomial
lacked. In Bayesian terms, the L2 penalty is a Gaussian prior on the weights.

`nn.optim.SGD(..., weight_decay=λ)` adds $\lambda\theta$ to the gradient, PyTorch's rule. We
check that it is the same as writing the penalty into the loss and calling `backward()`. For
Adam the two are *not* the same: Adam divides the gradient by $\sqrt{\hat v}$, so a decay
that goes through the gradient is divided too, and weights with large gradients are barely
decayed. **AdamW** (Loshchilov and Hutter) applies the decay to the weights directly,
$\theta \leftarrow \theta - \eta\lambda\theta - \eta\,\hat m/(\sqrt{\hat v}+\epsilon)$, which is what
`nn.optim.AdamW` does.
"""),
    ("code", r"""
ag.manual_seed(1)
layer_a = nn.Linear(3, 2); layer_b = nn.Linear(3, 2)
layer_b.load_state_dict(layer_a.state_dict())
inputs, targets = ag.randn(8, 3), ag.randn(8, 2)
lam, lr = 0.1, 0.5

opt_a = nn.optim.SGD(layer_a.parameters(), lr=lr, weight_decay=lam)     # decay inside the optimizer
F.mse_loss(layer_a(inputs), targets).backward(); opt_a.step()

opt_b = nn.optim.SGD(layer_b.parameters(), lr=lr)                       # penalty written into the loss
penalty = sum((p * p).sum() for p in layer_b.parameters()) * (lam / 2)
(F.mse_loss(layer_b(inputs), targets) + penalty).backward(); opt_b.step()
print("max |weight_decay - explicit penalty| =", max(np.abs(layer_a.state_dict()[k] - layer_b.state_dict()[k]).max()
                                                   for k in layer_a.state_dict()))
try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed: skipping the comparison with torch.optim")
if torch is not None:
    ag.manual_seed(1)
    layer_c = nn.Linear(3, 2)
    twin = nn.to_torch(layer_c)
    ours = nn.optim.AdamW(layer_c.parameters(), lr=0.1, weight_decay=0.5)
    theirs = torch.optim.AdamW(twin.parameters(), lr=0.1, weight_decay=0.5)
    for _ in range(5):
        ours.zero_grad(); F.mse_loss(layer_c(inputs), targets).backward(); ours.step()
        theirs.zero_grad()
        torch.nn.functional.mse_loss(twin(torch.tensor(inputs.numpy())), torch.tensor(targets.numpy())).backward()
        theirs.step()
    print("AdamW, 5 steps: max |glassgrad - torch| =",
          max(np.abs(layer_c.state_dict()[k] - v.detach().numpy()).max() for k, v in twin.state_dict().items()))
"""),
    ("md", r"""
## Over- and under-fitting a neural network

Now a network with far too much capacity for its data: 60 noisy points of the two-moons
problem, and an MLP with two hidden layers of 128 ReLU units (17,000 parameters, about 300
per training point), trained with Adam on the whole training set for 500 steps. The test set
is 1,000 fresh points from the same distribution. Four versions:

* no regularisation;
* dropout $p = 0.5$ after each hidden layer;
* weight decay $\lambda = 0.01$ (Adam's `weight_decay`, the L2 penalty through the gradient);
* weight decay $\lambda = 0.05$, deliberately too strong.
"""),
    ("code", r"""
X_small, y_small = make_moons(60, noise=0.3, random_state=1)
X_fresh, y_fresh = make_moons(1000, noise=0.3, random_state=2)
X_small, X_fresh = X_small.astype(np.float32), X_fresh.astype(np.float32)

def train_moons(dropout=0.0, weight_decay=0.0, steps=500, every=25):
    ag.manual_seed(0)
    def hidden(n_in):
        return [nn.Linear(n_in, 128), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else [])
    model = nn.Sequential(*hidden(2), *hidden(128), nn.Linear(128, 2))
    opt = nn.optim.Adam(model.parameters(), lr=0.01, weight_decay=weight_decay)
    curves = []
    for step in range(steps + 1):
        if step % every == 0:
            model.eval()
            with ag.no_grad():
                curves.append([F.cross_entropy(model(ag.tensor(X)), ag.tensor(y)).item()
                               for X, y in ((X_small, y_small), (X_fresh, y_fresh))])
            model.train()
        if step < steps:
            loss = F.cross_entropy(model(ag.tensor(X_small)), ag.tensor(y_small))
            opt.zero_grad(); loss.backward(); opt.step()
    model.eval()
    return model, np.array(curves)

RUNS = {"none": {}, "dropout 0.5": {"dropout": 0.5}, "weight decay 0.01": {"weight_decay": 0.01},
        "weight decay 0.05 (too strong)": {"weight_decay": 0.05}}
results = {name: train_moons(**options) for name, options in RUNS.items()}

xx, yy = np.meshgrid(np.linspace(-2, 3, 120), np.linspace(-1.6, 2.1, 120))
plane = ag.tensor(np.c_[xx.ravel(), yy.ravel()].astype(np.float32))
fig, axes = plt.subplots(2, 4, figsize=(17, 7))
for column, (name, (model, curves)) in enumerate(results.items()):
    with ag.no_grad():
        with np.errstate(over="ignore"):
            p = model(plane).softmax(-1).numpy()[:, 1].reshape(xx.shape)
        accuracy = (model(ag.tensor(X_fresh)).numpy().argmax(1) == y_fresh).mean()
    ax = axes[0, column]
    ax.contourf(xx, yy, p, levels=20, cmap="coolwarm", alpha=0.6)
    ax.scatter(X_small[:, 0], X_small[:, 1], c=y_small, cmap="coolwarm", edgecolors="k", s=25)
    ax.set_title(f"{name}\ntest accuracy {accuracy:.3f}")
    steps = np.arange(len(curves)) * 25
    axes[1, column].semilogy(steps, curves[:, 0], label="train"); axes[1, column].semilogy(steps, curves[:, 1], label="test")
    axes[1, column].set_xlabel("step"); axes[1, column].set_ylim(1e-4, 10); axes[1, column].legend()
    print(f"{name:>31}: final train loss {curves[-1, 0]:.4f}, test loss {curves[-1, 1]:.3f} "
          f"(lowest {curves[:, 1].min():.3f} at step {25 * curves[:, 1].argmin()}), test accuracy {accuracy:.3f}")
axes[1, 0].set_ylabel("cross-entropy")
plt.tight_layout(); plt.show()
"""),
    ("md", r"""
Read the columns from left to right:

* **No regularisation** drives the training loss towards 0 and draws a boundary that
  wraps around individual noisy points. The test loss reaches its lowest point within the
  first few dozen steps and then climbs far above it: the network becomes confidently wrong
  on the fresh points that fall in the wrong pockets. This is overfitting, as in the
  degree-14 polynomial.
* **Dropout** slows the memorisation down and smooths the boundary somewhat, but 500 steps
  on 60 points is enough for it to overfit too; dropout shines with more data per
  parameter and is usually combined with other measures.
* **Weight decay 0.01** keeps the weights small, the boundary smooth and the test loss flat
  near its minimum: the best test loss and accuracy of the four.
* **Weight decay 0.05** constrains the network so much that it cannot fit even the training
  set (training and test losses high and close together): underfitting. The strength of a
  regulariser is a hyper-parameter, chosen on a validation set, never on the test set.

A measured note: on a problem this small the exact numbers move with the random seed;
the *shapes* of the curves (train falling, test turning up without regularisation; both
high with too much) are what carries over to real networks.

## Exercise · 练习

1. Write `dropout_forward(x, p, rng)`: inverted dropout in numpy, using `rng.random(x.shape)`
   to draw the mask (a unit survives when its draw is $\ge p$); `p = 0` must return `x`
   unchanged.
2. Write `sgd_weight_decay_step(theta, grad, lr, weight_decay)`: one SGD step with weight
   decay, returning the new `theta`.

The checks test dropout's statistics (fraction dropped, survivors scaled, mean preserved,
the mask reproducible from the same generator) and compare the SGD step with
`nn.optim.SGD(weight_decay=...)`. Reference: `notebooks/solutions/nb11.py`.
"""),
    ("code", r"""
from course_checks.nb11 import check_dropout_forward, check_sgd_weight_decay_step

def dropout_forward(x, p, rng):
    raise NotImplementedError

def sgd_weight_decay_step(theta, grad, lr, weight_decay):
    raise NotImplementedError

for check, answer in ((check_dropout_forward, dropout_forward), (check_sgd_weight_decay_step, sgd_weight_decay_step)):
    try:
        check(answer)
    except NotImplementedError:
        print(f"{answer.__name__}: not done yet")
"""),
    ("md", r"""
## Summary · 小结

* Train and test curves diagnose the model: both high and close, underfitting; train low and
  test rising, overfitting.
* Dropout zeroes activations with probability $p$ and scales survivors by $1/(1-p)$ during
  training only (`model.eval()` turns it off); it trains an implicit ensemble.
* Weight decay adds $\lambda\theta$ to the gradient, shrinking weights by $(1-\eta\lambda)$ per
  SGD step; with Adam, prefer AdamW's decoupled decay.
* Both strengths are hyper-parameters: too much regularisation underfits.
"""),
]

NOTEBOOKS = {"11_regularisation": NB11}
