"""Cells of notebook 09 (back-propagation by hand through a whole network, checked against autograd)."""

NB09 = [
    ("md", r"""
# 09 · Back-propagation by hand · 手写反向传播

`loss.backward()` is convenient, and that is the danger: it lets you build networks without
ever seeing the gradients they run on. When a network trains badly you need to know what
those gradients look like, where they can vanish, and which layer's rule amplifies what. So
in this notebook we switch autograd off in our heads and derive, by hand, the gradient of
the loss with respect to every parameter and every intermediate tensor of a complete
network: an **embedding (嵌入)**, a **linear layer (线性层)**, **batch normalisation
(批归一化)**, **tanh** and **cross-entropy (交叉熵)**. We then let autograd compute the same
gradients and compare them in a table. This follows the fourth lecture of Karpathy's
makemore series ("becoming a backprop ninja"), on the same data: predict the next letter of a
first name from the three letters before it.

Every rule below is the chain rule applied to one small function: if $y = f(x)$ and we
already know $\bar y = \partial L / \partial y$ (the gradient of the loss with respect to $y$,
written with a bar), then $\bar x = (\partial y / \partial x)^\top \bar y$. The whole art is in
getting the shapes right, and in remembering that a tensor used in several places collects
the **sum** of the gradients from all of them.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
from nn import functional as F
from nn.data import load_names

words = load_names()
chars = sorted(set("".join(words)))
stoi = {c: i + 1 for i, c in enumerate(chars)}; stoi["."] = 0      # "." marks start and end
vocab_size, block_size = len(stoi), 3

def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            X.append(context); Y.append(stoi[ch])
            context = context[1:] + [stoi[ch]]
    return np.array(X), np.array(Y)

X, Y = build_dataset(words)
print(f"{len(words)} names -> {len(X)} examples of (3 letters -> next letter), vocabulary {vocab_size}")
"""),
    ("md", r"""
## The network and its forward pass, one small step at a time

With a batch of $N$ contexts of 3 letter indices:

| step | formula | shape |
|---|---|---|
| embedding | $E = C[X_b]$ | (N, 3, 10) |
| concatenate | $e = \operatorname{reshape}(E)$ | (N, 30) |
| linear 1 | $z = e W_1 + b_1$ | (N, 64) |
| batch norm | $\mu = \tfrac1N\sum_n z_n$, $\sigma^2 = \tfrac1N\sum_n (z_n-\mu)^2$, $\hat z = (z-\mu)/\sqrt{\sigma^2+\epsilon}$ | (64,), (N, 64) |
| scale and shift | $a = \gamma \hat z + \beta$ | (N, 64) |
| tanh | $h = \tanh(a)$ | (N, 64) |
| linear 2 | $\ell = h W_2 + b_2$ | (N, 27) |
| cross-entropy | $L = -\tfrac1N \sum_n \log \operatorname{softmax}(\ell_n)_{y_n}$ | () |

We write it with Tensor operations so that autograd can differentiate it too, and call
`retain_grad()` on every intermediate tensor so that autograd keeps its gradient for the
comparison.
"""),
    ("code", r"""
rng = np.random.default_rng(42)
n_embed, n_hidden, N = 10, 64, 32
params = {   # weights as x @ W (in, out), as in the lecture; small output layer, Kaiming-scaled hidden layer
    "C": rng.standard_normal((vocab_size, n_embed)),
    "W1": rng.standard_normal((n_embed * block_size, n_hidden)) * (5 / 3) / np.sqrt(n_embed * block_size),
    "b1": rng.standard_normal(n_hidden) * 0.1,     # useless before batch norm, kept to check its gradient is 0
    "gamma": 1 + rng.standard_normal(n_hidden) * 0.1,
    "beta": rng.standard_normal(n_hidden) * 0.1,
    "W2": rng.standard_normal((n_hidden, vocab_size)) * 0.1,
    "b2": rng.standard_normal(vocab_size) * 0.1,
}
P = {name: ag.tensor(value, requires_grad=True) for name, value in params.items()}   # float64
rows = rng.integers(0, len(X), N)
Xb, Yb = X[rows], Y[rows]
eps = 1e-5

def forward(P):
    t = {}
    t["emb"] = P["C"][Xb]                                   # (N, 3, 10) embedding lookup
    t["embcat"] = t["emb"].reshape(N, -1)                   # (N, 30)
    t["z"] = t["embcat"] @ P["W1"] + P["b1"]                # (N, 64)
    t["mu"] = t["z"].mean(0, keepdim=True)
    t["diff"] = t["z"] - t["mu"]
    t["var"] = (t["diff"] ** 2).mean(0, keepdim=True)       # biased, as BatchNorm1d normalises
    t["inv_std"] = (t["var"] + eps) ** -0.5
    t["zhat"] = t["diff"] * t["inv_std"]
    t["a"] = P["gamma"] * t["zhat"] + P["beta"]
    t["h"] = t["a"].tanh()
    t["logits"] = t["h"] @ P["W2"] + P["b2"]
    loss = F.cross_entropy(t["logits"], ag.tensor(Yb))
    return loss, t

loss, T = forward(P)
for tensor in T.values():
    tensor.retain_grad()
loss.backward()
print(f"loss = {loss.item():.4f}   (log 27 = {np.log(27):.4f} for a uniform guess)")
"""),
    ("md", r"""
## The backward pass, derived · 反向传播的推导

We go from the loss back to the inputs. Everything below is numpy, reading only the
*values* of the forward pass (never a `.grad`).

**Cross-entropy.** For one example, $L_n = -\log p_{y_n}$ with $p = \operatorname{softmax}(\ell_n)$,
$p_k = e^{\ell_k}/\sum_j e^{\ell_j}$. Then $\log p_y = \ell_y - \log\sum_j e^{\ell_j}$, and
differentiating by $\ell_k$ gives $\mathbb{1}[k = y] - p_k$. With the mean over the batch:

$$\bar\ell = \frac{1}{N}\big(\operatorname{softmax}(\ell) - \operatorname{onehot}(y)\big).$$

Each row of $\bar\ell$ sums to zero: the gradient pushes the correct class's logit up by
exactly as much as it pushes all the others down, each in proportion to its probability.

**Linear layer** $\ell = h W_2 + b_2$. Element by element, $\ell_{nk} = \sum_j h_{nj} W_{jk} + b_k$, so
$\partial \ell_{nk}/\partial h_{nj} = W_{jk}$ and $\partial \ell_{nk}/\partial W_{jk} = h_{nj}$. Summing over
the indices that are not kept:

$$\bar h = \bar\ell\, W_2^\top, \qquad \bar W_2 = h^\top \bar\ell, \qquad \bar b_2 = \textstyle\sum_n \bar\ell_n .$$

A check that never fails to catch a mistake: each gradient has its variable's shape, and
there is only one way to multiply the available matrices to get that shape. The bias was
broadcast over the batch in the forward pass, so its gradient is summed over the batch.

**tanh.** $\frac{d}{da}\tanh a = 1 - \tanh^2 a$, elementwise: $\bar a = (1 - h^2) \odot \bar h$.

**Scale and shift.** $a = \gamma \hat z + \beta$ with $\gamma, \beta$ broadcast over the batch:
$\bar\gamma = \sum_n \hat z_n \odot \bar a_n$, $\bar\beta = \sum_n \bar a_n$, $\bar{\hat z} = \gamma \odot \bar a$.

**Batch normalisation.** This is the hard one, because every $\hat z_n$ depends on every
$z_m$ of the same unit through $\mu$ and $\sigma^2$. Per unit, with $s = (\sigma^2+\epsilon)^{-1/2}$,
$\hat z_n = (z_n - \mu)s$, and the three paths from $z_m$ to $\hat z_n$ (directly, through
$\mu$, through $\sigma^2$) give

$$\frac{\partial \hat z_n}{\partial z_m} = s\Big(\delta_{nm} - \frac{1}{N}\Big) - \frac{s}{N}\,\hat z_n \hat z_m ,$$

using $\partial\mu/\partial z_m = 1/N$ and $\partial\sigma^2/\partial z_m = \tfrac{2}{N}(z_m - \mu)$. Contracting
with $\bar{\hat z}$ yields the compact form

$$\bar z = \frac{s}{N}\Big(N\,\bar{\hat z} - \sum_n \bar{\hat z}_n - \hat z \odot \sum_n \bar{\hat z}_n \hat z_n\Big).$$

The two sums remove from the gradient its mean and its component along $\hat z$: the
directions that batch norm cannot "see", since shifting or scaling all $z$ of a unit does
not change $\hat z$. The same argument explains why $\bar b_1 = \sum_n \bar z_n = 0$: a bias
before a batch norm gets no gradient at all.

**The first linear layer** is like the second: $\bar e = \bar z W_1^\top$, $\bar W_1 = e^\top \bar z$,
$\bar b_1 = \sum_n \bar z_n$; the reshape is undone by reshaping the gradient back.

**Embedding.** $E_{nt} = C_{X_{nt}}$ copies rows of $C$. A row used several times in the batch
(the letter "a" appears everywhere) receives the sum of the gradients of all its copies:
$\bar C_i = \sum_{(n, t):\, X_{nt} = i} \bar E_{nt}$, a scatter-add, which numpy spells
`np.add.at`. A plain `dC[Xb] += dE` would be the accumulate bug of notebook 01 again: with
repeated indices only the last write survives.
"""),
    ("code", r"""
v = {name: t.numpy() for name, t in T.items()}           # forward values only
W1, W2, gamma = params["W1"], params["W2"], params["gamma"]

def softmax(logits):
    e = np.exp(logits - logits.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)

by_hand = {}
dlogits = softmax(v["logits"]); dlogits[np.arange(N), Yb] -= 1; dlogits /= N
by_hand["logits"] = dlogits
by_hand["h"] = dlogits @ W2.T
by_hand["W2"] = v["h"].T @ dlogits
by_hand["b2"] = dlogits.sum(0)
by_hand["a"] = (1 - v["h"] ** 2) * by_hand["h"]
by_hand["gamma"] = (v["zhat"] * by_hand["a"]).sum(0)
by_hand["beta"] = by_hand["a"].sum(0)
dzhat = gamma * by_hand["a"]
by_hand["zhat"] = dzhat
s, zhat = v["inv_std"], v["zhat"]
by_hand["z"] = s / N * (N * dzhat - dzhat.sum(0) - zhat * (dzhat * zhat).sum(0))
by_hand["embcat"] = by_hand["z"] @ W1.T
by_hand["W1"] = v["embcat"].T @ by_hand["z"]
by_hand["b1"] = by_hand["z"].sum(0)
by_hand["emb"] = by_hand["embcat"].reshape(v["emb"].shape)
dC = np.zeros_like(params["C"])
np.add.at(dC, Xb, by_hand["emb"])                        # scatter-add: repeated letters sum
by_hand["C"] = dC
"""),
    ("md", r"""
## The comparison table · 对照表

For each tensor: its shape, whether our gradient equals autograd's bit for bit, whether it
agrees to rounding (`np.allclose`), and the largest absolute difference.
"""),
    ("code", r"""
autograd_grads = {**{n: t.grad.numpy() for n, t in T.items() if t.grad is not None},
                  **{n: p.grad.numpy() for n, p in P.items()}}
print(f"{'tensor':<8}{'shape':<14}{'exact':>7}{'close':>7}{'max |diff|':>13}")
differences = {}
for name, mine in by_hand.items():
    theirs = autograd_grads[name]
    differences[name] = np.abs(mine - theirs).max()
    print(f"{name:<8}{str(mine.shape):<14}{str(bool(np.array_equal(mine, theirs))):>7}"
          f"{str(bool(np.allclose(mine, theirs))):>7}{differences[name]:13.2e}")
assert all(np.allclose(by_hand[n], autograd_grads[n]) for n in by_hand)
print(f"\nlargest |b1 gradient| = {np.abs(by_hand['b1']).max():.1e}: the bias before batch norm learns nothing")
"""),
    ("code", r"""
fig, axes = plt.subplots(1, 2, figsize=(13, 3.6), gridspec_kw={"width_ratios": [1.1, 1]})
axes[0].imshow(dlogits, cmap="RdBu", vmin=-1 / N, vmax=1 / N, aspect="auto")
axes[0].scatter(Yb, np.arange(N), s=8, c="k")
axes[0].set_title("dL/dlogits: each row pulls the target (dot) up, the rest down")
axes[0].set_xlabel("next letter"); axes[0].set_ylabel("example")
names = list(differences)
axes[1].bar(names, [max(differences[n], 1e-20) for n in names]); axes[1].set_yscale("log")
axes[1].set_title("max |by hand - autograd| per tensor (float64)"); axes[1].tick_params(axis="x", rotation=60)
plt.tight_layout(); plt.show()
"""),
    ("md", r"""
The differences are at the level of float64 rounding, $10^{-17}$ at most (a bar at
$10^{-20}$ means exactly equal): the two computations do the same arithmetic in a
different order, and from the tanh downwards the order differs. The picture of $\bar\ell$
shows the cross-entropy rule at work: the targets (the dots, dark red) get $(p_y - 1)/N$,
negative, so a gradient-descent step raises their logits; every other entry gets $p_k/N$,
positive and small (pale blue), and is lowered a little.

## Training with our own backward pass

If the gradients are right, we do not need `loss.backward()` any more. Below, 1,000 steps of
SGD on the same network, every gradient computed by the numpy code above (gathered in a
function), and autograd used only for the forward pass (under `no_grad`, so it records
nothing). The loss falls from about $\log 27 \approx 3.3$ to about 2.25 in these few steps (the
lecture, training far longer and with a wider layer, reaches about 2.0). That it falls at all
is the final proof that every rule is right: a single wrong sign or a forgotten sum would
stall it or make it diverge.
"""),
    ("code", r"""
def backward_by_hand(params, v, Xb, Yb):
    n = len(Yb)
    g = {}
    dlogits = softmax(v["logits"]); dlogits[np.arange(n), Yb] -= 1; dlogits /= n
    g["W2"], g["b2"] = v["h"].T @ dlogits, dlogits.sum(0)
    da = (1 - v["h"] ** 2) * (dlogits @ params["W2"].T)
    g["gamma"], g["beta"] = (v["zhat"] * da).sum(0), da.sum(0)
    dzhat = params["gamma"] * da
    dz = v["inv_std"] / n * (n * dzhat - dzhat.sum(0) - v["zhat"] * (dzhat * v["zhat"]).sum(0))
    g["W1"], g["b1"] = v["embcat"].T @ dz, dz.sum(0)
    g["C"] = np.zeros_like(params["C"])
    np.add.at(g["C"], Xb, (dz @ params["W1"].T).reshape(v["emb"].shape))
    return g

losses = []
train_rng = np.random.default_rng(0)
for step in range(1000):
    rows = train_rng.integers(0, len(X), N)
    Xb, Yb = X[rows], Y[rows]
    with ag.no_grad():                                   # no graph: autograd only evaluates
        loss, T = forward({k: ag.tensor(p) for k, p in params.items()})
    grads = backward_by_hand(params, {k: t.numpy() for k, t in T.items()}, Xb, Yb)
    lr = 0.1 if step < 700 else 0.01
    for k in params:
        params[k] -= lr * grads[k]
    losses.append(loss.item())
plt.figure(figsize=(7, 3)); plt.plot(np.convolve(losses, np.ones(25) / 25, mode="valid"))
plt.title("training with the hand-written backward pass (25-step mean)"); plt.xlabel("step"); plt.ylabel("loss")
plt.show()
print(f"mean loss over the first 25 steps {np.mean(losses[:25]):.3f}, over the last 25 {np.mean(losses[-25:]):.3f}")
"""),
    ("md", r"""
## Exercise · 练习: two backward rules

Write, in numpy:

1. `cross_entropy_backward(logits, targets)`: the gradient of the *mean* cross-entropy with
   respect to `logits` (shape (N, C)), for integer `targets` (shape (N,)).
2. `batchnorm_backward(dzhat, zhat, inv_std)`: given $\bar{\hat z}$ (shape (N, D)), $\hat z$ and
   $s = (\sigma^2+\epsilon)^{-1/2}$ (shape (1, D) or (D,)), return $\bar z$, the gradient with
   respect to batch norm's input.

The checks build random problems, differentiate them with autograd, and compare. Try
first without looking back at the cells above. Reference: `notebooks/solutions/nb09.py`.
"""),
    ("code", r"""
from course_checks.nb09 import check_batchnorm_backward, check_cross_entropy_backward

def cross_entropy_backward(logits, targets):
    raise NotImplementedError

def batchnorm_backward(dzhat, zhat, inv_std):
    raise NotImplementedError

for check, answer in ((check_cross_entropy_backward, cross_entropy_backward),
                      (check_batchnorm_backward, batchnorm_backward)):
    try:
        check(answer)
    except NotImplementedError:
        print(f"{answer.__name__}: not done yet")
"""),
    ("md", r"""
## Summary · 小结

* Linear: $\bar x = \bar y W^\top$, $\bar W = x^\top \bar y$, bias gradient summed over the batch.
* tanh: $\bar a = (1-h^2)\odot\bar h$. Cross-entropy: $(\operatorname{softmax} - \operatorname{onehot})/N$.
* Batch norm: $\bar z = \frac{s}{N}(N\bar{\hat z} - \sum\bar{\hat z} - \hat z\sum\bar{\hat z}\hat z)$, and a bias before it gets no gradient.
* Embedding: a scatter-add into the rows that were looked up.
* Shapes decide most of it; sums appear wherever the forward pass broadcast or reused a tensor.
"""),
]

NOTEBOOKS = {"09_backprop_by_hand": NB09}
