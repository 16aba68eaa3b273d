"""Cells of notebook 15 (a WaveNet-style hierarchy on the names of notebook 14,
after Karpathy's makemore part 5 and van den Oord et al. 2016)."""

NB15 = [
    ("md", r"""
# 15 · A WaveNet-style hierarchy · 层级式的 WaveNet

Notebook 14's MLP read three characters, squashed them into one vector at once, and
predicted the fourth. Give it eight characters and the same design still crushes all of
them into a single hidden layer in its first step: every pair of positions has to be
related by the one matrix $W_1$, and the network has no way to build up an understanding
of the context piece by piece.

**WaveNet** (van den Oord et al., DeepMind, 2016), a model of raw audio, reads its context
as a **hierarchy** (层级结构): the first layer combines neighbouring pairs of inputs, the
second combines neighbouring pairs of *those*, and so on, so that eight inputs are fused
in three levels of two. Each level sees a wider stretch of the context, its **receptive
field** (感受野) doubling at every level, much as a convolutional network sees larger
and larger patches of an image (notebook 10). Andrej Karpathy's fifth makemore lecture
builds this hierarchy on names, with `nn`-style layers; this notebook does the same on
the 5,000 names shipped with glassgrad, using glassgrad's `nn.Sequential`,
`nn.Embedding`, `nn.Linear`, `nn.BatchNorm1d` and `nn.Tanh`, and one small module of our
own. It compares the hierarchy with a flat MLP of the same size on the same context of
eight characters.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn import functional as F
from nn.data import load_names

words = load_names()
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}; stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
block_size = 8                                   # characters of context, a power of two

def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            X.append(context); Y.append(stoi[ch])
            context = context[1:] + [stoi[ch]]
    return ag.tensor(X), ag.tensor(Y)

rng = np.random.default_rng(42)                  # notebook 14's split, so the numbers compare
shuffled = [words[i] for i in rng.permutation(len(words))]
n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
Xtr, Ytr = build_dataset(shuffled[:n1])
Xdev, Ydev = build_dataset(shuffled[n1:n2])
for x, y in zip(Xtr[:6].tolist(), Ytr[:6].tolist()):
    print("".join(itos[i] for i in x), "->", itos[y])
"""),
    ("md", r"""
## 1 · The hierarchy, drawn

Here is the tree for a context of eight characters. At the bottom are the eight
embeddings; each node of the level above reads a pair of neighbours below it. With
$\text{levels} = \log_2 8 = 3$, the single vector at the top has seen the whole context,
but no layer ever had to relate two characters that are far apart *directly*: far
characters meet only after their neighbourhoods have each been summarised.
"""),
    ("code", r"""
fig, ax = plt.subplots(figsize=(10, 4))
context = "..emma"[-block_size:].rjust(block_size, ".")
positions = np.arange(block_size, dtype=float)
for level in range(4):
    for j, x in enumerate(positions):
        ax.add_patch(plt.Circle((x, level), 0.22, color=["tab:blue", "tab:green", "tab:orange", "tab:red"][level]))
        if level == 0:
            ax.text(x, -0.5, context[j], ha="center", fontsize=13, family="monospace")
    if level < 3:
        parents = (positions[0::2] + positions[1::2]) / 2
        for k, p in enumerate(parents):
            for child in positions[2 * k:2 * k + 2]:
                ax.plot([child, p], [level + 0.22, level + 1 - 0.22], color="gray")
        positions = parents
labels = ["embeddings (8 × 10)", "level 1: pairs (4 × 68)", "level 2: fours (2 × 68)", "level 3: all eight (68)"]
for level, text in enumerate(labels):
    ax.text(8.0, level, text, va="center", fontsize=11)
ax.text(positions[0], 3.5, "logits for the next character", ha="center", fontsize=11)
ax.set_xlim(-0.8, 11.5); ax.set_ylim(-0.9, 3.9); ax.axis("off")
ax.set_title("eight characters fused two at a time"); plt.show()
"""),
    ("md", r"""
## 2 · Shapes: a batch of sequences of vectors

The trick that makes the hierarchy cheap is in the shapes. After the embedding, a batch
of $B$ contexts is a tensor of shape $(B, 8, 10)$: eight positions of ten numbers each.
The flat MLP reshapes it to $(B, 80)$ and multiplies by an $80 \times 200$ matrix. The
hierarchy instead reshapes it to $(B, 4, 20)$: four *pairs* of positions, each pair's two
vectors side by side. A `Linear(20, 68)` then acts on the **last** dimension only, the
same matrix for all four pairs (matrix multiplication broadcasts over the leading
dimensions, notebook 05), giving $(B, 4, 68)$. Reshape to $(B, 2, 136)$, apply
`Linear(136, 68)`, and so on, until $(B, 68)$. In equations, with $h^{(0)}_t$ the
embedding of position $t$,

$$
h^{(\ell)}_j = \tanh\Big(\mathrm{BN}\big(\,[\,h^{(\ell-1)}_{2j},\; h^{(\ell-1)}_{2j+1}\,]\, W_\ell\big)\Big),
\qquad j = 0, \dots, 2^{3-\ell} - 1 .
$$

The reshape is one small module, `FlattenConsecutive(n)`: $(B, T, C) \to (B, T/n, C n)$,
with the middle dimension dropped when it becomes 1. Because `reshape` of a contiguous
tensor only reinterprets the memory, consecutive positions end up side by side for free.

**Batch normalisation of a sequence.** `nn.BatchNorm1d` follows PyTorch: it normalises
input of shape $(N, C)$ or $(N, C, L)$, with the **channels in dimension 1**, and computes
each channel's mean and variance over all the other dimensions. Our tensors have the
channels last, $(B, T, C)$. Passing one directly is refused with a clear message (try it
below). Karpathy met the subtler form of this bug in his own BatchNorm, which averaged
over dimension 0 only: it kept separate statistics for each of the four pairs, each
estimated from a quarter of the data. The statistics belong to the channel, shared by
every position, so we transpose to $(B, C, T)$, normalise over $B$ and $T$ together, and
transpose back.
"""),
    ("code", r"""
class FlattenConsecutive(nn.Module):
    '''(B, T, C) -> (B, T // n, C * n): n consecutive positions side by side.'''
    def __init__(self, n):
        super().__init__()
        self.n = n

    def forward(self, x):
        B, T, C = x.shape
        x = x.reshape(B, T // self.n, C * self.n)
        return x.squeeze(1) if x.shape[1] == 1 else x

class SequenceBatchNorm(nn.Module):
    '''BatchNorm1d over the last dimension of (B, T, C) (and of (B, C)): statistics over B and T.'''
    def __init__(self, channels):
        super().__init__()
        self.bn = nn.BatchNorm1d(channels)

    def forward(self, x):
        return self.bn(x) if x.ndim == 2 else self.bn(x.transpose(1, 2)).transpose(1, 2)

try:
    nn.BatchNorm1d(68)(ag.randn(32, 4, 68))
except ValueError as error:
    print("channels last, passed directly:", error)

def level(fan_in, hidden):
    return [FlattenConsecutive(2), nn.Linear(fan_in, hidden, bias=False), SequenceBatchNorm(hidden), nn.Tanh()]

def make_wavenet(embed=10, hidden=68):
    return nn.Sequential(nn.Embedding(27, embed), *level(2 * embed, hidden), *level(2 * hidden, hidden),
                         *level(2 * hidden, hidden), nn.Linear(hidden, 27))

def make_flat(embed=10, hidden=200):
    return nn.Sequential(nn.Embedding(27, embed), nn.Flatten(), nn.Linear(block_size * embed, hidden, bias=False),
                         SequenceBatchNorm(hidden), nn.Tanh(), nn.Linear(hidden, 27))

ag.manual_seed(42)
model = make_wavenet()
x = Xtr[:4]
for layer in model:
    x = layer(x)
    print(f"{type(layer).__name__:>20}: {tuple(x.shape)}")
"""),
    ("md", r"""
The `Linear` layers before each batch norm have no bias: the batch norm subtracts the
mean right after, which would cancel any bias, and adds its own learned shift. The flat
MLP's hidden layer is sized (200 units) so that both models have about 22,000
parameters, and the comparison is about the *arrangement*, not the size.

## 3 · Training both

Both models train the same way as notebook 14's MLP: minibatches of 32, plain SGD with
learning rate 0.1 for 3,000 steps and 0.01 for the last 1,000, the last layer's weights
scaled by 0.1 so the first loss is near $\log 27$. Batch norm makes the two modes matter:
`model.eval()` before measuring the losses, so every example is normalised with the
running statistics and not with the statistics of the batch it happens to be in.
"""),
    ("code", r"""
def train(model, steps=4000, seed=1):
    with ag.no_grad():
        model[-1].weight *= 0.1                    # a near-uniform first guess
    g = ag.Generator().manual_seed(seed)
    losses = []
    for i in range(steps):
        ix = ag.randint(0, Xtr.shape[0], (32,), generator=g)
        loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
        for p in model.parameters():
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 3 * steps // 4 else 0.01
        with ag.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        losses.append(loss.item())
    model.eval()
    with ag.no_grad():
        return losses, F.cross_entropy(model(Xtr), Ytr).item(), F.cross_entropy(model(Xdev), Ydev).item()

results = {}
for name, make in [("flat MLP, 8 characters", make_flat), ("WaveNet hierarchy, 8 characters", make_wavenet)]:
    ag.manual_seed(42)
    model = make()
    losses, train_loss, dev_loss = train(model)
    results[name] = (model, losses)
    print(f"{name:>32}: {sum(p.numel() for p in model.parameters()):6d} parameters, "
          f"train {train_loss:.4f}, dev {dev_loss:.4f}")

for name, (_, losses) in results.items():
    plt.plot(np.array(losses).reshape(-1, 100).mean(1), label=name)
plt.xlabel("step (hundreds)"); plt.ylabel("training loss (mean of 100 steps)"); plt.legend(); plt.show()
"""),
    ("md", r"""
Read these numbers with care. On the development set the hierarchy does a little better
than the flat MLP with the same parameters and the same context, but the gap is a few
hundredths, about what a different seed or split can move. Compare them also with
notebook 14's MLP over *three* characters (development loss 2.058 there, on the same
split): handing the flat MLP eight characters did not help it at all, because one layer
has to learn every relation between eight positions from little data.

Karpathy, on 32,000 names, found much the same: at 22,000 parameters the flat
eight-character MLP and the hierarchy reached about the same validation loss (near 2.03
and 2.02), and his best result (near 1.99) came from scaling the hierarchy up to 76,000
parameters, which its cheap levels make easy. Five thousand names are little data for
22,000 parameters, and the gap between the training and development losses shows the
models starting to memorise.
What the hierarchy buys is mostly *structure*: the cost of each level grows with the
width of a pair, not with the whole context, so doubling the context adds one level
instead of doubling the first matrix.

## 4 · The hierarchy is a dilated convolution

Look at the tree again. Level 1 applies the *same* weights to every pair of
neighbouring characters: that is a one-dimensional **convolution** (卷积) with a kernel
of width 2 and a stride of 2. Level 2 combines outputs two apart, a convolution with
**dilation** (空洞/扩张) 2 in terms of the original positions, and level 3 one with
dilation 4. WaveNet stacks exactly such dilated causal convolutions, and because it
slides them along the whole sequence with stride 1, one pass over a name computes the
prediction for *every* position at once, sharing the work that our version repeats for
each of the eight overlapping contexts of a name. Here we evaluate one context at a
time, which is simpler and gives the same model.

## 5 · Names from the hierarchy

The model samples in evaluation mode (the running batch-norm statistics, not a batch of
one):
"""),
    ("code", r"""
model = results["WaveNet hierarchy, 8 characters"][0]
model.eval()
g = ag.Generator().manual_seed(2147483647 + 10)
samples = []
for _ in range(15):
    out, context = [], [0] * block_size
    with ag.no_grad():
        while len(out) < 20:
            probs = F.softmax(model(ag.tensor([context])), dim=1)
            ix = ag.multinomial(probs, num_samples=1, generator=g).item()
            if ix == 0:
                break
            context = context[1:] + [ix]
            out.append(itos[ix])
    samples.append("".join(out))
print(", ".join(samples))
"""),
    ("md", r"""
## Exercise · 练习: a hierarchy of any depth

`make_wavenet` above writes its three levels by hand. Write
`make_hierarchy(block_size, embed, hidden)` that builds the same kind of model for any
context that is a power of two: an `nn.Embedding(27, embed)`, then
$\log_2(\text{block size})$ levels, each `FlattenConsecutive(2)`,
`nn.Linear(fan_in, hidden, bias=False)`, `SequenceBatchNorm(hidden)`, `nn.Tanh()`
(the first level's `fan_in` is `2 * embed`, every later one's `2 * hidden`), then
`nn.Linear(hidden, 27)`, all in one `nn.Sequential`.

The check builds your model for contexts of 2, 8 and 16 characters, and checks the
output shape, the parameter count against the formula
$27e + 2eh + (L - 1)\,2h^2 + 2hL + 27h + 27$ for $L$ levels, and, with autograd, that
the logits depend on **every** position of the context (a gradient reaches each
position's embedding) and that the model's layers appear in the order above. Pass it
`FlattenConsecutive` and `SequenceBatchNorm` as well, since your function uses them.
The solution is in `notebooks/solutions/nb15.py`.
"""),
    ("code", r"""
from course_checks.nb15 import check_make_hierarchy

def make_hierarchy(block_size, embed, hidden):
    # your code: an nn.Sequential of the embedding, log2(block_size) levels and the output layer
    raise NotImplementedError

try:
    check_make_hierarchy(make_hierarchy, FlattenConsecutive, SequenceBatchNorm)
except NotImplementedError:
    print("not done yet: write make_hierarchy, then run this cell again")
"""),
    ("md", r"""
## What to remember · 小结

* A hierarchy fuses the context two positions at a time, so the receptive field doubles
  per level and no single layer has to relate distant positions directly.
* A `Linear` on a $(B, T, C)$ tensor acts on the last dimension, the same weights for
  every position: reshaping pairs of positions into the channel dimension is all the
  hierarchy needs.
* Batch norm's statistics belong to a channel: over a sequence, normalise over the batch
  *and* the positions (PyTorch's `BatchNorm1d` wants the channels in dimension 1).
* Each level is a dilated convolution; WaveNet slides them along the whole sequence to
  predict every position in one pass.
"""),
]

NOTEBOOKS = {"15_wavenet": NB15}
