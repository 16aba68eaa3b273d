"""Cells of notebook 13 (residual connections and normalisation in deep nets:
gradient flow with and without skips, drawn and trained)."""

NB13 = [
    ("md", r"""
# 13 · Residual connections · 残差连接

Notebook 07 showed that a careful initialisation keeps activations and gradients at a
healthy size through a handful of layers, and notebook 08 that batch normalisation
holds them there while training. Both help less and less as a network gets **deep**:
every layer multiplies the backward signal by its Jacobian, and a product of fifty
Jacobians is almost never close to the right size. In 2015 He, Zhang, Ren and Sun
trained networks of 152 layers (ResNet) with one simple change: each block *adds* its
output to its input instead of replacing it,

$$
x_{l+1} = x_l + F(x_l) ,
$$

a **residual connection** (残差连接), also called a skip connection (跳跃连接). The
block $F$ only has to learn the *change* (the residual, 残差) to apply to $x_l$. The
same line is inside every transformer block of notebook 16, twice.

This notebook measures what the skip does to the gradient flow (梯度流) of a 50-block
network, derives why, looks at the side effect that makes **normalisation** (归一化)
necessary in a deep residual stack, and trains a 20-block network with and without
skips on a small problem the plain one cannot learn.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn import functional as F
"""),
    ("md", r"""
## 1 · Three ways to stack fifty blocks

Every block below is the same small layer, $\tanh(W x + b)$ with PyTorch's default
initialisation of `nn.Linear`, 64 features wide. We stack 50 of them in three ways:

* **plain** (普通堆叠): $x_{l+1} = \tanh(W_l x_l + b_l)$;
* **residual** (残差): $x_{l+1} = x_l + \tanh(W_l x_l + b_l)$;
* **residual with pre-normalisation** (前置归一化): $x_{l+1} = x_l + \tanh(W_l\,
  \mathrm{LN}(x_l) + b_l)$, where $\mathrm{LN}$ is layer normalisation (层归一化): each
  example's features rescaled to mean 0 and variance 1, then a learned scale and shift.
  This is the arrangement GPT-2 and most transformers since use.

For a batch of 128 random inputs we run each stack forward, keep every block's output
with `retain_grad()`, back-propagate a loss, and record three numbers per block: the
standard deviation of its output, the fraction of its tanh units that are saturated
($|\tanh| > 0.97$, where the slope is below 0.06), and the norm of the gradient that
reaches its weight.
"""),
    ("code", r"""
class Block(nn.Module):
    def __init__(self, width, residual, norm):
        super().__init__()
        self.norm = nn.LayerNorm(width) if norm else nn.Identity()
        self.fc = nn.Linear(width, width)
        self.residual = residual

    def forward(self, x):
        self.branch = ag.tanh(self.fc(self.norm(x)))    # kept for the saturation statistic
        return x + self.branch if self.residual else self.branch

KINDS = {"plain": (False, False), "residual": (True, False), "residual + pre-LayerNorm": (True, True)}

def measure(residual, norm, depth=50, width=64):
    ag.manual_seed(0)
    blocks = [Block(width, residual, norm) for _ in range(depth)]
    x = ag.randn(128, width)
    for block in blocks:
        x = block(x)
        x.retain_grad()
    x.sum().backward()
    return {"saturated": [(b.branch.abs() > 0.97).float().mean().item() for b in blocks],
            "weight grad": [b.fc.weight.grad.norm().item() for b in blocks]}

def stream_std(residual, norm, depth=50, width=64):
    ag.manual_seed(0)
    x, stds = ag.randn(128, width), []
    with ag.no_grad():
        for _ in range(depth):
            x = Block(width, residual, norm)(x)
            stds.append(x.std().item())
    return stds

results = {kind: measure(*flags) for kind, flags in KINDS.items()}
stds = {kind: stream_std(*flags) for kind, flags in KINDS.items()}

fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for kind in KINDS:
    axes[0].semilogy(range(1, 51), results[kind]["weight grad"], label=kind)
    axes[1].plot(range(1, 51), stds[kind], label=kind)
    axes[2].plot(range(1, 51), results[kind]["saturated"], label=kind)
axes[0].set_title("gradient norm reaching each block's weight"); axes[0].set_ylim(1e-14, 1e5)
axes[1].set_title("std of the stream x after each block")
axes[2].set_title("fraction of saturated tanh units")
for ax in axes:
    ax.set_xlabel("block"); ax.legend(fontsize=8)
plt.tight_layout(); plt.show()
for kind in KINDS:
    g = results[kind]["weight grad"]
    print(f"{kind:>25}: weight-gradient norm at block 1 {g[0]:9.3g}, at block 50 {g[-1]:9.3g}")
"""),
    ("md", r"""
The left panel is the point of this notebook. In the plain stack the gradient that
reaches the first blocks is smaller than the last block's by many orders of magnitude:
gradient descent would change the first layers by nothing at all. With the skip, every
block receives a gradient of the same order.

## 2 · Why the skip keeps the gradient · 为什么梯度不会消失

Write $J_k = \partial F(x_k) / \partial x_k$ for a block's Jacobian. For the plain
stack, $x_{l+1} = F(x_l)$, the chain rule gives a product of Jacobians, and with
$\tanh$ layers of the default initialisation each of them shrinks the signal, just as
the recurrent Jacobians did in notebook 12:

$$
\frac{\partial L}{\partial x_l} = \frac{\partial L}{\partial x_L}\, J_{L-1} J_{L-2} \cdots J_l .
$$

For the residual stack each factor is $I + J_k$ instead, and expanding the product,

$$
\frac{\partial L}{\partial x_l}
= \frac{\partial L}{\partial x_L} \prod_{k=l}^{L-1} \left(I + J_k\right)
= \frac{\partial L}{\partial x_L}\Big(I + \sum_{k} J_k + \sum_{j<k} J_k J_j + \cdots\Big) .
$$

The first term is the identity: **whatever the blocks do, the gradient of the loss at
the top arrives unchanged at every block** along the skip path. A block's own weights
then get a gradient of ordinary size, because the signal that reaches it did not have
to pass through the other blocks. In the backward pass the addition node simply copies
its incoming gradient to both inputs (notebook 01's rule for `+`), so the skip is a
highway for gradients (梯度高速公路). Veit, Wilber and Belongie (2016) read the expansion
as an *ensemble of paths*: a residual network of $L$ blocks holds $2^L$ paths of every
length from 0 to $L$, and most of its gradient flows through the short ones.

## 3 · The price: a growing stream, and why we normalise

(The plain stack's stream, in the middle panel, shrinks to a tenth within a few blocks:
PyTorch's default `nn.Linear` initialisation gives each tanh layer a gain below one, the
problem of notebook 07.) The middle panel also shows what the skip costs. Each block adds something to the stream,
so its size grows with depth: if the branches' outputs were independent with variance
$v$, then $\operatorname{Var}(x_L) = \operatorname{Var}(x_0) + L v$, and the standard
deviation grows like $\sqrt{L}$. Here the branches are correlated with the stream and
it grows faster still. A growing input drives every later $\tanh$ deeper into its flat
region: the right panel shows the fraction of saturated units climbing block after block
in the residual stack without normalisation. Those units pass almost no gradient to
their own weights, even though the skip still carries the gradient past them.

Normalising **the input of each branch** fixes this while keeping the skip untouched:
$\mathrm{LN}(x_l)$ has mean 0 and variance 1 in every block, so every branch works in
the same range whatever the depth, and the stream (which is never normalised) still
carries the identity path for the gradient. This is the **pre-norm** arrangement;
the original transformer normalised *after* the addition (post-norm), which puts the
normalisation on the gradient's highway, and it needed a learning-rate warm-up to train
deep stacks (Xiong et al., 2020). Two other habits serve the same end: scaling each
branch's last layer down at initialisation (GPT-2 scales it by $1/\sqrt{N}$, $N$ the
number of residual branches: two per block), or setting it
to zero so that every block starts as the identity (Goyal et al., 2017; "Fixup", Zhang
et al., 2019).

## 4 · Training a 20-block network on a spiral

Three interleaved spirals in the plane, 300 points, are a small problem a shallow
network learns easily. We put 20 blocks of width 32 between an input and an output
layer and train each stack the same way: full-batch SGD with momentum 0.9 and learning
rate 0.05, 300 steps, from the same seed.
"""),
    ("code", r"""
def spirals(n=100, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    points, labels = [], []
    for c in range(classes):
        r = np.linspace(0.05, 1, n)
        angle = np.linspace(4 * c, 4 * (c + 1), n) + rng.normal(0, 0.2, n)
        points.append(np.c_[r * np.sin(angle), r * np.cos(angle)]); labels.append(np.full(n, c))
    return ag.tensor(np.concatenate(points).astype(np.float32)), ag.tensor(np.concatenate(labels))

class DeepNet(nn.Module):
    def __init__(self, residual, norm, depth=20, width=32):
        super().__init__()
        self.inp = nn.Linear(2, width)
        self.blocks = nn.Sequential(*[Block(width, residual, norm) for _ in range(depth)])
        self.out = nn.Linear(width, 3)

    def forward(self, x):
        return self.out(self.blocks(self.inp(x)))

X, Y = spirals()
trained, curves = {}, {}
for kind, flags in KINDS.items():
    ag.manual_seed(0)
    model = DeepNet(*flags)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    curves[kind] = []
    for step in range(300):
        loss = F.cross_entropy(model(X), Y)
        optimizer.zero_grad(); loss.backward(); optimizer.step()
        curves[kind].append(loss.item())
    trained[kind] = model
    with ag.no_grad():
        accuracy = (model(X).argmax(1) == Y).float().mean().item()
    print(f"{kind:>25}: loss {curves[kind][0]:.3f} -> {curves[kind][-1]:.3f}, training accuracy {accuracy:.0%}")
"""),
    ("code", r"""
grid = np.stack(np.meshgrid(np.linspace(-1.2, 1.2, 150), np.linspace(-1.2, 1.2, 150)), -1).reshape(-1, 2)
fig, axes = plt.subplots(1, 4, figsize=(17, 4))
for kind in KINDS:
    axes[0].semilogy(curves[kind], label=kind)
axes[0].set_xlabel("step"); axes[0].set_ylabel("loss"); axes[0].legend(fontsize=8)
for ax, (kind, model) in zip(axes[1:], trained.items()):
    with ag.no_grad():
        regions = model(ag.tensor(grid.astype(np.float32))).argmax(1).numpy().reshape(150, 150)
    ax.contourf(np.linspace(-1.2, 1.2, 150), np.linspace(-1.2, 1.2, 150), regions, alpha=0.3, cmap="brg")
    ax.scatter(X.numpy()[:, 0], X.numpy()[:, 1], c=Y.numpy(), s=8, cmap="brg")
    ax.set_title(kind); ax.set_xticks([]); ax.set_yticks([])
plt.tight_layout(); plt.show()
"""),
    ("md", r"""
The plain stack's loss stays at $\log 3 \approx 1.10$, a uniform guess: the gradient
that reaches its first blocks is too small to move them, and the last blocks see only
the washed-out output of the first. The same blocks with skips fit the spirals. Nothing
else changed: not the layers, not the initialisation, not the optimizer. The residual stack
without normalisation pays for its growing stream early on, with a spike of the loss in the
first steps and a slower descent; with pre-normalisation the same stack fits fastest, and
its decision regions follow the arms of the spirals.

## Exercise · 练习: a pre-norm residual block

Write `ResidualBlock(dim, hidden)`, an `nn.Module` with three children named `norm`
(an `nn.LayerNorm(dim)`), `fc1` (`nn.Linear(dim, hidden)`) and `fc2`
(`nn.Linear(hidden, dim)`), whose forward pass is

$$
\mathrm{block}(x) = x + \mathrm{fc2}\big(\tanh(\mathrm{fc1}(\mathrm{LN}(x)))\big) .
$$

The check builds your block, compares its output and every gradient with the formula
computed from your own children by `F.layer_norm` and `F.linear`, then sets `fc2`'s
weight and bias to zero and checks that the block is then exactly the identity, with a
gradient of ones for its input: the skip path derived in section 2. Run the cell as it
is to see that it waits for you; the solution is in `notebooks/solutions/nb13.py`.
"""),
    ("code", r"""
from course_checks.nb13 import check_residual_block

class ResidualBlock(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        # your code: self.norm, self.fc1, self.fc2
        raise NotImplementedError

    def forward(self, x):
        raise NotImplementedError

try:
    check_residual_block(ResidualBlock)
except NotImplementedError:
    print("not done yet: write ResidualBlock, then run this cell again")
"""),
    ("md", r"""
## What to remember · 小结

* In a plain deep stack the gradient is a product of Jacobians, and it vanishes (or
  explodes) with depth; the first layers do not learn.
* A residual connection makes each factor $I + J$, so an identity path carries the
  gradient from the loss to every block unchanged.
* The stream grows with depth; normalising each branch's input (pre-norm) keeps every
  branch in its working range without touching the skip.
* Starting each branch small or at zero makes a deep residual network begin as the
  identity, a network that is easy to improve one block at a time.
"""),
]

NOTEBOOKS = {"13_residual_connections": NB13}
