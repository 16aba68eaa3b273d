"""Cells of notebook 08 (batch normalisation)."""

NB08 = [
    ("md", r"""
# 08 · Batch normalisation · 批归一化

Notebook 07 ended with a fragile recipe: scale each layer's weights by exactly
$\text{gain}/\sqrt{n_\text{in}}$ and the activations stay healthy. Get the scale wrong by a
factor of a few in a deep network and the signal vanishes or saturates, and training stalls.
Worse, even a perfect start drifts: as the weights change, the distribution of each layer's
inputs changes too.

**Batch normalisation (批归一化)**, introduced by Ioffe and Szegedy in 2015, takes a blunt
approach: if we want each unit's pre-activation to have mean 0 and variance 1, then
*standardise it*, on every forward pass, using the statistics of the current mini-batch.
Standardising is differentiable, so it is just another layer in the graph, and back
propagation takes care of the rest. It made much deeper networks trainable, allowed larger
learning rates, and is still the default in convolutional networks.
"""),
    ("md", r"""
## The forward pass · 前向计算

For one unit (one column of a batch $x \in \mathbb{R}^{m \times C}$) with values
$x_1, \dots, x_m$ over the batch:

$$\mu_B = \frac{1}{m} \sum_{i=1}^{m} x_i, \qquad
\sigma_B^2 = \frac{1}{m} \sum_{i=1}^{m} (x_i - \mu_B)^2,$$

$$\hat x_i = \frac{x_i - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad
y_i = \gamma\, \hat x_i + \beta .$$

$\epsilon$ (1e-5) keeps the division safe for a unit that is constant over the batch. The
learnable **scale** $\gamma$ and **shift** $\beta$ (one each per unit, `weight` and `bias` in
PyTorch's names) give back the freedom that standardising took away: with
$\gamma = \sigma_B$ and $\beta = \mu_B$ the layer is the identity, so batch norm can never make
the network less expressive. It follows that a bias in the linear layer *before* a batch
norm is wasted: $\mu_B$ subtracts it again, and $\beta$ does its job. That is why such layers
are usually created with `bias=False`.

**Training and evaluation differ.** At test time we may want a prediction for a single
example, which has no batch statistics. So during training the layer also keeps
exponential moving averages

$$\mu_\text{run} \leftarrow (1 - p)\,\mu_\text{run} + p\,\mu_B, \qquad
\sigma^2_\text{run} \leftarrow (1 - p)\,\sigma^2_\text{run} + p\,\frac{m}{m - 1}\,\sigma_B^2,$$

with $p$ = `momentum` = 0.1 (PyTorch's name; note that it is the weight of the *new* value,
the opposite of an optimizer's momentum) and Bessel's correction $m/(m-1)$ for an unbiased
variance. In `model.eval()` mode the layer uses $\mu_\text{run}$ and $\sigma^2_\text{run}$
instead of the batch's, and becomes a fixed affine map. Forgetting `model.eval()` before
testing is one of the classic bugs: the predictions then depend on which other examples
are in the batch.

Let us check these formulas in numpy against `nn.BatchNorm1d`, and against PyTorch when it
is installed.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn import functional as F
from nn.diagnostics import Diagnostics, plot
from nn.training import load_dataset

rng = np.random.default_rng(0)
x = (rng.standard_normal((32, 4)) * [1, 5, 0.1, 2] + [0, 3, -1, 10]).astype(np.float32)

bn = nn.BatchNorm1d(4)
y = bn(ag.tensor(x)).numpy()

mu, var = x.mean(0), x.var(0)                      # the batch's statistics (1/m variance)
y_by_hand = (x - mu) / np.sqrt(var + 1e-5)         # gamma = 1, beta = 0 at the start
print("max |nn.BatchNorm1d - by hand| =", np.abs(y - y_by_hand).max())
print("output mean per unit:", np.round(y.mean(0), 6), " std:", np.round(y.std(0), 4))
print("running_mean =", bn.running_mean.numpy(), "= 0.1 * batch mean", np.round(0.1 * mu, 4))
print("running_var  =", bn.running_var.numpy(), "= 0.9 + 0.1 * m/(m-1) var", np.round(0.9 + 0.1 * var * 32 / 31, 4))

try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed: skipping the comparison with torch.nn.BatchNorm1d")
if torch is not None:
    twin = torch.nn.BatchNorm1d(4)
    y_torch = twin(torch.tensor(x)).detach().numpy()
    print("max |glassgrad - torch| output:", np.abs(y - y_torch).max(),
          " running_var:", np.abs(bn.running_var.numpy() - twin.running_var.numpy()).max())
"""),
    ("code", r"""
bn.eval()                                           # now the running statistics are used
single = bn(ag.tensor(x[:1])).numpy()
expected = (x[:1] - bn.running_mean.numpy()) / np.sqrt(bn.running_var.numpy() + 1e-5)
print("eval mode, one example:", np.round(single, 3), " by hand:", np.round(expected, 3))
bn.train()
try:
    bn(ag.tensor(x[:1]))
except ValueError as error:
    print("training mode, one example ->", error)
"""),
    ("md", r"""
The running statistics after one batch are still far from the batch's own (0.9 of them is
the initial 0 and 1), which is why evaluating a barely trained batch-norm network gives poor
results even when its training loss looks fine: the moving averages need a few dozen steps
to catch up. In training mode a single example cannot be normalised at all (its variance
over a batch of one is 0), and the layer says so instead of returning zeros.

## Why it trains what plain initialisation cannot

The key property is **invariance to the scale of the weights**. If the layer before a batch
norm computes $x = W u$ and we multiply $W$ by any $a > 0$, then $\mu_B$ and $\sigma_B$ are
multiplied by $a$ too, and

$$\operatorname{BN}(aWu) = \frac{aWu - a\mu_B}{a\sigma_B} = \operatorname{BN}(Wu)$$

(up to $\epsilon$). The forward pass no longer depends on the weights' scale, so a badly
scaled initialisation cannot make the activations vanish or saturate: every tanh receives
inputs with mean $\beta$ and std $\gamma$, whatever came before.

There is a price, visible in the backward pass. Since $L(aW) = L(W)$, differentiating both
sides with respect to $W$ gives $a\,\nabla L(aW) = \nabla L(W)$: the gradient is divided
by $a$. An SGD step changes $W$ by $\eta\,\nabla L$, so relative to $\|W\|$ the step scales as
$1/a^2$. Large weights learn slowly, tiny ones take huge relative steps; batch norm turns
a bad initial scale from a fatal problem into an effective learning rate that is off.

The experiment: a 10-layer tanh MLP on the digits, its hidden weights drawn with std
$a/\sqrt{n_\text{in}}$ for a range of scales $a$, trained for 200 SGD steps with and without a
`BatchNorm1d` between each linear layer and its tanh.
"""),
    ("code", r"""
X_train, X_test, y_train, y_test, n_classes = load_dataset("digits", seed=0, standardize=True)

def deep_tanh(scale, batchnorm, depth=10, width=100):
    ag.manual_seed(0)
    layers, fan_in = [], X_train.shape[1]
    for _ in range(depth):
        linear = nn.Linear(fan_in, width, bias=not batchnorm)   # batch norm's beta replaces the bias
        nn.init.normal_(linear.weight, std=scale / np.sqrt(fan_in))
        if not batchnorm:
            nn.init.zeros_(linear.bias)
        layers += [linear, nn.BatchNorm1d(width), nn.Tanh()] if batchnorm else [linear, nn.Tanh()]
        fan_in = width
    head = nn.Linear(fan_in, n_classes)
    nn.init.normal_(head.weight, std=0.01); nn.init.zeros_(head.bias)
    return nn.Sequential(*layers, head)

def train(model, steps=200, lr=0.1):
    opt = nn.optim.SGD(model.parameters(), lr=lr)
    rows_rng = np.random.default_rng(0)
    losses = []
    for _ in range(steps):
        rows = rows_rng.integers(0, len(X_train), 64)
        loss = F.cross_entropy(model(ag.tensor(X_train[rows])), ag.tensor(y_train[rows]))
        opt.zero_grad(); loss.backward(); opt.step()
        losses.append(loss.item())
    model.eval()                                   # running statistics from here on
    with ag.no_grad():
        accuracy = (model(ag.tensor(X_test)).numpy().argmax(1) == y_test).mean()
    return losses, accuracy

SCALES = [0.25, 0.5, 1.0, 3.0, 10.0, 30.0]
results = {(scale, bn): train(deep_tanh(scale, bn)) for scale in SCALES for bn in (False, True)}
for scale in SCALES:
    print(f"scale {scale:>5}: test accuracy plain {results[scale, False][1]:.3f}   "
          f"with batch norm {results[scale, True][1]:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(13, 3.8))
for bn, style in ((False, "o--"), (True, "s-")):
    axes[0].semilogx(SCALES, [results[s, bn][1] for s in SCALES], style, label="with batch norm" if bn else "plain")
axes[0].axvline(5 / 3, color="grey", lw=0.8); axes[0].text(5 / 3, 0.05, " Kaiming tanh gain 5/3")
axes[0].set_xlabel("weight scale a (std = a / sqrt(fan_in))"); axes[0].set_ylabel("test accuracy")
axes[0].set_ylim(0, 1); axes[0].legend(); axes[0].set_title("10 tanh layers, 200 SGD steps")
for (scale, bn), (losses, _) in results.items():
    if scale in (0.5, 10.0):
        axes[1].plot(np.convolve(losses, np.ones(10) / 10, mode="valid"),
                     "-" if bn else "--", label=f"a = {scale}, {'batch norm' if bn else 'plain'}")
axes[1].set_yscale("log"); axes[1].set_xlabel("step"); axes[1].set_title("training loss (10-step mean)")
axes[1].legend(fontsize=8)
plt.tight_layout(); plt.show()
"""),
    ("md", r"""
Without batch norm only a narrow window of scales around Kaiming's trains at all: at
$a \le 0.5$ the signal vanishes over ten layers and the accuracy is chance (a tenth); at
$a \ge 10$ the tanh units saturate and learning is slow and noisy. With batch norm every
scale from 0.25 to 3 trains to about the same accuracy, and the large scales degrade
gracefully, as the $1/a^2$ effective learning rate predicts, instead of failing.

The diagnostics show why. Below are the tanh activations of the $a = 0.5$ network, plain
and with batch norm, at initialisation: one collapses towards 0 layer by layer, the other
keeps the same healthy distribution in every layer.
"""),
    ("code", r"""
batch = ag.tensor(X_train[:256])
fig, axes = plt.subplots(1, 2, figsize=(13, 3.4))
for ax, bn in zip(axes, (False, True)):
    model = deep_tanh(0.5, bn)
    with Diagnostics(model, [nn.Tanh]) as diag:
        model(batch)
    plot(diag, "activations", ax=ax)
    ax.set_title(f"a = 0.5, {'with batch norm' if bn else 'plain'}: tanh outputs per layer")
    ax.legend(fontsize=6, ncol=2)
    ax.set_xlim(-1, 1)
plt.tight_layout(); plt.show()
"""),
    ("md", r"""
## The costs · 代价

Batch norm couples the examples of a batch: each example's output depends on the others
through $\mu_B$ and $\sigma_B$. That acts as a mild regulariser (noise from the batch
composition), but it also means small batches give noisy statistics, the train/eval switch
must not be forgotten, and it does not fit sequence models well. Layer normalisation
(`nn.LayerNorm`, the transformer's choice, notebook 16) normalises over the features of each
example instead of over the batch, and has no running statistics.

## Exercise · 练习: batch norm in training mode, by hand

Write `batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5)`
in numpy for an input of shape (batch, units). It returns `(y, new_running_mean,
new_running_var)`, following the formulas above (biased variance in the normalisation,
unbiased in the running variance). The check compares all three with `nn.BatchNorm1d` on
random batches with non-trivial $\gamma$, $\beta$ and running statistics. Reference solution:
`notebooks/solutions/nb08.py`.
"""),
    ("code", r"""
from course_checks.nb08 import check_batchnorm_train

def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    # your code here
    raise NotImplementedError

try:
    check_batchnorm_train(batchnorm_train)
except NotImplementedError:
    print("not done yet: fill in batchnorm_train, then run this cell again")
"""),
    ("md", r"""
## Summary · 小结

* Batch norm standardises each unit over the batch, then rescales with learnable
  $\gamma, \beta$: $y = \gamma (x - \mu_B)/\sqrt{\sigma_B^2 + \epsilon} + \beta$.
* Running averages replace the batch statistics in `eval()` mode; call it before testing.
* It makes the forward pass invariant to the weights' scale, so initialisation stops being
  critical; the scale reappears as an effective learning rate $\propto 1/a^2$.
* Notebook 09 differentiates this layer by hand, together with cross-entropy, tanh, a
  linear layer and an embedding, and checks every gradient against autograd.
"""),
]

NOTEBOOKS = {"08_batch_normalisation": NB08}
