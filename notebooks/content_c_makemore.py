"""Cells of notebook 14 (makemore: a character-level model of names, after
Andrej Karpathy's "Neural Networks: Zero to Hero", makemore parts 1 and 2):
bigram counts as maximum likelihood, the same model by gradient descent, an MLP
over embeddings, and a trigram exercise."""

NB14 = [
    ("md", r"""
# 14 · makemore: a model that invents names · 字符级语言模型

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

A **language model** (语言模型) assigns a probability to every sequence. By the chain rule
of probability, the probability of a name $c_1 c_2 \dots c_n$ followed by the end mark
factorises into next-character probabilities,

$$
P(c_1 \dots c_n .) = P(c_1 \mid .)\, P(c_2 \mid . c_1) \cdots P(. \mid . c_1 \dots c_n) ,
$$

and every model in this notebook (and the WaveNet of notebook 15 and the GPT of
notebook 16) is a way of approximating the factors $P(\text{next} \mid \text{context})$
from a context cut to a fixed length: one character, then three, then eight.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
from nn import functional as F
from nn.data import load_names
from autograd.viz import draw_graph, explore

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
How good is the model? The **likelihood** (似然) of the data is the product of the
probabilities the model gives to every bigram in it. Products of thousands of numbers
below one underflow, so we take logarithms, which turn the product into a sum, and
negate, so that lower is better: the **average negative log likelihood** (平均负对数似然)

$$
\mathcal{L} = -\frac{1}{M} \sum_{m=1}^{M} \log P[a_m, b_m]
$$

over the $M$ training bigrams $(a_m, b_m)$. A model that knew nothing would give every
character $1/27$ and score $\log 27 \approx 3.30$; a perfect one, 0.

**Why are normalised counts the best bigram model?** Maximise the log likelihood
$\sum_{a,b} N_{ab} \log P_{ab}$ over the rows of $P$, each constrained to sum to 1. With a
Lagrange multiplier $\lambda_a$ per row, setting the derivative to zero gives
$N_{ab} / P_{ab} = \lambda_a$, so $P_{ab} \propto N_{ab}$, and the constraint fixes
$P_{ab} = N_{ab} / \sum_{b'} N_{ab'}$: counting *is* maximum-likelihood training. The
"+1" smoothing adds one imaginary observation of every bigram, so that an unseen pair
gets a small probability instead of zero (a zero would make the loss infinite); it is
the Bayesian estimate under a uniform prior (Laplace's rule of succession).
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
the regularisation term `0.01 * mean(W**2)`, which plays the part of the counts' `+1`:
it pulls every logit towards 0, that is every probability towards uniform.

**The gradient of softmax with cross-entropy** (交叉熵) is worth deriving once, because
every classifier and language model in this course ends with it. For one example with
logits $z$, probabilities $p = \mathrm{softmax}(z)$ and target class $y$, the loss is
$\ell = -\log p_y = -z_y + \log \sum_j e^{z_j}$. Differentiating,

$$
\frac{\partial \ell}{\partial z_j} = -[j = y] + \frac{e^{z_j}}{\sum_k e^{z_k}} = p_j - [j = y] ,
$$

the predicted probabilities minus the one-hot target, divided by the batch size for a
mean. Every wrong class is pushed down by its probability and the right one pulled up
by $1 - p_y$: the gradient vanishes exactly when the model puts all its probability on
the right answer. The cell checks the formula against autograd on a batch of bigrams.
"""),
    ("code", r"""
logits = ag.randn(5, 27, requires_grad=True)
targets = ys[:5]
F.cross_entropy(logits, targets).backward()
by_formula = (F.softmax(logits, dim=1) - F.one_hot(targets, num_classes=27).float()) / 5
print("largest difference between autograd and softmax - one_hot:",
      (logits.grad - by_formula).abs().max().item())
assert (logits.grad - by_formula).abs().max().item() < 1e-6
"""),
    ("md", r"""

## 3 · An MLP over character embeddings

A bigram sees one character. Counting longer contexts does not scale: with three
characters there are $27^3 \approx 20{,}000$ contexts, most of them never seen in 5,000
names, and their counts say nothing. Bengio, Ducharme, Vincent and Jauvin (2003)
proposed instead to **share statistical strength** between contexts: look each
character up in an **embedding** (嵌入) table `C` (27 × 10), so that every character is a
point in a 10-dimensional space learned with the rest of the model. Characters that
behave alike (the vowels, say) end up near each other, and what the network learns about
`"a"` carries over to `"e"`. The three vectors are concatenated (30 numbers), a `tanh`
layer of 200 units follows, then 27 logits:

$$
\text{logits} = \tanh\big([C_{c_1}, C_{c_2}, C_{c_3}]\, W_1 + b_1\big)\, W_2 + b_2 .
$$

`F.cross_entropy` does the softmax and the negative log likelihood in one stable step
(it subtracts the largest logit before exponentiating). The initial scales follow
notebook 07: the hidden layer's weights are scaled by $\text{gain}/\sqrt{\text{fan-in}}$
with tanh's gain $5/3$, and the output layer starts near zero so the first loss is
close to $\log 27$ instead of a confident, wrong guess.

The names are shuffled and split 80/10/10 into **training** (训练集), **development**
(验证集) and **test** (测试集) sets. The parameters are fitted on the first; the second
chooses the hyper-parameters (the sizes, the learning rate, the number of steps); the
third is looked at once, at the very end, to report a number that nothing was tuned on.
A model whose training loss is far below its development loss has started to memorise
(过拟合, overfitting, notebook 11).
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
Three characters of context beat the bigram's one, and the development loss is close to
the training loss: with 11,897 parameters for 28,842 training examples the
model is not yet memorising. The learning rate drops tenfold for the last third of
training, a simple **learning-rate decay** (学习率衰减): large steps to get close, small
ones to settle.

What did the embedding learn? `C` has 10 dimensions; its two principal directions (the
top singular vectors of the centred table) show the main structure:
"""),
    ("code", r"""
table = C.detach().numpy()
centred = table - table.mean(0)
_, _, directions = np.linalg.svd(centred, full_matrices=False)
points = centred @ directions[:2].T
vowel = ["tab:red" if itos[i] in "aeiouy" else "tab:blue" for i in range(27)]
plt.figure(figsize=(6, 6))
plt.scatter(points[:, 0], points[:, 1], s=250, c=vowel, alpha=0.35)
for i in range(27):
    plt.text(points[i, 0], points[i, 1], itos[i], ha="center", va="center", fontsize=12)
plt.title("learned character embeddings, two principal directions (vowels red)")
plt.show()
"""),
    ("md", r"""
Read the picture with care. Some pairs that behave alike sit together (in
this run `e` and `i`), but the vowels do not form one clean cluster: 5,000 names and
6,000 steps teach less than Karpathy's 32,000 names, and two directions show only part
of ten. Rare letters (`q`, `x`, `z`) sit wherever their few examples left them. With more
data and longer training the structure sharpens; whatever is there was learned from how
the letters behave, since nobody told the model anything about them.
Now the MLP invents names, again from a seeded `Generator`:
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
## One training step, explored and drawn

Every step above built a graph of a dozen tensor ops and ran back through it. Here is one
step on a batch of two names' worth of examples, first in the explorer, made before `backward()`:
step through it to see every intermediate value (the embeddings, the hidden layer, the logits) and,
on the way back, each op's rule with this step's shapes, such as
`grad(W1) += View#3ᵀ @ grad(out)   (8, 30)ᵀ @ (8, 200) -> (30, 200)`. Then the same graph
drawn after `backward()`:
each node shows its shape, and a leaf its gradient's summary. The embedding lookup
`C[X]` is a gather (`Getitem`); its backward adds each example's gradient into the row
of the character it looked up (a character used twice in a batch gets two
contributions, summed: notebook 01's `+=` once more).
"""),
    ("code", r"""
ix = ag.arange(8)
loss = F.cross_entropy(forward(Xtr[ix]), Ytr[ix])
for p in parameters:
    p.grad = None
explore(loss)
"""),
    ("code", r"""
loss.backward()
draw_graph(loss)
"""),
    ("md", r"""
## Exercise · 练习: a trigram model by counting

Karpathy's first makemore exercise: extend the counting model to **two** characters of
context. Pad each name with two start marks and one end mark (`emma` becomes `..emma.`),
so its trigrams are `..e`, `.em`, `emm`, `mma`, `ma.`. Count them in a 27 × 27 × 27
tensor, add `smoothing` to every count, normalise over the last dimension, and return
the average negative log likelihood of all the trigrams of `words`, as a Python float.

Write `trigram_nll(words, stoi, smoothing=1.0)`. The check compares it with an
independent count on a tiny word list (where you can work the answer out on paper) and
on all the names, and prints how the trigram's loss compares with the bigram's. Does the
trigram beat the bigram? Does it beat the MLP, and why not? (Think of the 20,000
contexts.) The solution is in `notebooks/solutions/nb14.py`.
"""),
    ("code", r"""
from course_checks.nb14 import check_trigram_nll

def trigram_nll(words, stoi, smoothing=1.0):
    # your code: count the trigrams of "..name.", smooth, normalise, average -log P
    raise NotImplementedError

try:
    check_trigram_nll(trigram_nll)
except NotImplementedError:
    print("not done yet: write trigram_nll, then run this cell again")
"""),
    ("md", r"""
## What to remember · 小结

* A language model factorises a sequence's probability into next-token probabilities;
  the average negative log likelihood measures it, and $\log(\text{vocabulary})$ is the
  score of knowing nothing.
* Normalised counts are the maximum-likelihood bigram model; a one-layer network trained
  by gradient descent finds the same probabilities.
* The gradient of softmax with cross-entropy is $p - \text{one-hot}(y)$.
* Embeddings share what is learned between similar tokens, which is why an MLP over three
  characters beats counting, where most three-character contexts are never seen.
"""),
]

NOTEBOOKS = {"14_makemore": NB14}
