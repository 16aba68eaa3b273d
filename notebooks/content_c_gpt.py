"""Cells of notebook 16 (attention and a tiny GPT: a character-level
transformer, after Andrej Karpathy's nanoGPT and "Let's build GPT"), with the
attention maths derived, attention maps drawn and an attention exercise."""

NB16 = [
    ("md", r"""
# 16 · Attention and a tiny GPT · 注意力机制与一个小小的 GPT

The model behind ChatGPT, at a size a laptop trains in seconds: a **character-level
transformer** that reads a text and learns to continue it, after Andrej Karpathy's
*nanoGPT* and his lecture "Let's build GPT". Its pieces:

* **embeddings** of each character and of each position;
* **causal self-attention**: every position looks back at the earlier ones and takes a
  weighted mix of what it finds there (4 heads, each with its own weights);
* **layer norm** and a small **MLP** with GELU, around **residual** connections;
* **AdamW**, Adam with decoupled weight decay (notebooks 06 and 11).

Every piece but one has appeared in this course already: embeddings and next-character
prediction (notebook 14), residual connections and pre-normalisation (notebook 13),
the MLP, GELU and the optimizer. The new piece is **attention** (注意力机制), and the
first half of this notebook derives it.

The text is eight of Shakespeare's sonnets (public domain, shipped with glassgrad:
`nn.data.load_sonnets()`). The model is written once, against a PyTorch-shaped
namespace: with `import glassgrad` it trains on glassgrad, and when PyTorch is installed a
cell below runs *the same code* on PyTorch from the same initial weights and checks that
the two give the same losses.
"""),
    ("code", r"""
import math
import numpy as np
import matplotlib.pyplot as plt
import glassgrad as gg                      # one torch-shaped namespace: gg.nn, gg.optim, gg.tril, ...
from nn.data import load_sonnets

text = load_sonnets()
chars = sorted(set(text))
vocab_size = len(chars)
stoi = {c: i for i, c in enumerate(chars)}
def decode(ids):
    return "".join(chars[i] for i in ids)


data = np.array([stoi[c] for c in text])
n = int(0.9 * len(data))
train_data, val_data = data[:n], data[n:]     # the last sonnet's end is held out
print(f"{len(text)} characters, {vocab_size} distinct: {''.join(chars)!r}")
print(text[:200])
"""),
    ("md", r"""
## 1 · Attention from an average · 从平均到注意力

The models of notebooks 14 and 15 read a fixed window. A transformer lets every position
$t$ gather information from **all** earlier positions $s \le t$, with weights it decides
itself. Start from the simplest way to gather: the plain average of the past,
$y_t = \frac{1}{t} \sum_{s \le t} x_s$. For a whole sequence at once this is one matrix
product with a lower-triangular matrix of weights $A$ whose row $t$ holds $1/t$ in its
first $t$ places: $Y = A X$. The same matrix comes out of a softmax: give every allowed
pair a score of 0 and every future pair a score of $-\infty$, then take the softmax of
each row, and $e^{-\infty} = 0$ leaves exactly the uniform weights over the past.

**Attention makes the scores depend on the data.** Each position emits three vectors
by three linear maps of its input: a **query** $q_t$ (查询, what am I looking for), a
**key** $k_s$ (键, what do I contain) and a **value** $v_s$ (值, what do I hand over if
chosen). The score of the pair is the dot product $q_t \cdot k_s$, and

$$
\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d}} + M\right) V,
\qquad M_{ts} = \begin{cases} 0 & s \le t \\ -\infty & s > t \end{cases}
$$

(Vaswani et al., 2017), where $d$ is the size of a head and the **causal mask** $M$
(因果掩码) stops a position from reading the future it is trained to predict. The
cell below checks both claims: the masked softmax of zeros is the running average, and
the formula is what `F.scaled_dot_product_attention(..., is_causal=True)` computes.

**Why divide by $\sqrt{d}$?** If the components of $q$ and $k$ are independent with
mean 0 and variance 1, then $q \cdot k = \sum_{i=1}^{d} q_i k_i$ is a sum of $d$ terms of
variance 1: its variance is $d$. With $d = 64$ the scores would spread over $\pm 16$,
and the softmax of such scores is nearly one-hot: it saturates, and its gradient (the
Jacobian $\mathrm{diag}(p) - p p^\top$) nearly vanishes. Dividing by $\sqrt{d}$ brings
the variance back to 1 whatever the head size; the cell measures both.
"""),
    ("code", r"""
T = 5
average = np.tril(np.ones((T, T))) / np.arange(1, T + 1)[:, None]
scores = gg.zeros(T, T).masked_fill(gg.tril(gg.ones(T, T)) == 0, float("-inf"))
print("softmax of masked zeros equals the running average:", np.allclose(gg.softmax(scores, dim=-1).numpy(), average))

g = gg.Generator().manual_seed(0)
q, k, v = (gg.randn(2, T, 16, generator=g) for _ in range(3))
by_formula = gg.softmax((q @ k.transpose(-2, -1)) / math.sqrt(16) + gg.tensor(np.triu(np.full((T, T), -np.inf), 1)),
                        dim=-1) @ v
library = gg.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
print("the formula equals F.scaled_dot_product_attention:", np.allclose(by_formula.numpy(), library.numpy(), atol=1e-6))

for d in (4, 64, 512):
    qd, kd = gg.randn(1000, d, generator=g), gg.randn(1000, d, generator=g)
    raw = (qd * kd).sum(-1)
    print(f"head size {d:3d}: variance of q.k {raw.var().item():7.1f}, of q.k / sqrt(d) {(raw / math.sqrt(d)).var().item():.2f}")
"""),
    ("md", r"""
**Heads, and what surrounds them.** One set of $Q, K, V$ maps is a **head** (注意力头);
a layer runs several heads side by side on slices of the embedding (here 4 heads of
size 16 for an embedding of 64) and concatenates their outputs, so that different heads
can attend to different things: one to the previous character, another to the start of
the word. Attention itself is a *weighted average*: it moves information between
positions but computes little. The **MLP** after it (a `Linear` to 4 × 64, GELU, and back)
computes, position by position. Each of the two sits on a residual branch with a layer
norm before it, exactly notebook 13's pre-norm block:
$x \leftarrow x + \mathrm{Attn}(\mathrm{LN}(x))$, then $x \leftarrow x + \mathrm{MLP}(\mathrm{LN}(x))$.
Attention alone does not know where a position is (a weighted average does not care
about order), so a learned **position embedding** (位置嵌入) is added to each
character's embedding at the input.

## 2 · The model, written once

`build_gpt(torch, ...)` takes the library as an argument: `torch` is glassgrad here, and
PyTorch in the agreement check. Every line is PyTorch's own spelling (`size()`,
`view`, `transpose(1, 2)`, `masked_fill`, `register_buffer`, `split(n_embd, dim=2)`).
"""),
    ("code", r"""
def build_gpt(torch, vocab_size, block_size=32, n_embd=64, n_head=4, n_layer=2):
    nn, F = torch.nn, torch.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(n_embd, 3 * n_embd)   # queries, keys and values of every head, in one product
            self.c_proj = nn.Linear(n_embd, n_embd)
            self.register_buffer("mask", torch.tril(torch.ones(block_size, block_size)))

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(n_embd, dim=2)
            q = q.view(B, T, n_head, C // n_head).transpose(1, 2)   # (B, heads, T, head size)
            k = k.view(B, T, n_head, C // n_head).transpose(1, 2)
            v = v.view(B, T, n_head, C // n_head).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.mask[:T, :T] == 0, float("-inf"))   # a position sees only the past
            att = F.softmax(att, dim=-1)
            self.last_attention = att.detach()            # kept for the attention maps below
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            return self.c_proj(y)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.attn = nn.LayerNorm(n_embd), CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(n_embd)
            self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))        # residual connections: each block adds to x
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.block_size = block_size
            self.wte = nn.Embedding(vocab_size, n_embd)   # token embeddings
            self.wpe = nn.Embedding(block_size, n_embd)   # position embeddings
            self.blocks = nn.ModuleList([Block() for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)
            self.lm_head = nn.Linear(n_embd, vocab_size)

        def forward(self, idx, targets=None):
            B, T = idx.size()
            x = self.wte(idx) + self.wpe(torch.arange(T))
            for block in self.blocks:
                x = block(x)
            logits = self.lm_head(self.ln_f(x))
            loss = None if targets is None else F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))
            return logits, loss

    return GPT()


def get_batch(split_data, rng, batch_size=16, block_size=32):
    ix = rng.integers(0, len(split_data) - block_size - 1, batch_size)
    x = np.stack([split_data[i : i + block_size] for i in ix])
    y = np.stack([split_data[i + 1 : i + block_size + 1] for i in ix])   # each position's next character
    return x, y

gg.manual_seed(1337)
model = build_gpt(gg, vocab_size)
print(f"{sum(p.numel() for p in model.parameters())} parameters")
print(model.blocks[0])
"""),
    ("md", r"""
## 3 · The same code on PyTorch: the same losses

With PyTorch installed, this cell builds the model a second time with `torch`, copies
glassgrad's initial weights into it (`state_dict` names are PyTorch's), and trains both for
20 steps on the same batches with AdamW. The losses agree to float32 precision: the
same maths, step after step. Without PyTorch the cell says so and the rest of the
notebook runs on glassgrad alone.
"""),
    ("code", r"""
try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed (pip install torch): the agreement check is skipped")

if torch is not None:
    torch.set_num_threads(1)
    gg.manual_seed(0)
    ours = build_gpt(gg, vocab_size)
    theirs = build_gpt(torch, vocab_size)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    opt_ours = gg.optim.AdamW(ours.parameters(), lr=3e-3)
    opt_theirs = torch.optim.AdamW(theirs.parameters(), lr=3e-3)
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(20):
        x, y = get_batch(train_data, rng)
        _, a = ours(gg.tensor(x), gg.tensor(y))
        opt_ours.zero_grad(); a.backward(); opt_ours.step()
        _, b = theirs(torch.tensor(x), torch.tensor(y))
        opt_theirs.zero_grad(); b.backward(); opt_theirs.step()
        losses.append((a.item(), b.item()))
    losses = np.array(losses)
    for step in (0, 1, 2, 9, 19):
        print(f"step {step:2d}: glassgrad {losses[step, 0]:.6f}   PyTorch {losses[step, 1]:.6f}")
    worst = np.max(np.abs(losses[:, 0] - losses[:, 1]) / losses[:, 1])
    print(f"largest relative difference over 20 steps: {worst:.1e}")
    assert np.allclose(losses[:, 0], losses[:, 1], rtol=1e-5, atol=0), losses
"""),
    ("md", r"""
## 4 · Training

AdamW, batches of 16 windows of 32 characters. Each window trains 32 predictions at
once: position $t$ predicts character $t + 1$ from characters $1 \dots t$, and the causal
mask is what makes these 32 problems honest. The loss starts near $\log 57 \approx
4.04$ (a uniform guess over the 57 characters) and falls as the model learns spelling,
words and the sonnets' line structure. With only 5,000 characters the model soon
memorises: after a few hundred steps the training loss keeps falling while the loss on
the held-out end turns and rises, the over-fitting curve of notebook 11. A model of
110,000 parameters can store much of a 4,500-character training text; early stopping
at the held-out minimum, dropout or more data are the cures.
"""),
    ("code", r"""
gg.manual_seed(1337)
model = build_gpt(gg, vocab_size)
optimizer = gg.optim.AdamW(model.parameters(), lr=3e-3)
rng = np.random.default_rng(1)

@gg.no_grad()
def estimate(split_data, batches=10):
    model.eval()
    losses = [model(*map(gg.tensor, get_batch(split_data, rng)))[1].item() for _ in range(batches)]
    model.train()
    return float(np.mean(losses))

history = []
for step in range(601):
    if step % 100 == 0:
        history.append((step, estimate(train_data), estimate(val_data)))
        print(f"step {step:4d}: train {history[-1][1]:.3f}  held out {history[-1][2]:.3f}")
    x, y = get_batch(train_data, rng)
    _, loss = model(gg.tensor(x), gg.tensor(y))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

steps, train_losses, val_losses = zip(*history)
plt.plot(steps, train_losses, "o-", label="train"); plt.plot(steps, val_losses, "o-", label="held out")
plt.xlabel("step"); plt.ylabel("loss"); plt.legend(); plt.show()
"""),
    ("md", "## 5 · Writing a sonnet\n\nStart from a newline and sample one character at a time from the model's softmax, with a seeded `Generator`; the context is the last 32 characters."),
    ("code", r"""
@gg.no_grad()
def generate(idx, max_new_tokens, generator):
    model.eval()
    for _ in range(max_new_tokens):
        logits, _ = model(idx[:, -model.block_size :])
        probs = gg.nn.functional.softmax(logits[:, -1, :], dim=-1)
        idx = gg.cat([idx, gg.multinomial(probs, num_samples=1, generator=generator)], dim=1)
    return idx

g = gg.Generator().manual_seed(42)
start = gg.tensor([[stoi["\n"]]])
print(decode(generate(start, 400, g)[0].tolist()))
"""),
    ("md", r"""
## 6 · Attention maps · 注意力图

Each attention layer kept its last weights (`last_attention`, shape (batch, heads, T, T)).
Run the trained model on a line of the sonnets and draw every head of both layers:
row $t$ of a map is the distribution position $t$ uses to mix the values of positions
$1 \dots t$ (the upper triangle is the mask's zeros). Look for heads that put their
weight on the diagonal or just left of it (the current or previous character, a bigram
head), heads that look back to the last space (where the current word began), and heads
that spread their weight evenly (an average of the context).
"""),
    ("code", r"""
line = text[text.index("Shall I compare"):][:model.block_size]
model.eval()
with gg.no_grad():
    model(gg.tensor([[stoi[c] for c in line]]))
fig, axes = plt.subplots(2, 4, figsize=(16, 9.5))
for layer, block in enumerate(model.blocks):
    weights = block.attn.last_attention[0].numpy()            # (heads, T, T)
    for head in range(4):
        ax = axes[layer, head]
        ax.imshow(weights[head], cmap="viridis", vmin=0, vmax=1)
        ax.set_title(f"layer {layer + 1}, head {head + 1}")
        ax.set_xticks(range(len(line))); ax.set_xticklabels(list(line), fontsize=7, family="monospace")
        ax.set_yticks(range(len(line))); ax.set_yticklabels(list(line), fontsize=7, family="monospace")
plt.suptitle(f"attention weights on {line!r}: row = the position reading, column = the position read")
plt.tight_layout(rect=(0, 0, 1, 0.96), h_pad=2.5); plt.show()
"""),
    ("md", r"""
These maps come from a model trained for 600 steps on 5,000 characters, so expect
rough versions of the patterns large models show. In this run one head of the first
layer puts nearly all its weight on the diagonal (each position reads itself: a head
that passes the current character on), and the other first-layer heads spread their
weight over the last few characters, with a bright band at or just left of the
diagonal. The second layer's heads are sparser and jump further back: vertical stripes
appear where several positions read the same earlier character, often the first letter
or the space at the start of the current word. The first row of every map is a single
bright square, because position 1 can only read itself.
"""),
    ("md", r"""
## 7 · One attention head, explored

Attention is a few tensor operations. Here is one head on three positions with a head size
of 2: the scores `q @ k^T`, the causal mask, the softmax and the weighted mix of the
values. The explorer below steps through its forward pass and then its backward pass
(the ▶ button or the arrow keys); point at a node to see its value, its gradient once the
backward pass has reached it, and a heatmap of both.
"""),
    ("code", r"""
from autograd.viz import explore

g = gg.Generator().manual_seed(0)
q = gg.randn(3, 2, generator=g, requires_grad=True); q.name = "q"
k = gg.randn(3, 2, generator=g, requires_grad=True); k.name = "k"
v = gg.randn(3, 2, generator=g, requires_grad=True); v.name = "v"
scores = (q @ k.t()) * (1 / math.sqrt(2))
weights = gg.nn.functional.softmax(scores.masked_fill(gg.tril(gg.ones(3, 3)) == 0, float("-inf")), dim=-1)
weights.retain_grad(); weights.name = "weights"
out = (weights @ v).sum()
print("attention weights (row i: how much position i takes from each position):")
print(np.round(weights.detach().numpy(), 3))
explore(out)                              # before backward(): every step keeps its numbers
"""),
    ("md", r"""
## Exercise · 练习: causal self-attention by hand

Write `causal_attention(q, k, v)` for tensors of shape (B, heads, T, d): the scores
$q k^\top / \sqrt{d}$, the causal mask (later positions get $-\infty$), a softmax over the
last dimension, and the weighted sum of the values. Use tensor operations only
(`@`, `.transpose(-2, -1)`, `masked_fill`, `gg.tril`, `gg.softmax` or `.softmax(-1)`),
not `scaled_dot_product_attention`.

The check first changes the values of the *last* position and checks that no earlier
output moves (the mask works), then compares your output and the gradients of `q`, `k`
and `v` with an independent numpy computation in float64 (and the output with PyTorch's
`scaled_dot_product_attention` when PyTorch is installed). The
solution is in `notebooks/solutions/nb16.py`.
"""),
    ("code", r"""
from course_checks.nb16 import check_causal_attention

def causal_attention(q, k, v):
    # your code: scores, mask, softmax, weighted sum of v
    raise NotImplementedError

try:
    check_causal_attention(causal_attention)
except NotImplementedError:
    print("not done yet: write causal_attention, then run this cell again")
"""),
    ("md", r"""
## What to remember · 小结

* Attention is a data-dependent weighted average: $\mathrm{softmax}(QK^\top/\sqrt{d} + M)\,V$,
  the plain average of the past when all scores are equal.
* The $\sqrt{d}$ keeps the scores' variance at 1, so the softmax neither saturates nor
  loses its gradient as heads grow.
* The causal mask lets one window train a prediction at every position honestly.
* A transformer block is notebook 13's pre-norm residual block twice: attention to move
  information between positions, an MLP to compute at each one.
"""),
]

NOTEBOOKS = {"16_tiny_gpt": NB16}
