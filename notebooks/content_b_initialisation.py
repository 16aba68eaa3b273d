"""Cells of notebook 07 (initialisation and the statistics of training, with nn.diagnostics)."""

NB07 = [
    ("md", r"""
# 07 · Initialisation and the statistics of training · 初始化与训练统计

A network that does not train rarely raises an error. It just sits at a high loss, or
learns slowly, or learns in its last layer only. The cause is often visible before the
first step, in the numbers that flow through the network: activations that are all
$\pm 1$ (the tanh is *saturated*, 饱和), units that never switch on (*dead*, 死亡神经元),
gradients that shrink or grow layer after layer (vanishing / exploding gradients,
梯度消失 / 梯度爆炸), and optimizer steps that are far too large or far too small for the
weights they change.

This notebook measures all four with `nn.diagnostics.Diagnostics`, a small helper that
attaches a forward hook to each activation layer of any `nn` model (and a tensor hook to
each layer's output, to catch the gradient arriving there), and shows how a principled
initial scale of the weights, **Kaiming initialisation (Kaiming 初始化)**, keeps them healthy.
The data are the 8×8 digits (64 standardised pixels, 10 classes); the network is a deep
MLP of five tanh layers, deep enough for the problems to show.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn import functional as F
from nn.diagnostics import Diagnostics, plot
from nn.training import load_dataset

X_train, X_test, y_train, y_test, n_classes = load_dataset("digits", seed=0, standardize=True)
x_batch, y_batch = ag.tensor(X_train[:256]), ag.tensor(y_train[:256])

def deep_mlp(weight_std, activation=nn.Tanh, depth=5, width=100, out_std=0.01):
    '''depth hidden layers; weight_std(fan_in) gives each hidden layer's weight scale'''
    ag.manual_seed(0)
    layers, fan_in = [], X_train.shape[1]
    for _ in range(depth):
        linear = nn.Linear(fan_in, width)
        nn.init.normal_(linear.weight, std=weight_std(fan_in))
        nn.init.zeros_(linear.bias)
        layers += [linear, activation()]
        fan_in = width
    head = nn.Linear(fan_in, n_classes)
    nn.init.normal_(head.weight, std=out_std)
    nn.init.zeros_(head.bias)
    return nn.Sequential(*layers, head)
"""),
    ("md", r"""
## First check: the loss at initialisation · 初始损失

Before any training, a classifier knows nothing, so it should give every class about the
same probability, $1/C$. Its cross-entropy is then

$$L_0 = -\log \frac{1}{C} = \log C = \log 10 \approx 2.303 .$$

A much larger initial loss means the network is *confidently wrong*: the output layer
produces large logits, the softmax turns them into near-certain guesses, and the first
hundreds of steps are spent only on shrinking the logits (the "hockey stick" loss curve).
The cure is to make the last layer small at the start, here with weights of std 0.01.
"""),
    ("code", r"""
print(f"log(10) = {np.log(10):.3f}")
for out_std in (1.0, 0.01):
    model = deep_mlp(lambda n: 1 / np.sqrt(n), out_std=out_std)
    print(f"output layer std {out_std:>4}: initial loss {F.cross_entropy(model(x_batch), y_batch).item():.3f}")
"""),
    ("md", r"""
## How the scale of the weights propagates · 方差的传播

Take one unit of a linear layer, $y = \sum_{i=1}^{n} w_i x_i$, with $n$ = fan-in, the
weights and the inputs independent, both with mean 0. The variance of a sum of independent
terms is the sum of their variances, and for independent zero-mean factors
$\operatorname{Var}(w x) = \operatorname{Var}(w)\operatorname{Var}(x)$, so

$$\operatorname{Var}(y) = n \operatorname{Var}(w) \operatorname{Var}(x).$$

After $L$ layers the variance is multiplied by $\big(n\operatorname{Var}(w)\big)^L$ (ignoring
the non-linearity for a moment). If $n \operatorname{Var}(w) > 1$ the activations grow
exponentially with depth; if it is $< 1$ they shrink exponentially. The only stable choice is

$$\operatorname{Var}(w) = \frac{1}{n}, \qquad \text{i.e. } \operatorname{std}(w) = \frac{1}{\sqrt{n}} .$$

The backward pass obeys the same algebra: $\partial L/\partial x_i = \sum_j w_{ji}\,\partial L/\partial y_j$
sums over the $n_\text{out}$ units a layer feeds, so gradients are multiplied by
$n_\text{out}\operatorname{Var}(w)$ per layer on their way back. Xavier (Glorot)
initialisation compromises between the two fans; Kaiming (He) initialisation keeps the
forward variance and multiplies by a **gain** for the non-linearity:

$$\operatorname{std}(w) = \frac{\text{gain}}{\sqrt{n_\text{in}}}, \qquad
\text{gain} = \begin{cases} 1 & \text{linear, sigmoid's centre} \\ 5/3 & \tanh \\ \sqrt{2} & \text{ReLU} \end{cases}$$

ReLU zeroes half of a symmetric input, which halves the second moment, so the weights must
make up a factor of 2 in variance, $\sqrt 2$ in std. Tanh squashes its input ($|\tanh z| < |z|$),
and $5/3$ is the factor that PyTorch's `calculate_gain` uses to compensate. Now we measure
what the derivation predicts, for three scales of the hidden weights: std 1 (far too big:
$n\operatorname{Var}(w) = 64$ or 100), std 0.01 (far too small) and Kaiming's $\tfrac{5}{3}/\sqrt{n}$.
"""),
    ("code", r"""
INITS = {
    "std 1": lambda n: 1.0,
    "std 0.01": lambda n: 0.01,
    "Kaiming (5/3)/sqrt(n)": lambda n: (5 / 3) / np.sqrt(n),
}
watched = {}
fig, axes = plt.subplots(2, 3, figsize=(15, 6.2))
for column, (name, std) in enumerate(INITS.items()):
    model = deep_mlp(std)
    diag = Diagnostics(model)                  # hooks on the five Tanh layers
    F.cross_entropy(model(x_batch), y_batch).backward()
    watched[name] = diag
    print(f"--- {name}\n{diag.table()}")
    plot(diag, "activations", ax=axes[0, column]); axes[0, column].set_title(f"{name}: activations")
    plot(diag, "gradients", ax=axes[1, column]); axes[1, column].set_title(f"{name}: gradients")
plt.tight_layout(); plt.show()
"""),
    ("md", r"""
Three different networks, from the same data, with the same architecture:

* **std 1**: every tanh layer sits mostly in its flat tails: 70–85% of the outputs have
  $|\tanh| > 0.97$ (the histograms pile up at $\pm 1$). The local slope there is
  $1 - \tanh^2 < 0.06$, so little gradient gets through a saturated unit, and the units
  that are not saturated multiply the gradient by large weights: the gradient at the first
  layer is about 30 times the one at the last, so the early layers get the biggest steps
  while they have the least informative inputs.
* **std 0.01**: $n\operatorname{Var}(w) = 0.01$, so each layer shrinks the activations
  tenfold: the fifth layer's outputs are almost exactly 0. The network's output then barely
  depends on its input, and the gradients vanish on the way back, by a factor of 10 per
  layer (look at the "grad std" column: $10^{-5}$ at the top, $10^{-9}$ at the bottom). The
  first layers would not learn at all.
* **Kaiming**: the std of each layer's activations stays near 0.65, about 5% of them
  saturated, and the gradient std is of the same order in every layer. Every layer can
  learn at the same pace.

## The update-to-data ratio · 更新与参数之比

The statistics above describe a single step. Over training the question becomes: is each
step the right size? A useful number, tracked per weight matrix, is

$$r = \frac{\operatorname{std}(\Delta W)}{\operatorname{std}(W)}, \qquad \Delta W = W_\text{after} - W_\text{before}.$$

For SGD $\Delta W = -\eta\, \nabla_W L$. A rule of thumb from Karpathy's lectures is
$\log_{10} r \approx -3$: each step changes a weight by about a thousandth of its typical
size. Much above (say $-1$) and training is chaotic; much below ($-5$) and the layer is
hardly learning. `Diagnostics.track_update()` records $r$ around each `optimizer.step()`.
Here we train the three networks for 400 steps of SGD with the same learning rate.
"""),
    ("code", r"""
def train(model, steps=400, lr=0.1, batch=64, seed=0):
    diag = Diagnostics(model)
    opt = nn.optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(steps):
        rows = rng.integers(0, len(X_train), batch)
        loss = F.cross_entropy(model(ag.tensor(X_train[rows])), ag.tensor(y_train[rows]))
        opt.zero_grad()
        loss.backward()
        with diag.track_update():
            opt.step()
        losses.append(loss.item())
    diag.detach()
    return diag, losses

def test_accuracy(model):
    with ag.no_grad():
        return (model(ag.tensor(X_test)).numpy().argmax(1) == y_test).mean()

fig, axes = plt.subplots(1, 4, figsize=(17, 3.6))
for ax, (name, std) in zip(axes, INITS.items()):
    model = deep_mlp(std)
    diag, losses = train(model)
    axes[3].plot(np.convolve(losses, np.ones(20) / 20, mode="valid"), label=name)
    plot(diag, "updates", ax=ax); ax.set_title(f"{name}: log10 update/data"); ax.set_ylim(-7, 0)
    ratios = {k: np.log10(np.mean(v[-50:])) for k, v in diag.updates.items()}
    print(f"{name:>22}: final loss {np.mean(losses[-20:]):.3f}, test accuracy {test_accuracy(model):.3f}, "
          f"log10 ratio (last 50 steps) {min(ratios.values()):.1f} .. {max(ratios.values()):.1f}")
axes[3].set_title("training loss (20-step mean)"); axes[3].set_yscale("log"); axes[3].legend(fontsize=8)
plt.tight_layout(); plt.show()
"""),
    ("md", r"""
The loss curves and the ratios tell the same story. The too-small network does not learn at
all in 400 steps: its update ratios for the first layers stay far below $10^{-3}$ (the
gradients have vanished), and its loss stays at $\log 10$, a tenth of the test digits right,
chance level. The too-big network
learns, but its ratios spread over two orders of magnitude across layers, and it ends at a
loss 30 times the Kaiming network's, with 72% test accuracy against 96%. The Kaiming
network has every hidden layer's ratio in the same band near $10^{-3}$, and the lowest loss.
(The output layer, `10.weight`, starts high in every run because its weights start at std
0.01 on purpose: the same step is a large change relative to tiny weights.)

One learning rate for the whole network only works when every layer's gradient has the
same scale relative to its weights. Good initialisation buys exactly that; adaptive
optimizers (notebook 06) and normalisation layers (notebook 08) are two other ways to buy it.

## Dead ReLUs · 死亡的 ReLU

ReLU does not saturate for large inputs, but it has a flat side: a unit whose
pre-activation is negative for *every* input outputs 0 everywhere and receives zero
gradient, so nothing will ever move its weights again. It is **dead**. Units die at
initialisation (a badly scaled or biased layer) or, more often, after one step that is too
large pushes their bias far negative. `Diagnostics` counts, per layer, the fraction of units
that are inactive for the whole batch. Below, two copies of a ReLU network with Kaiming's
ReLU gain $\sqrt 2$ (at initialisation almost none of its units are dead), after 20 SGD steps
with a sensible learning rate (0.1) and with one fifteen times larger. The forward pass
that measures them runs on the whole training set, so a unit counted as dead is silent for
all 1,198 images.
"""),
    ("code", r"""
dead = {}
for lr in (0.1, 1.5):
    relu_net = deep_mlp(lambda n: np.sqrt(2 / n), activation=nn.ReLU, out_std=0.1)
    train(relu_net, steps=20, lr=lr)
    diag = Diagnostics(relu_net)
    with ag.no_grad():
        relu_net(ag.tensor(X_train))          # dead = 0 for all 1,198 training images
    print(f"after 20 steps with lr = {lr}:\n{diag.table()}\n")
    dead[lr] = [diag.activations[name][-1].dead for name in diag.layers]
fig, ax = plt.subplots(figsize=(7, 2.8))
positions = np.arange(len(diag.layers))
for offset, (lr, fractions) in zip((-0.2, 0.2), dead.items()):
    ax.bar(positions + offset, fractions, width=0.4, label=f"lr {lr}")
ax.set_xticks(positions, [f"ReLU {name}" for name in diag.layers]); ax.set_ylim(0, 1); ax.legend()
ax.set_title("fraction of dead units after 20 SGD steps"); plt.show()
"""),
    ("md", r"""
A dead unit is wasted capacity: the network is narrower than it looks. Lower learning
rates, LeakyReLU (a small slope on the negative side, so the gradient never vanishes
entirely), and normalisation before the ReLU all make it rarer.

## Exercise · 练习

1. Write `kaiming_std(fan_in, nonlinearity)` returning the Kaiming standard deviation
   $\text{gain}/\sqrt{n_\text{in}}$ for `"linear"`, `"tanh"` and `"relu"` (gains 1, 5/3, √2).
2. Write `dead_fraction(h)` for a ReLU layer's output `h` of shape (batch, units): the
   fraction of units that are 0 for every example of the batch.

The checks compare your functions with `nn.init.calculate_gain` (and PyTorch's, when it is
installed) and with `nn.diagnostics` on random batches. Reference solutions:
`notebooks/solutions/nb07.py`.
"""),
    ("code", r"""
from course_checks.nb07 import check_dead_fraction, check_kaiming_std

def kaiming_std(fan_in, nonlinearity):
    raise NotImplementedError      # gain / sqrt(fan_in)

def dead_fraction(h):
    raise NotImplementedError      # h: numpy array (batch, units)

for check, answer in ((check_kaiming_std, kaiming_std), (check_dead_fraction, dead_fraction)):
    try:
        check(answer)
    except NotImplementedError:
        print(f"{answer.__name__}: not done yet")
"""),
    ("md", r"""
## Summary · 小结

* Check the loss at initialisation against $\log C$; shrink the output layer if it is larger.
* Per layer, watch the activations' std and saturation, the gradients' std, the fraction of
  dead units, and over steps the update-to-data ratio (near $10^{-3}$).
* $\operatorname{Var}(y) = n\operatorname{Var}(w)\operatorname{Var}(x)$ explains vanishing and
  exploding signals; Kaiming's $\text{gain}/\sqrt{n_\text{in}}$ keeps the variance steady.
  `nn.init.kaiming_normal_(w, nonlinearity="tanh")` does it for you, and `nn.Linear`'s
  default (PyTorch's, a uniform distribution with std $1/\sqrt{3 n_\text{in}}$) is a
  conservative version of it.
* For deeper networks, careful initialisation alone is fragile: the next notebook adds
  batch normalisation, which re-standardises the activations at every step.
"""),
]

NOTEBOOKS = {"07_initialisation_and_statistics": NB07}
