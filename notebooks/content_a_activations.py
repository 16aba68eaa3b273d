"""Cells of notebook 03: activation functions (old notebook 02, deepened:
derivations, saturation through depth, a PyTorch comparison, an exercise)."""

NB03 = [
    ("md", r"""
# 03 · Activation functions · 激活函数

An activation function is the $\varphi$ in a neuron's $\varphi(w\cdot x + b)$. The seed note gives
it two jobs (激活函数的作用):

* to **introduce non-linearity** into the network (增加网络的非线性能力): without it, any stack of
  layers is one linear map, and a linear map can only draw straight boundaries;
* to **decide whether a neuron contributes** to the next layer (决定一个神经元是否可以对下层网络产生影响):
  a unit whose activation is near 0 passes almost nothing on.

For training, the function's **derivative** matters as much as its shape: back propagation
multiplies every gradient that passes through a unit by $\varphi'$ at that unit's input. A
derivative near 0 stops learning there; a product of many small derivatives stops it for every
layer below. So we plot each function *with* its derivative, and take the derivative from the
engine, not from the formula: when the engine's curve and the textbook formula agree, both are
right.
"""),
    ("code", r"""
import math
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn import functional as F
from course_checks.nb03 import check_elu

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
A trick used all through this notebook: for an elementwise function, $\frac{\partial}{\partial x_i}
\sum_j y_j = \frac{d y_i}{d x_i}$, because $y_j$ depends on $x_j$ only. So one `backward()` of
`y.sum()` gives the derivative at all 401 points at once.

## Sigmoid and tanh · S型函数与双曲正切

The **sigmoid** squashes any number into $(0, 1)$:
$\sigma(x) = \frac{1}{1 + e^{-x}}$. Its derivative follows from the quotient rule:

$$\sigma'(x) = \frac{e^{-x}}{(1 + e^{-x})^2} = \frac{1}{1 + e^{-x}} \cdot \frac{e^{-x}}{1 + e^{-x}} = \sigma(x)\,\big(1 - \sigma(x)\big).$$

It peaks at $x = 0$ with $\sigma'(0) = \frac12\cdot\frac12 = \frac14$. **tanh** squashes into
$(-1, 1)$, is centred at 0, and has $\tanh'(x) = 1 - \tanh^2(x)$, peaking at 1. Both flatten for
large $|x|$: there the unit is **saturated (饱和)**, its output barely changes, and its derivative is
nearly 0, so almost no gradient passes through it.
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

$$2\,\sigma(2x) - 1 = \frac{2}{1 + e^{-2x}} - 1 = \frac{1 - e^{-2x}}{1 + e^{-2x}} = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = \tanh x .$$

(Multiply the numerator and the denominator by $e^{x}$ for the last step.) Differentiating both
sides also gives $\tanh'(x) = 4\sigma'(2x)$, so $\tanh'(0) = 4 \cdot \frac14 = 1$. Check it
numerically, and check that the engine's derivatives of both sides agree too.
"""),
    ("code", r"""
lhs, dlhs = value_and_slope(lambda x: 2 * (2 * x).sigmoid() - 1)
rhs, drhs = value_and_slope(lambda x: x.tanh())
print("largest difference in value:     ", np.abs(lhs - rhs).max())
print("largest difference in derivative:", np.abs(dlhs - drhs).max())
assert np.allclose(lhs, rhs, atol=1e-12) and np.allclose(dlhs, drhs, atol=1e-12)
"""),
    ("md", r"""
## Saturation through depth · 梯度消失

Back propagation through $L$ layers multiplies $L$ derivatives of the activation (and $L$ weight
matrices). With sigmoid every factor is at most $\frac14$, so even in the best case the gradient
reaching the first layer is $4^{-L}$ of the gradient at the top: $10^{-6}$ after ten layers. This is
the **vanishing gradient problem (梯度消失)**. tanh's factors reach 1 near 0, and ReLU's are exactly 1
for every active unit, which is one reason ReLU made deep networks trainable.

Below, a 12-layer stack of width 64 (weights drawn with variance $1/\text{fan-in}$, a common
default), one backward pass, and the mean $|\partial L/\partial h_\ell|$ at each layer's output $h_\ell$:
"""),
    ("code", r"""
def gradient_per_layer(activation, depth=12, width=64, seed=0):
    rng = np.random.default_rng(seed)
    h = ag.Tensor(rng.standard_normal((32, width)), requires_grad=True)   # so the graph is recorded
    outputs = []
    for _ in range(depth):
        W = ag.Tensor(rng.standard_normal((width, width)) / math.sqrt(width))
        h = activation(h @ W)
        h.retain_grad()                              # keep this intermediate's gradient
        outputs.append(h)
    h.sum().backward()
    return [o.grad.abs().mean().item() for o in outputs]

plt.figure(figsize=(6.5, 3.4))
for name, act in (("sigmoid", F.sigmoid), ("tanh", F.tanh), ("ReLU", F.relu)):
    plt.plot(range(1, 13), gradient_per_layer(act), "o-", label=name)
plt.yscale("log"); plt.xlabel("layer (1 = nearest the input)"); plt.ylabel("mean |dL/dh|")
plt.title("the gradient reaching each layer"); plt.legend(); plt.show()
"""),
    ("md", r"""
Read the plot from right to left, the way the gradient travels: with sigmoid it shrinks by a
roughly constant factor per layer and the first layer gets seven orders of magnitude less than the
last; with tanh and ReLU it falls far more slowly. (ReLU's gentle decline is the signal's variance
halving at every layer, because ReLU zeroes half its inputs; Kaiming initialisation doubles the
weights' variance to undo exactly that.) How the *initial weights* interact with this
(Kaiming initialisation, activation histograms, dead units) is the subject of notebook 07.

## ReLU and Leaky ReLU · 修正线性单元

$\mathrm{ReLU}(x) = \max(0, x)$ is cheap and does not saturate for $x > 0$; its derivative is 1
there and 0 for $x < 0$ (at exactly 0 it is not differentiable; the engine, like PyTorch, uses 0).
But where the input is negative its gradient is exactly 0, so the weights feeding that neuron stop
updating (取值为0时梯度不更新): if a unit's input is negative for *every* example, the unit never
recovers. That is the **dying ReLU** problem. **Leaky ReLU** keeps a small slope $\alpha$ (0.01 by
default) for negative inputs, $\max(\alpha x, x)$, so some gradient always flows.
"""),
    ("code", r"""
plot({"ReLU": F.relu, "LeakyReLU(0.01)": F.leaky_relu, "LeakyReLU(0.2)": lambda x: F.leaky_relu(x, 0.2)})
_, dy = value_and_slope(F.leaky_relu)
assert set(np.unique(dy)) == {0.01, 1.0}
"""),
    ("md", r"""
### Dying ReLU, shown in training

Start a one-hidden-layer network with a strongly negative bias (−2), so every hidden unit starts
"off" on every training point. We count the dead units (pre-activation ≤ 0 on every point: zero
output, and for ReLU zero gradient) before and after training, for ReLU and for LeakyReLU.
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
With ReLU nothing learns at all: every hidden unit is dead, no gradient reaches the first layer,
and the loss stays at $\ln 2 \approx 0.693$ (a coin flip). With LeakyReLU the same units still pass
$0.01\times$ their input and its gradient, so the first layer keeps learning: a few units come back to
life, and the loss falls well below $\ln 2$. Slowly, because a slope of 0.01 passes only a hundredth
of the gradient; a larger slope (0.1, 0.2) or a better initialisation recovers faster.

## Smooth relatives: ELU, GELU, SiLU, softplus, SwiGLU

Newer activations are smooth versions of ReLU that let a little negative signal through and have a
non-zero gradient almost everywhere:

* **ELU**: $x$ for $x > 0$, $\alpha(e^x - 1)$ otherwise; it tends to $-\alpha$ on the left, which
  pushes mean activations towards 0 (you implement it in the exercise);
* **GELU**: $x\,\Phi(x)$, the input weighted by the probability that a standard normal is below it;
  by the product rule $\mathrm{GELU}'(x) = \Phi(x) + x\,\varphi(x)$ with $\varphi$ the normal density.
  Used in BERT and GPT;
* **SiLU** (swish): $x\,\sigma(x)$, with derivative $\sigma(x)\big(1 + x(1 - \sigma(x))\big)$;
* **softplus**: $\log(1 + e^x)$, a smooth ReLU whose derivative is exactly the sigmoid.

These are what the seed note means by neurons that are "not binary but probabilities"
(实际上GeLUs、SwiGLU等新神经元已经能够实现): GELU gates its input softly, by a probability, rather
than by a hard on/off.
"""),
    ("code", r"""
plot({"GELU": F.gelu, "GELU (tanh approx.)": lambda x: F.gelu(x, "tanh"), "SiLU": F.silu, "softplus": F.softplus})
# each derivative in the text, against the engine's slope
phi = np.exp(-xs ** 2 / 2) / math.sqrt(2 * math.pi)
Phi = 0.5 * (1 + np.vectorize(math.erf)(xs / math.sqrt(2)))
sig = 1 / (1 + np.exp(-xs))
assert np.allclose(value_and_slope(F.gelu)[1], Phi + xs * phi, atol=1e-12)
assert np.allclose(value_and_slope(F.silu)[1], sig * (1 + xs * (1 - sig)), atol=1e-12)
assert np.allclose(value_and_slope(F.softplus)[1], sig, atol=1e-12)
print("GELU, SiLU and softplus derivatives match their formulas")
"""),
    ("md", r"""
**SwiGLU**, used in modern transformers (LLaMA, PaLM), is a *gated* layer rather than a function of
one number: $\mathrm{SiLU}(xW) \odot (xV)$, one linear branch deciding, unit by unit, how much of the
other passes.
"""),
    ("code", r"""
ag.manual_seed(1)
block = nn.SwiGLU(in_features=4, hidden_features=8)
print(block, "-> parameters:", [tuple(p.shape) for p in block.parameters()])
x = ag.randn(3, 4)
print("output shape:", block(x).shape)
"""),
    ("md", r"""
## Checked against PyTorch

Every activation above, in float64, against `torch.nn.functional`: values and gradients at the same
401 points. This runs when PyTorch is installed and says so when it is not.
"""),
    ("code", r"""
try:
    import torch
except ImportError:
    torch = None
if torch is None:
    print("PyTorch is not installed: the comparison is skipped (pip install torch to run it)")
else:
    TF = torch.nn.functional
    pairs = {
        "sigmoid": (F.sigmoid, torch.sigmoid), "tanh": (F.tanh, torch.tanh), "relu": (F.relu, torch.relu),
        "leaky_relu": (F.leaky_relu, TF.leaky_relu), "elu": (F.elu, TF.elu), "gelu": (F.gelu, TF.gelu),
        "gelu tanh": (lambda t: F.gelu(t, "tanh"), lambda t: TF.gelu(t, approximate="tanh")),
        "silu": (F.silu, TF.silu), "softplus": (F.softplus, TF.softplus),
    }
    for name, (ours, theirs) in pairs.items():
        y_ours, dy_ours = value_and_slope(ours)
        xt = torch.tensor(xs, requires_grad=True)
        yt = theirs(xt); yt.sum().backward()
        dv = np.abs(y_ours - yt.detach().numpy()).max()
        dg = np.abs(dy_ours - xt.grad.numpy()).max()
        print(f"{name:10s}: largest difference in value {dv:.1e}, in derivative {dg:.1e}")
        assert dv < 1e-12 and dg < 1e-12
"""),
    ("md", r"""
## Why non-linearity matters · 非线性

Without activations, a stack of linear layers is still one linear map:
$W_2(W_1x + b_1) + b_2 = (W_2W_1)x + (W_2b_1 + b_2)$. We build two linear layers, collapse them into
one, and get identical outputs; then the same stack with a tanh in between can no longer be
collapsed.
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
So a purely linear network can only draw straight decision boundaries: on the moons data it
cannot beat a straight line, while one hidden tanh layer bends the boundary around the moons.
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
## Softmax, and why "exactly one neuron on" is hard to fit · Softmax

The seed note's teacher names a weakness of activations in classification (激活函数的缺点): we want
exactly one output neuron to fire and all others to be 0 (最好的情况是只需要激活一个神经元，其他都为0),
but we end up with several activated, and the ideal is hard to fit, because neurons are not
independent (神经元不相互独立). A hard one-hot output is a step function with zero gradient almost
everywhere, so gradient descent gets no signal from it. It is better if the outputs are
*probabilities* rather than binary (最好的是神经元不是二元的，而是概率): **softmax** turns scores into a
distribution,

$$\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}},$$

which is smooth, sums to 1, and whose gradient never vanishes completely. Its Jacobian is
$\partial\,\mathrm{softmax}_i / \partial z_j = s_i(\delta_{ij} - s_j)$, and combined with
$-\log s_{\text{target}}$ it gives the famous gradient $s - \mathrm{onehot}$ (derived in notebook 04).
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
    ("md", r"""
Sharper outputs come at the price of smaller gradients: saturation again, now in softmax. This is
why classifiers are trained on softmax probabilities with cross-entropy (next notebook) rather than
on hard one-hot outputs.

## Exercise · 练习: ELU by hand

1. Write `my_elu(x, alpha)` with Tensor operations so that the engine can differentiate it:
   $x$ where $x > 0$, $\alpha(e^x - 1)$ elsewhere. `ag.where(condition, a, b)` picks elementwise.
2. Derive ELU's derivative on paper and write it, in numpy, as `elu_slope(x, alpha)`. (Hint: for
   $x \le 0$ the derivative can be written with the output itself, as for sigmoid and tanh.)

`check_elu(my_elu, elu_slope)` compares your function's values and gradients with `F.elu` and your
slope with the engine's, at points on both sides of 0 and for two values of $\alpha$. The reference
solution is in `notebooks/solutions/nb03.py`.
"""),
    ("code", r"""
def my_elu(x, alpha=1.0):
    raise NotImplementedError("exercise: x where x > 0, alpha * (e**x - 1) elsewhere, with Tensor operations")

def elu_slope(x, alpha=1.0):
    raise NotImplementedError("exercise: the derivative of ELU, as a numpy array")
"""),
    ("code", r"""
try:
    check_elu(my_elu, elu_slope)
except NotImplementedError as exc:
    print("not done yet:", exc)
"""),
    ("md", r"""
## Which activation to pick

| where | activation | why |
|---|---|---|
| hidden layers, default | ReLU | cheap, no saturation for $x > 0$ |
| hidden layers, units dying | LeakyReLU, ELU | a gradient for $x < 0$ too |
| transformers | GELU, SwiGLU | smooth, gated, train well at depth |
| small recurrent or scalar nets | tanh | zero-centred, bounded |
| an output that is a probability | sigmoid (two classes), softmax (several) | with the matching loss, notebook 04 |
"""),
]

NOTEBOOKS = {"03_activation_functions": NB03}
