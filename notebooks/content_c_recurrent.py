"""Cells of notebook 12 (recurrent nets: an RNN and an LSTM by hand and with
``nn``, back-propagation through time, vanishing gradients drawn)."""

NB12 = [
    ("md", r"""
# 12 · Recurrent nets · 循环神经网络 (RNN, LSTM)

Every network so far read an input of a fixed size: two numbers, an image of 8 × 8
pixels, three characters of context. Text, speech, prices and sensor readings are
**sequences** (序列) whose length changes from one example to the next. A **recurrent
neural network** (循环神经网络, RNN) reads such a sequence one step at a time and
carries a **hidden state** (隐状态) $h_t$ from step to step: a vector that summarises
everything it has read so far. At every step it applies *the same* weights, so a model
trained on names of five letters can read a name of fifteen.

This notebook builds an RNN cell and an LSTM cell by hand out of tensor operations,
checks both against glassgrad's `nn.RNN` and `nn.LSTMCell` (whose parameter names,
shapes and gate order are PyTorch's), derives **back-propagation through time**
(时间反向传播, BPTT) and checks the derivation against autograd, then *draws* the
problem that made LSTMs necessary: gradients that vanish (梯度消失) or explode
(梯度爆炸) as they travel back through many steps. It ends with both kinds of network
learning to invent names, one character at a time.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn import functional as F
from autograd.viz import draw_graph

ag.manual_seed(0)
"""),
    ("md", r"""
## 1 · The recurrence · 循环

An Elman RNN (after Jeffrey Elman, 1990) computes, for inputs $x_1, \dots, x_T$ and a
starting state $h_0 = 0$,

$$
h_t = \tanh\left(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}\right),
\qquad t = 1, \dots, T .
$$

$W_{ih}$ (hidden × input) reads the new input, $W_{hh}$ (hidden × hidden) mixes in the
previous state, and $\tanh$ keeps every component in $(-1, 1)$. These are exactly
PyTorch's names (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`); the two
biases are redundant (only their sum matters) but PyTorch keeps both, so glassgrad does
too and a state dict moves between the two libraries unchanged. The output at step $t$
is usually a linear read-out of $h_t$, for example the logits of the next character.

"Unrolling" the loop over time turns the RNN into an ordinary, very deep feed-forward
graph in which every layer shares the same weights. Below we write the loop ourselves
and compare it with `nn.RNN`, using the layer's own parameters.
"""),
    ("code", r"""
T, N, D, H = 6, 2, 3, 5                       # steps, batch, input size, hidden size
rnn = nn.RNN(D, H)                           # input (T, N, D): time first, PyTorch's default
x = ag.randn(T, N, D)

def rnn_by_hand(x, W_ih, W_hh, b_ih, b_hh):
    h = ag.zeros(x.shape[1], W_hh.shape[0])
    states = []
    for t in range(x.shape[0]):
        h = ag.tanh(x[t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
        states.append(h)
    return ag.stack(states)                   # (T, N, H), like nn.RNN's output

ours = rnn_by_hand(x, rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)
theirs, h_last = rnn(x)
print("parameters:", [(name, tuple(p.shape)) for name, p in rnn.named_parameters()])
print("largest difference from nn.RNN:", (ours - theirs).abs().max().item())
assert np.allclose(ours.detach().numpy(), theirs.detach().numpy(), atol=1e-6)   # (glassgrad has no allclose yet)
assert np.allclose(theirs[-1].detach().numpy(), h_last[0].detach().numpy())
"""),
    ("md", r"""
Here is the unrolled graph of three steps of a tiny RNN (one input, two hidden units),
drawn after `backward()`. The same two weight tensors feed every step: follow the arrows
out of `W_hh` and you reach all three `tanh` nodes. That is why, in the backward pass,
the gradient of a shared weight is a **sum over time** of what each step contributes.
"""),
    ("code", r"""
W_ih = ag.randn(2, 1, requires_grad=True); W_ih.name = "W_ih"
W_hh = ag.randn(2, 2, requires_grad=True); W_hh.name = "W_hh"
h = ag.zeros(1, 2)
for t, value in enumerate([0.5, -1.0, 2.0]):
    h = ag.tanh(ag.tensor([[value]]) @ W_ih.T + h @ W_hh.T)
loss = h.sum()
loss.backward()
draw_graph(loss)
"""),
    ("md", r"""
## 2 · Back-propagation through time · 时间反向传播

Write $a_t = x_t W_{ih}^\top + h_{t-1} W_{hh}^\top + b$ for the pre-activation and let the
loss $L$ depend on every state, $L = \sum_t \ell_t(h_t)$. The state $h_t$ influences $L$
in two ways: directly through $\ell_t$, and through the next state $h_{t+1}$. The chain
rule adds the two:

$$
\frac{\partial L}{\partial h_t}
= \frac{\partial \ell_t}{\partial h_t}
+ \frac{\partial L}{\partial h_{t+1}} \frac{\partial h_{t+1}}{\partial h_t},
\qquad
\frac{\partial h_{t+1}}{\partial h_t} = \operatorname{diag}\!\left(1 - h_{t+1}^2\right) W_{hh} .
$$

So we sweep **backwards in time**, from $t = T$ down to 1, carrying one vector
$\delta_t = \partial L / \partial h_t$ (row vectors, as in the code). Inside the step,
$\tanh' = 1 - \tanh^2$ gives the gradient of the pre-activation,
$g_t = \delta_t \odot (1 - h_t^2)$, and because $W_{hh}$ is used at every step its
gradient is the sum of every step's outer product:

$$
\frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} g_t^\top h_{t-1},
\qquad
\frac{\partial L}{\partial W_{ih}} = \sum_{t=1}^{T} g_t^\top x_t,
\qquad
\delta_{t-1} \mathrel{+}= g_t W_{hh} .
$$

That is all BPTT is: ordinary back-propagation on the unrolled graph, with the
accumulation `+=` (the same one you wrote for `Value` in notebook 01) doing the sum over
time. The cell below runs this sweep in plain numpy for a loss $L = \sum_t h_t \cdot r_t$
(fixed random read-out vectors $r_t$) and compares it with what autograd finds.
"""),
    ("code", r"""
def bptt_by_hand(x, W_ih, W_hh, b, readout):
    T, N, _ = x.shape
    h = [np.zeros((N, W_hh.shape[0]))]
    for t in range(T):                                       # forward, keeping every state
        h.append(np.tanh(x[t] @ W_ih.T + h[-1] @ W_hh.T + b))
    dW_ih, dW_hh, delta = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros((N, W_hh.shape[0]))
    for t in reversed(range(T)):                             # backward in time
        delta = delta + readout[t]                           # dl_t/dh_t, plus what came from t+1
        g = delta * (1 - h[t + 1] ** 2)                      # through tanh
        dW_hh += g.T @ h[t]
        dW_ih += g.T @ x[t]
        delta = g @ W_hh                                     # on to h_{t-1}
    return dW_ih, dW_hh

rng = np.random.default_rng(0)
xs, readout = rng.normal(size=(8, 3, 4)), rng.normal(size=(8, 3, 6))
W_ih = ag.tensor(rng.normal(size=(6, 4)) * 0.5, requires_grad=True)
W_hh = ag.tensor(rng.normal(size=(6, 6)) * 0.5, requires_grad=True)
b = ag.tensor(rng.normal(size=6) * 0.1)
states = rnn_by_hand(ag.tensor(xs), W_ih, W_hh, b, ag.zeros(6))
(states * ag.tensor(readout)).sum().backward()
dW_ih, dW_hh = bptt_by_hand(xs, W_ih.numpy(), W_hh.numpy(), b.numpy(), readout)
print(f"{'tensor':>6} | {'largest |grad|':>14} | {'largest difference':>18}")
for name, mine, auto in [("W_ih", dW_ih, W_ih.grad), ("W_hh", dW_hh, W_hh.grad)]:
    print(f"{name:>6} | {np.abs(auto.numpy()).max():14.6f} | {np.abs(mine - auto.numpy()).max():18.2e}")
    assert np.allclose(mine, auto.numpy(), atol=1e-10)
"""),
    ("md", r"""
## 3 · Vanishing and exploding gradients · 梯度消失与梯度爆炸

Unroll the recursion for $\delta$ and the gradient that reaches step $t$ from the last
step $T$ is a product of $T - t$ Jacobians:

$$
\frac{\partial h_T}{\partial h_t} = \prod_{k=t+1}^{T} \operatorname{diag}\!\left(1 - h_k^2\right) W_{hh},
\qquad
\left\lVert \frac{\partial h_T}{\partial h_t} \right\rVert
\le \left( \max_k \lVert \operatorname{diag}(1 - h_k^2) \rVert \cdot \sigma_{\max}(W_{hh}) \right)^{T - t} .
$$

$\tanh'$ is at most 1, so when the largest singular value $\sigma_{\max}$ of $W_{hh}$ is
below 1 the bound shrinks **geometrically**: after 20 steps a factor of 0.7 per step is
$0.7^{20} \approx 8 \times 10^{-4}$. The network then cannot learn that something at
step 1 matters at step 40, because no gradient arrives to tell it. When $W_{hh}$ is
large, the product can instead grow geometrically and one update throws the weights far
away (exploding gradients). Bengio, Simard and Frasconi (1994) and Pascanu, Mikolov and
Bengio (2013) analysed exactly this product.

We can *watch* it. The cell below runs 40 steps, keeps every state with
`retain_grad()`, back-propagates from the last state only (the sum of its components),
and plots the norm of $\partial (\sum h_{40}) / \partial h_t$ for every $t$, for RNNs whose $W_{hh}$ has
three different scales, and for an LSTM (section 4).
"""),
    ("code", r"""
T, H = 40, 32
inputs = ag.randn(T, 1, 4)

def gradient_reaching_each_step(cell):
    states, state = [], None
    for t in range(T):
        state = cell(inputs[t], state)
        h = state[0] if isinstance(state, tuple) else state
        h.retain_grad()                        # keep d(loss)/d(h_t) for the plot
        states.append(h)
    states[-1].sum().backward()
    return [h.grad.norm().item() for h in states]

curves = {}
for scale in (0.5, 1.0, 2.0):
    ag.manual_seed(1)
    cell = nn.RNNCell(4, H)
    with ag.no_grad():
        cell.weight_hh.copy_(ag.randn(H, H) * scale / H ** 0.5)   # spectral radius about `scale`
    curves[f"RNN, W_hh scale {scale}"] = gradient_reaching_each_step(cell)
ag.manual_seed(1)
lstm_cell = nn.LSTMCell(4, H)
with ag.no_grad():
    lstm_cell.bias_ih[H:2 * H] = 3.0             # forget gates start open: f = sigmoid(3) = 0.95
curves["LSTM, forget bias 3"] = gradient_reaching_each_step(lstm_cell)

plt.figure(figsize=(8, 4.5))
for label, norms in curves.items():
    plt.semilogy(range(1, T + 1), norms, label=label)
plt.xlabel("step t"); plt.ylabel(r"$\|\partial (\sum h_{40}) / \partial h_t\|$ (log scale)")
plt.title("how much gradient reaches each step from the last one"); plt.legend(); plt.show()
for label, norms in curves.items():
    print(f"{label:>22}: at step 40 {norms[-1]:9.3g}, at step 1 {norms[0]:9.3g}")
"""),
    ("md", r"""
The picture is the whole story of the vanishing gradient. With a small $W_{hh}$ the
gradient at step 1 is many orders of magnitude below the one at step 40: a straight
line on the log scale, the geometric decay of the bound. With a large one it grows as
it goes back (all curves meet at step 40, where the gradient is all ones, of norm
$\sqrt{32}$). (A practical guard against the explosion is to rescale the whole gradient
when its norm is too big, `nn.optim.clip_grad_norm_(model.parameters(), 1.0)` in
glassgrad, `torch.nn.utils.clip_grad_norm_` in PyTorch; against the vanishing no rescaling helps, because the
direction itself has been lost.) The LSTM's curve drops once, in the last step (from
$h_{40}$ into its cell, through the output gate), and then stays flat for 39 steps.

## 4 · The LSTM · 长短期记忆网络

Hochreiter and Schmidhuber's **long short-term memory** (1997) adds a second state, the
**cell** (记忆单元) $c_t$, and three **gates** (门), each a sigmoid in $(0, 1)$ computed
from $x_t$ and $h_{t-1}$. In PyTorch's order (input, forget, cell candidate, output):

$$
\begin{aligned}
\begin{bmatrix} i_t & f_t & g_t & o_t \end{bmatrix}
&= x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}
\quad\text{(split into four chunks of } H\text{)}, \\
c_t &= \sigma(f_t) \odot c_{t-1} + \sigma(i_t) \odot \tanh(g_t), \\
h_t &= \sigma(o_t) \odot \tanh(c_t) .
\end{aligned}
$$

The cell is updated by **addition**, not by a matrix product through a squashing
function. Its direct Jacobian is just the forget gate,

$$
\frac{\partial c_t}{\partial c_{t-1}} = \operatorname{diag}\big(\sigma(f_t)\big)
\quad(\text{plus terms through } h_{t-1}),
$$

so as long as the forget gates stay near 1 the gradient flows back along the cells
almost unchanged: the "constant error carousel" of the original paper. This is why
initialising the forget bias to a positive number (Gers et al. 2000; Jozefowicz et al.
2015) helps, and why our LSTM curve above is flat. The same idea, an additive path
that the gradient can travel unchanged, returns in notebook 13 as the **residual
connection**. The **GRU** (Cho et al. 2014, `nn.GRU`) is a lighter variant with two
gates and no separate cell.

## Exercise · 练习: an LSTM cell by hand

Write `lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh)` returning `(h_new, c_new)` with the
equations above, using only tensor operations (`@`, `.T`, `.chunk(4, dim=-1)` or
slicing, `.sigmoid()`, `.tanh()`, `*`, `+`). Shapes: `x` is (N, D), `h` and `c` are
(N, H), `W_ih` is (4H, D), `W_hh` is (4H, H), the biases (4H,). The check builds an
`nn.LSTMCell`, passes its parameters to your function, and compares your outputs **and
the gradients they produce** with the layer's (and the outputs with `torch.nn.LSTMCell`
holding the same weights, when PyTorch is installed). Run the check cell as it is to see that
it is waiting for you; the solution is in `notebooks/solutions/nb12.py`.
"""),
    ("code", r"""
from course_checks.nb12 import check_lstm_cell

def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    # your code: the four gates, then c_new, then h_new
    raise NotImplementedError

try:
    check_lstm_cell(lstm_cell)
except NotImplementedError:
    print("not done yet: write lstm_cell, then run this cell again")
"""),
    ("md", r"""
## 5 · Learning names, one character at a time

Now a real task. Each name is read one character at a time; at every step the network
predicts the next character, and the loss is the cross-entropy averaged over all steps
of all names in the batch. A name `emma` becomes the input `.emma` and the target
`emma.` (the dot marks both the start and the end). Names have different lengths, so a
batch is padded to its longest name, and the padded targets are set to $-100$, which
`F.cross_entropy` ignores (`ignore_index=-100`, PyTorch's default). An `nn.Embedding`
turns each character into a vector of 16 numbers, the recurrent layer (hidden size 64,
`batch_first=True`) reads the sequence, and an `nn.Linear` gives 27 logits per step.
Both models train for 300 Adam steps on batches of 32 names.
"""),
    ("code", r"""
from nn.data import load_names

words = load_names()
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}; stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
rng = np.random.default_rng(0)

def name_batch(size=32):
    picked = [words[i] for i in rng.integers(0, len(words), size)]
    longest = max(len(w) for w in picked) + 1
    X = np.zeros((size, longest), dtype=np.int64)
    Y = np.full((size, longest), -100, dtype=np.int64)        # -100: ignored by cross_entropy
    for row, w in enumerate(picked):
        ids = [stoi[ch] for ch in w]
        X[row, 1:len(ids) + 1] = ids
        Y[row, :len(ids) + 1] = ids + [0]
    return ag.tensor(X), ag.tensor(Y)

class CharModel(nn.Module):
    def __init__(self, layer):
        super().__init__()
        self.embed = nn.Embedding(27, 16)
        self.rnn = layer(16, 64, batch_first=True)
        self.head = nn.Linear(64, 27)

    def forward(self, X, state=None):
        out, state = self.rnn(self.embed(X), state)
        return self.head(out), state

histories, models = {}, {}
for layer in (nn.RNN, nn.LSTM):
    ag.manual_seed(0)
    model = CharModel(layer)
    optimizer = nn.optim.Adam(model.parameters(), lr=1e-2)
    history = []
    for step in range(300):
        X, Y = name_batch()
        logits, _ = model(X)
        loss = F.cross_entropy(logits.reshape(-1, 27), Y.reshape(-1))
        optimizer.zero_grad(); loss.backward()
        nn.optim.clip_grad_norm_(model.parameters(), 1.0)      # the guard against explosions
        optimizer.step()
        history.append(loss.item())
    histories[layer.__name__], models[layer.__name__] = history, model
    print(f"{layer.__name__:>4}: {sum(p.numel() for p in model.parameters())} parameters, "
          f"loss {np.mean(history[:10]):.3f} -> {np.mean(history[-30:]):.3f}")

for name, history in histories.items():
    plt.plot(np.convolve(history, np.ones(10) / 10, mode="valid"), label=name)
plt.axhline(np.log(27), color="k", ls=":", label="uniform guess, log 27")
plt.xlabel("step"); plt.ylabel("loss (running mean of 10)"); plt.legend(); plt.show()
"""),
    ("md", r"""
Names are short (seven characters on average), so the plain RNN's gradients have only a
few steps to survive and both models learn; the LSTM, with four times the recurrent
weights, gets a little further in the same number of steps. The gap that the picture in
section 3 predicts opens on long sequences, where the plain RNN cannot carry information
across tens of steps. Sampling feeds each drawn character back in and carries the
state, so the model never re-reads the prefix:
"""),
    ("code", r"""
g = ag.Generator().manual_seed(2147483647)
for name, model in models.items():
    samples = []
    for _ in range(8):
        out, ix, state = [], 0, None
        with ag.no_grad():
            while len(out) < 20:
                logits, state = model(ag.tensor([[ix]]), state)
                ix = ag.multinomial(F.softmax(logits[0, -1], dim=-1), 1, generator=g).item()
                if ix == 0:
                    break
                out.append(itos[ix])
        samples.append("".join(out))
    print(f"{name:>4}:", ", ".join(samples))
"""),
    ("md", r"""
## What to remember · 小结

* An RNN applies one cell at every step and carries a hidden state; unrolled, it is a
  deep network whose layers share their weights.
* Back-propagation through time is back-propagation on the unrolled graph; the shared
  weights' gradients are sums over time.
* The gradient reaching an early step is a product of per-step Jacobians, so it
  vanishes or explodes geometrically with the distance. Clipping tames the explosion;
  the vanishing needs a different architecture.
* The LSTM's cell is updated additively through a forget gate, so gradients can travel
  back along it; a positive forget bias keeps that path open from the start.
"""),
]

NOTEBOOKS = {"12_recurrent_nets": NB12}
