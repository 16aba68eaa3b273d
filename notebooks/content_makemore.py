"""Cells of notebook 08 (makemore: a character-level model of names, after
Andrej Karpathy's "Neural Networks: Zero to Hero", makemore parts 1 and 2)."""

NB08 = [
    ("md", r"""
# 08 · makemore: a model that invents names · 字符级语言模型

After Andrej Karpathy's *makemore* lectures (parts 1 and 2 of "Neural Networks: Zero to
Hero"), written here with glassgrad's PyTorch spellings: `import glassgrad as torch`
would run the same lines in PyTorch's own words.

A **character-level language model** reads the characters of a word so far and gives a
probability for each possible next character. Sampling from it one character at a time
makes new words that look like the training words. We build it three ways:

1. **bigram counts**: how often each character follows each other one;
2. the **same bigram model trained by gradient descent**: a one-layer network whose
   loss reaches the counts' loss;
3. an **MLP over character embeddings** that reads three characters of context
   (Bengio et al., 2003) and does better.

The data: 5,163 US first names (the 1990 Census, public domain), shipped with glassgrad
(`nn.data.load_names()`).
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
from nn import functional as F
from nn.data import load_names
from autograd.viz import draw_graph

words = load_names()
print(len(words), "names, e.g.", words[:8])
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0                                  # '.' marks both the start and the end of a name
itos = {i: s for s, i in stoi.items()}
"""),
    ("md", r"""
## 1 · Counting bigrams

Every name, padded with `.` at both ends, is a sequence of bigrams: in `.emma.` they are
`.e`, `em`, `mm`, `ma`, `a.`. `N[i, j]` counts how often character `j` follows `i`.
"""),
    ("code", r"""
N = ag.zeros((27, 27), dtype=ag.int32)
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        N[stoi[ch1], stoi[ch2]] += 1

plt.figure(figsize=(7, 7))
plt.imshow(N.numpy(), cmap="Blues")
plt.xticks(range(27), [itos[i] for i in range(27)]); plt.yticks(range(27), [itos[i] for i in range(27)])
plt.xlabel("next character"); plt.ylabel("character"); plt.title("bigram counts"); plt.show()
"""),
    ("md", r"""
Normalising each row gives the probabilities of the next character. Sampling walks from
`.`: draw the next character from the current row, until `.` comes again. A seeded
`Generator` makes the samples the same on every run.
"""),
    ("code", r"""
P = (N + 1).float()                            # +1: "smoothing", so no bigram has probability 0
P /= P.sum(1, keepdim=True)

g = ag.Generator().manual_seed(2147483647)
for _ in range(8):
    out, ix = [], 0
    while True:
        ix = ag.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0:
            break
    print("".join(out))
"""),
    ("md", r"""
How good is the model? The **average negative log likelihood** of the training bigrams:
the mean of $-\log P[\text{char}, \text{next}]$. A model that knew nothing would score
$\log 27 \approx 3.30$; a perfect one, 0.
"""),
    ("code", r"""
xs, ys = [], []
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1]); ys.append(stoi[ch2])
xs, ys = ag.tensor(xs), ag.tensor(ys)          # int64, as in PyTorch
nll_counts = -P[xs, ys].log().mean()
print(f"{xs.numel()} bigrams; average negative log likelihood of the counts: {nll_counts.item():.4f}")
"""),
    ("md", r"""
## 2 · The same model, learned by gradient descent

Now let a network find the probabilities. Input: the current character, one-hot encoded.
One linear layer `W` (27 × 27) gives 27 **logits** (log-counts); `exp` and normalising
(softmax) turn them into probabilities. The loss is the same negative log likelihood,
and gradient descent lowers it. makemore's own update, `W.data += -lr * W.grad`, works
as in PyTorch: `.data` is the tensor's storage, untracked.
"""),
    ("code", r"""
g = ag.Generator().manual_seed(2147483647)
W = ag.randn((27, 27), generator=g, requires_grad=True)
xenc = F.one_hot(xs, num_classes=27).float()
losses = []
for _ in range(100):
    logits = xenc @ W                                      # log-counts
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdim=True)           # softmax
    loss = -probs[ag.arange(xs.numel()), ys].log().mean() + 0.01 * (W ** 2).mean()
    W.grad = None
    loss.backward()
    W.data += -50 * W.grad
    losses.append(loss.item())
print(f"after 100 steps: {losses[-1]:.4f}   (the counts: {nll_counts.item():.4f})")
plt.plot(losses, label="gradient descent"); plt.axhline(nll_counts.item(), color="k", ls="--", label="counts")
plt.xlabel("step"); plt.ylabel("loss"); plt.legend(); plt.show()
"""),
    ("md", r"""
The network converges to (almost) the counts' loss: with one-hot inputs, row `i` of
`exp(W)` *is* the smoothed count row `i`, learned instead of counted. The small gap is
the regularisation term `0.01 * mean(W**2)`, which plays the part of the counts' `+1`.

## 3 · An MLP over character embeddings

A bigram sees one character. The MLP sees three: each character is looked up in an
**embedding** table `C` (27 × 10), the three vectors are concatenated (30 numbers), a
`tanh` layer of 200 units follows, then 27 logits. `F.cross_entropy` does the softmax and
the negative log likelihood in one stable step. The names are split 80/10/10 into
training, development and test sets.
"""),
    ("code", r"""
block_size = 3                                  # characters of context

def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            X.append(context); Y.append(stoi[ch])
            context = context[1:] + [stoi[ch]]
    return ag.tensor(X), ag.tensor(Y)

rng = np.random.default_rng(42)
shuffled = [words[i] for i in rng.permutation(len(words))]
n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
Xtr, Ytr = build_dataset(shuffled[:n1])
Xdev, Ydev = build_dataset(shuffled[n1:n2])
print("training examples", tuple(Xtr.shape), " development examples", tuple(Xdev.shape))

g = ag.Generator().manual_seed(2147483647)
C = ag.randn((27, 10), generator=g)
W1 = ag.randn((30, 200), generator=g) * (5 / 3) / 30 ** 0.5   # tanh's gain / sqrt(fan-in): no saturated units
b1 = ag.randn(200, generator=g) * 0.01
W2 = ag.randn((200, 27), generator=g) * 0.01                  # small logits at the start: loss near log(27)
b2 = ag.zeros(27)
parameters = [C, W1, b1, W2, b2]
for name, p in zip(["C", "W1", "b1", "W2", "b2"], parameters):
    p.requires_grad = True
    p.name = name                               # (shown in the graph's picture)
print(sum(p.nelement() for p in parameters), "parameters")

def forward(X):
    emb = C[X]                                  # (batch, 3, 10)
    h = ag.tanh(emb.view(-1, 30) @ W1 + b1)     # (batch, 200)
    return h @ W2 + b2                          # (batch, 27)
"""),
    ("code", r"""
lossi = []
for i in range(6000):
    ix = ag.randint(0, Xtr.shape[0], (64,), generator=g)   # a minibatch
    loss = F.cross_entropy(forward(Xtr[ix]), Ytr[ix])
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.1 if i < 4000 else 0.01
    for p in parameters:
        p.data += -lr * p.grad
    lossi.append(loss.log10().item())

with ag.no_grad():
    train_loss = F.cross_entropy(forward(Xtr), Ytr).item()
    dev_loss = F.cross_entropy(forward(Xdev), Ydev).item()
print(f"train loss {train_loss:.4f}   dev loss {dev_loss:.4f}   (bigram counts: {nll_counts.item():.4f})")
plt.plot(np.convolve(lossi, np.ones(100) / 100, mode="valid")); plt.xlabel("step")
plt.ylabel("log10 loss (running mean of 100)"); plt.show()
"""),
    ("md", r"""
Three characters of context beat the bigram's one. Now the MLP invents names, again from
a seeded `Generator`:
"""),
    ("code", r"""
g = ag.Generator().manual_seed(2147483647 + 10)
for _ in range(15):
    out, context = [], [0] * block_size
    while True:
        with ag.no_grad():
            probs = F.softmax(forward(ag.tensor([context])), dim=1)
        ix = ag.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        if ix == 0:
            break
        out.append(itos[ix])
    print("".join(out))
"""),
    ("md", r"""
## One training step, drawn

Every step above built a graph of a dozen tensor ops and ran back through it. Here is one
step's graph on a batch of two names' worth of examples, drawn after `backward()`:
each node shows its shape, and a leaf its gradient's summary. The embedding lookup
`C[X]` is a gather (`Getitem`); its backward adds each example's gradient into the row
of the character it looked up.
"""),
    ("code", r"""
ix = ag.arange(8)
loss = F.cross_entropy(forward(Xtr[ix]), Ytr[ix])
for p in parameters:
    p.grad = None
loss.backward()
draw_graph(loss)
"""),
]

NOTEBOOKS = {"08_makemore": NB08}
