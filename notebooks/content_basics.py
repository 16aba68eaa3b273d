"""Cells of notebooks 01 (forward and backward) and 02 (activation functions)."""

NB01 = [
    ("md", r"""
# 01 · Forward and back propagation · 前向传播与反向传播

A neural network learns in two passes:

1. **Forward propagation (前向传播)**: the input flows through the network; each hidden
   layer combines its inputs and passes them through an activation function, which adds
   the non-linearity that lets the network fit curved boundaries; the output layer gives
   the result.
2. **Back propagation (反向传播)**: we measure the error and, using the chain rule, compute
   how much each parameter contributed to it. Moving every parameter a little against its
   gradient reduces the error; that is what "learning" means here.

We start with the smallest network there is: one neuron.
"""),
    ("code", r"""
import math
import numpy as np
from autograd import Value
from autograd.viz import draw_graph, backward_steps
"""),
    ("md", r"""
## One neuron, forward

A neuron computes $y = \tanh(w x + b)$.

* The **weight** $w$ says *how important that input is*: a large $|w|$ means the input
  moves the output a lot; $w = 0$ means it is ignored.
* The **bias** $b$ *shifts the activation to the left or right*: $\tanh(wx + b)$ is
  $\tanh(wx)$ moved by $-b/w$ along the $x$ axis.
"""),
    ("code", r"""
x = Value(2.0, label="x")
w = Value(-3.0, label="w")
b = Value(6.88, label="b")
xw = x * w; xw.label = "x*w"
z = xw + b; z.label = "z"
y = z.tanh(); y.label = "y"
print(y)
draw_graph(y)      # before backward: every grad is still 0
"""),
    ("code", r"""
import matplotlib.pyplot as plt

xs = np.linspace(-4, 4, 200)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
for weight in (0.5, 1, 3):
    axes[0].plot(xs, np.tanh(weight * xs), label=f"w = {weight}")
axes[0].set_title("the weight sets how strongly x matters"); axes[0].legend()
for bias in (-2, 0, 2):
    axes[1].plot(xs, np.tanh(xs + bias), label=f"b = {bias}")
axes[1].set_title("the bias shifts the curve left or right"); axes[1].legend()
plt.tight_layout(); plt.show()
"""),
    ("md", r"""
## Back propagation by hand

The chain rule says: the gradient of the output with respect to a node is the gradient
that arrives from above times the node's *local* derivative.

| step | rule | value |
|---|---|---|
| $\partial y/\partial y$ | start | 1 |
| $\partial y/\partial z$ | $1 - \tanh^2 z$ | $1 - y^2$ |
| $\partial y/\partial b$ | $\partial y/\partial z \cdot 1$ | same as above |
| $\partial y/\partial (xw)$ | $\partial y/\partial z \cdot 1$ | same |
| $\partial y/\partial w$ | $\partial y/\partial (xw) \cdot x$ | |
| $\partial y/\partial x$ | $\partial y/\partial (xw) \cdot w$ | |
"""),
    ("code", r"""
dy_dz = 1 - y.data ** 2
by_hand = {"b": dy_dz, "x*w": dy_dz, "w": dy_dz * x.data, "x": dy_dz * w.data}
by_hand
"""),
    ("md", "Now let the engine do the same walk: `backward()` visits the nodes in reverse order and applies exactly these products."),
    ("code", r"""
y.backward(retain_graph=True)
engine = {"b": b.grad, "x*w": xw.grad, "w": w.grad, "x": x.grad}
for name in by_hand:
    print(f"{name:4s} by hand {by_hand[name]: .6f}   engine {engine[name]: .6f}")
    assert math.isclose(by_hand[name], engine[name], rel_tol=1e-12)
draw_graph(y)
"""),
    ("md", r"""
## The backward pass, one step at a time

`backward_steps` replays the backward pass as pictures: the highlighted node is the one
being processed, and the caption shows the chain-rule products it sends to its inputs,
`grad(input) += grad(node) * local derivative`.
"""),
    ("code", r"""
from IPython.display import display

steps = list(backward_steps(y))
print(len(steps), "steps, one per node; shown as a strip, first to last:")
for picture in steps:
    display(picture)
"""),
    ("md", r"""
## Check against finite differences

A derivative is a limit: $\frac{f(w + h) - f(w - h)}{2h}$ for small $h$. If the engine is
right, this numeric slope matches `w.grad`.
"""),
    ("code", r"""
def f(w_value):
    return math.tanh(2.0 * w_value + 6.88)

h = 1e-6
numeric = (f(-3.0 + h) - f(-3.0 - h)) / (2 * h)
print(f"numeric {numeric:.8f}   engine {w.grad:.8f}")
assert abs(numeric - w.grad) < 1e-6
"""),
    ("md", r"""
## One learning step

Back propagation gives the direction; gradient descent takes the step. Say we want the
neuron to output 0.9 for this input. The squared error $(y - 0.9)^2$ tells us how wrong we
are; one step of $w \leftarrow w - \eta\,\partial L/\partial w$ (and the same for $b$)
reduces it.
"""),
    ("code", r"""
w = Value(-3.0, label="w"); b = Value(6.88, label="b")
lr = 0.5
for step in range(5):
    y = (x * w + b).tanh()
    loss = (y - 0.9) ** 2
    w.grad = b.grad = 0.0
    loss.backward()
    print(f"step {step}: y = {y.data:.4f}  loss = {loss.data:.5f}")
    w.data -= lr * w.grad
    b.data -= lr * b.grad
"""),
    ("md", "The loss shrinks at every step: the parameters moved against their gradients. Every network in the later notebooks learns this way, just with more neurons."),
]

NB02 = [
    ("md", r"""
# 02 · Activation functions · 激活函数

Why activation functions (激活函数的作用):

* they **introduce non-linearity** into the network (增加网络的非线性能力);
* they **decide whether a neuron contributes** to the next layer (决定一个神经元是否可以对下层网络产生影响).

We plot each one with its derivative, and get the derivative from the engine rather than
from a formula: if the engine's curve and the textbook formula agree, both are right.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn import functional as F

xs = np.linspace(-5, 5, 401)

def value_and_slope(fn):
    x = ag.Tensor(xs, requires_grad=True)          # float64
    y = fn(x)
    y.sum().backward()                              # d(sum y_i)/dx_i = dy_i/dx_i: elementwise slopes
    return y.numpy(), x.grad.numpy()

def plot(fns):
    fig, axes = plt.subplots(1, len(fns), figsize=(3.3 * len(fns), 3))
    for ax, (name, fn) in zip(np.atleast_1d(axes), fns.items()):
        y, dy = value_and_slope(fn)
        ax.plot(xs, y, label=name); ax.plot(xs, dy, "--", label="derivative")
        ax.axhline(0, color="gray", lw=0.5); ax.set_title(name); ax.legend(fontsize=8)
    plt.tight_layout(); plt.show()
"""),
    ("md", r"""
## Sigmoid and tanh

$\sigma(x) = \frac{1}{1 + e^{-x}}$ squashes to (0, 1), with $\sigma'(x) = \sigma(x)(1 - \sigma(x))$
at most 1/4. $\tanh$ squashes to (−1, 1) and is centred at 0, with $\tanh' = 1 - \tanh^2$.
Both flatten out for large $|x|$: their gradient vanishes there.
"""),
    ("code", r"""
plot({"sigmoid": F.sigmoid, "tanh": F.tanh})
y, dy = value_and_slope(F.sigmoid)
assert np.allclose(dy, y * (1 - y)) and dy.max() <= 0.25
y, dy = value_and_slope(F.tanh)
assert np.allclose(dy, 1 - y ** 2)
"""),
    ("md", r"""
### tanh is a stretched, shifted sigmoid

An interesting fact (有一个很有意思的事情): tanh is the sigmoid stretched by 2 on both axes and moved
down by 1:

$$2\,\sigma(2x) - 1 = \frac{2}{1 + e^{-2x}} - 1 = \frac{1 - e^{-2x}}{1 + e^{-2x}} = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = \tanh x$$

Check it numerically, and check that the engine's derivatives of both sides agree too.
"""),
    ("code", r"""
lhs, dlhs = value_and_slope(lambda x: 2 * (2 * x).sigmoid() - 1)
rhs, drhs = value_and_slope(lambda x: x.tanh())
print("largest difference in value:     ", np.abs(lhs - rhs).max())
print("largest difference in derivative:", np.abs(dlhs - drhs).max())
assert np.allclose(lhs, rhs, atol=1e-12) and np.allclose(dlhs, drhs, atol=1e-12)
"""),
    ("md", r"""
## ReLU and Leaky ReLU

$\mathrm{ReLU}(x) = \max(0, x)$ is cheap and does not saturate for $x > 0$. But where the
input is negative its gradient is exactly 0, so the weights feeding that neuron stop
updating (取值为0时梯度不更新): the *dying ReLU* problem. Leaky ReLU keeps a small slope,
$0.01x$, for negative inputs, so some gradient always flows.
"""),
    ("code", r"""
plot({"ReLU": F.relu, "LeakyReLU(0.01)": F.leaky_relu, "LeakyReLU(0.2)": lambda x: F.leaky_relu(x, 0.2)})
_, dy = value_and_slope(F.leaky_relu)
assert set(np.unique(dy)) == {0.01, 1.0}
"""),
    ("md", r"""
### Dying ReLU, shown in training

Start a one-hidden-layer network with a strongly negative bias (−2), so every hidden unit
starts "off" on every training point. We count the dead units (pre-activation ≤ 0 on every
point: zero output, and for ReLU zero gradient) before and after training, for ReLU and
for LeakyReLU.
"""),
    ("code", r"""
from nn.data import make_moons
X, y = make_moons(300, noise=0.1, random_state=0)
X_t = ag.Tensor(X.astype(np.float32))

def train(activation, steps=300):
    ag.manual_seed(0)
    hidden = nn.Linear(2, 32)
    with ag.no_grad():
        hidden.bias.fill_(-2.0)                      # push every unit into the negative region
    model = nn.Sequential(hidden, activation, nn.Linear(32, 2))
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    dead_before = int(((X_t @ hidden.weight.T + hidden.bias) <= 0).all(dim=0).sum())
    for _ in range(steps):
        loss = F.cross_entropy(model(X_t), y)
        opt.zero_grad(); loss.backward(); opt.step()
    dead_after = int(((X_t @ hidden.weight.T + hidden.bias) <= 0).all(dim=0).sum())
    accuracy = (model(X_t).argmax(1).numpy() == y).mean()
    return dead_before, dead_after, loss.item(), accuracy

for name, act in [("ReLU", nn.ReLU()), ("LeakyReLU", nn.LeakyReLU(0.01))]:
    before, after, loss, acc = train(act)
    print(f"{name:9s}: dead units {before:2d} -> {after:2d} of 32   final loss {loss:.3f}   accuracy {acc:.2f}")
"""),
    ("md", r"""
With ReLU nothing learns at all: every hidden unit is dead, no gradient reaches the first
layer, and the loss stays at $\ln 2 \approx 0.693$ (a coin flip). With LeakyReLU the same
units still pass $0.01\times$ their input and its gradient, so the first layer keeps
learning, some units come back to life, and the network fits the data.

## GELU, SiLU and SwiGLU

Newer activations are smooth. GELU weights its input by the probability that a standard
normal is below it, $x\,\Phi(x)$; SiLU (swish) is $x\,\sigma(x)$. Both let a little negative
signal through and have non-zero gradients almost everywhere. SwiGLU, used in modern
transformers, is a *gated* layer: $\mathrm{SiLU}(xW) \odot (xV)$, one branch deciding how much
of the other passes.
"""),
    ("code", r"""
plot({"GELU": F.gelu, "GELU (tanh approx.)": lambda x: F.gelu(x, "tanh"), "SiLU": F.silu, "softplus": F.softplus})
# GELU's derivative is Phi(x) + x * phi(x); compare the engine's slope with that formula
import math
phi = np.exp(-xs ** 2 / 2) / math.sqrt(2 * math.pi)
Phi = 0.5 * (1 + np.vectorize(math.erf)(xs / math.sqrt(2)))
_, dy = value_and_slope(F.gelu)
assert np.allclose(dy, Phi + xs * phi, atol=1e-12)
"""),
    ("code", r"""
ag.manual_seed(1)
block = nn.SwiGLU(in_features=4, hidden_features=8)
print(block, "-> parameters:", [tuple(p.shape) for p in block.parameters()])
x = ag.randn(3, 4)
print("output shape:", block(x).shape)
"""),
    ("md", r"""
## Why non-linearity matters

Without activations, a stack of linear layers is still one linear map: $W_2(W_1x + b_1) + b_2
= (W_2W_1)x + (W_2b_1 + b_2)$. We build two linear layers, collapse them into one, and get
identical outputs; then the same stack with a tanh in between can no longer be collapsed.
"""),
    ("code", r"""
ag.manual_seed(2)
l1, l2 = nn.Linear(2, 16), nn.Linear(16, 2)
stack = nn.Sequential(l1, l2)
W = l2.weight.numpy() @ l1.weight.numpy()
c = l2.weight.numpy() @ l1.bias.numpy() + l2.bias.numpy()
collapsed = X_t.numpy() @ W.T + c
print("two linear layers == one linear layer:", np.allclose(stack(X_t).detach(), collapsed, atol=1e-5))
with_tanh = nn.Sequential(l1, nn.Tanh(), l2)
print("with tanh in between:                ", np.allclose(with_tanh(X_t).detach(), collapsed, atol=1e-5))
"""),
    ("md", r"""
So a purely linear network can only draw straight decision boundaries: on the moons data
it cannot beat a straight line, while one hidden tanh layer bends the boundary around the
moons.
"""),
    ("code", r"""
def fit(model, steps=500):
    opt = nn.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(steps):
        loss = F.cross_entropy(model(X_t), y)
        opt.zero_grad(); loss.backward(); opt.step()
    return (model(X_t).argmax(1).numpy() == y).mean()

ag.manual_seed(3)
linear_acc = fit(nn.Sequential(nn.Linear(2, 16), nn.Linear(16, 2)))
ag.manual_seed(3)
tanh_acc = fit(nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2)))
print(f"linear stack accuracy {linear_acc:.2f}   with tanh {tanh_acc:.2f}")
"""),
    ("md", r"""
## Softmax, and why "exactly one neuron on" is hard to fit

For classification we would like exactly one output neuron to fire and all others to be 0
(最好的情况是只需要激活一个神经元，其他都为0). But neurons are not independent, and a hard
one-hot output is a step function with zero gradient almost everywhere, so it is hard to
converge. It is better if the outputs are *probabilities* instead of binary (最好的是神经元不是
二元的，而是概率): softmax turns scores into a distribution,

$$\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}},$$

which is smooth, sums to 1, and whose gradient never vanishes completely.
"""),
    ("code", r"""
scores = ag.tensor([2.0, 1.0, 0.1], requires_grad=True)
probs = F.softmax(scores)
print("probabilities:", np.round(probs.numpy(), 3), f" sum = {probs.sum():.4f}")

# the one-hot "argmax" output has no useful gradient ...
onehot = np.eye(3)[scores.argmax().item()]
print("one-hot output:", onehot, "(a step function: its derivative is 0 wherever it exists)")
# ... while the softmax probability of the right class does
target = 2
(-probs[target].log()).backward()
print("d(-log p_target)/d scores =", np.round(scores.grad.numpy(), 3), " = softmax - onehot(target)")
assert np.allclose(scores.grad, probs.numpy() - np.eye(3)[target], atol=1e-6)
"""),
    ("code", r"""
# a large scale makes softmax nearly one-hot -- and its gradients nearly vanish
for scale in (1, 5, 50):
    s = ag.Tensor(np.array([2.0, 1.0, 0.1]) * scale, requires_grad=True)
    p = F.softmax(s)
    p[1].backward()
    print(f"scale {scale:3d}: probs {np.round(p.numpy(), 4)}  |grad| {s.grad.abs().sum():.2e}")
"""),
    ("md", "Sharper outputs come at the price of smaller gradients: this is why classifiers are trained on softmax probabilities with cross-entropy (next notebook) rather than on hard one-hot outputs."),
]

NOTEBOOKS = {"01_forward_and_backward": NB01, "02_activation_functions": NB02}
