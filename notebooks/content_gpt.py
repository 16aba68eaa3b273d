"""Cells of notebook 09 (a tiny GPT: a character-level transformer, after
Andrej Karpathy's nanoGPT and "Let's build GPT")."""

NB09 = [
    ("md", r"""
# 09 · A tiny GPT · 一个小小的 GPT

The model behind ChatGPT, at a size a laptop trains in seconds: a **character-level
transformer** that reads a text and learns to continue it, after Andrej Karpathy's
*nanoGPT* and his lecture "Let's build GPT". Its pieces:

* **embeddings** of each character and of each position;
* **causal self-attention**: every position looks back at the earlier ones and takes a
  weighted mix of what it finds there (4 heads, each with its own weights);
* **layer norm** and a small **MLP** with GELU, around **residual** connections;
* **AdamW**, Adam with decoupled weight decay.

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
## The model, written once

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
## The same code on PyTorch: the same losses

With PyTorch installed, this cell builds the model a second time with `torch`, copies
glassgrad's initial weights into it (`state_dict` names are PyTorch's), and trains both for
20 steps on the same batches with AdamW. The losses agree to float32 precision: the
same maths, step after step.
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
## Training

AdamW, batches of 16 windows of 32 characters. The loss starts near $\log 57 \approx
4.04$ (a uniform guess over the 57 characters) and falls as the model learns spelling,
words and the sonnets' line structure. With only 5,000 characters the model soon
memorises: the training loss keeps falling while the loss on the held-out end stops.
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
for step in range(1201):
    if step % 200 == 0:
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
    ("md", "## Writing a sonnet\n\nStart from a newline and sample one character at a time from the model's softmax, with a seeded `Generator`; the context is the last 32 characters."),
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
## One attention head, explored

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
]

NOTEBOOKS = {"09_tiny_gpt": NB09}
