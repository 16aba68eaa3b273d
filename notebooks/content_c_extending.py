"""Cells of notebook 17 (your own Module and Function, gradcheck as the referee;
absorbs the old notebook 07 on gradcheck and debugging)."""

NB17 = [
    ("md", r"""
# 17 · Your own Module and Function · 自定义模块与自定义函数

The course ends where a researcher starts: with a layer or an operation the library does
not have. glassgrad, like PyTorch, has two doors for it.

* A **Module** (模块) is a container: it owns parameters and child modules and says how
  to combine them in `forward`. You write only the forward computation; autograd
  derives the backward pass from the operations you used. This is the door for a new
  *layer* built from existing operations.
* A **Function** (自定义函数) is a new *operation*: you write its forward computation
  on arrays **and** its backward rule yourself. This is the door for an operation that
  is faster, more stable or simply unavailable as a composition of others, and it is how
  every built-in op of glassgrad is written (`autograd/primitives/`).

A hand-written backward rule can be wrong in ways no error message reports: the training
runs, the loss falls a little, and the model is worse than it should be. So the second
half of this notebook is about the **referee** (裁判): `gradcheck`, which compares your
rule with the definition of the derivative, and the debugging tools around it
(`detect_anomaly`, hooks, `retain_grad`).
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from autograd.viz import draw_graph
"""),
    ("md", r"""
## 1 · Your own Module: RMSNorm

**RMSNorm** (Zhang and Sennrich, 2019), the normalisation of LLaMA and many recent
transformers, is layer norm without the mean: each example's features are divided by
their root mean square and multiplied by a learned per-feature gain $w$,

$$
\mathrm{RMSNorm}(x)_i = \frac{x_i}{\sqrt{\frac{1}{D}\sum_{j=1}^{D} x_j^2 + \epsilon}}\; w_i .
$$

glassgrad has no `nn.RMSNorm`, so we write one. What `nn.Module` does for us:
assigning an `nn.Parameter` to an attribute **registers** it (assigning a Module
registers a child), so `parameters()`, `named_parameters()`, `state_dict()`,
`zero_grad()`, `train()`/`eval()` and the optimizers find it without further code. We
name the gain `weight`, as PyTorch's `torch.nn.RMSNorm` does, so that a state dict moves
between the two; when PyTorch is installed the cell loads our parameters into PyTorch's
layer and compares outputs and gradients.
"""),
    ("code", r"""
class RMSNorm(nn.Module):
    '''x / sqrt(mean(x**2 over the last dim) + eps) * weight, PyTorch's torch.nn.RMSNorm.'''
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(np.ones(dim, dtype=np.float32))   # registered by assignment

    def forward(self, x):
        rms = ((x * x).mean(dim=-1, keepdim=True) + self.eps).sqrt()
        return x / rms * self.weight

    def extra_repr(self):
        return f"{self.weight.shape[0]}, eps={self.eps}"

norm = RMSNorm(6)
with ag.no_grad():
    norm.weight.copy_(ag.tensor(np.linspace(0.5, 1.5, 6, dtype=np.float32)))
x = ag.tensor(np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32), requires_grad=True)
y = norm(x)
(y * y).sum().backward()
print(norm, "| parameters:", [(name, tuple(p.shape)) for name, p in norm.named_parameters()])
print("rms of each output row / weight:", np.round(np.sqrt(((y / norm.weight) ** 2).mean(-1).detach().numpy()), 4))

try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed (pip install torch): the comparison with torch.nn.RMSNorm is skipped")
if torch is not None:
    theirs = torch.nn.RMSNorm(6, eps=1e-6)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in norm.state_dict().items()})   # arrays, as in 16
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    ty = theirs(tx)
    (ty * ty).sum().backward()
    print("largest difference from torch.nn.RMSNorm: output",
          f"{np.abs(ty.detach().numpy() - y.detach().numpy()).max():.1e}, input gradient",
          f"{np.abs(tx.grad.numpy() - x.grad.numpy()).max():.1e}, weight gradient",
          f"{np.abs(theirs.weight.grad.numpy() - norm.weight.grad.numpy()).max():.1e}")
    assert np.allclose(ty.detach().numpy(), y.detach().numpy(), atol=1e-5)
    assert np.allclose(tx.grad.numpy(), x.grad.numpy(), atol=1e-4)
"""),
    ("md", r"""
The backward pass of `RMSNorm` cost us nothing: autograd differentiated the five
operations of `forward`. A Module can hold any structure: lists of children go in an
`nn.ModuleList` (a plain Python list would hide them from `parameters()`), and tensors
that are state but not trained, like batch norm's running mean or the GPT's causal mask,
are registered with `self.register_buffer(name, tensor)` so that they are saved and
loaded with the state dict but never updated by the optimizer.

## 2 · Your own Function: forward, backward, and a bug

A `Function` takes numpy arrays in `forward` and returns one array. Its `backward(ctx, g)`
receives the gradient $g = \partial L / \partial y$ of the output and returns one gradient
per input, $\partial L / \partial x = g \cdot \partial y / \partial x$ (the chain rule,
one link); `ctx.inputs` holds the inputs. Here is $y = x^3$ with a deliberately wrong
derivative, $2x^2$ instead of $3x^2$. The engine cannot know the maths is wrong, and the
backward pass runs without complaint. `gradcheck` catches it and shows which elements
disagree and by how much.
"""),
    ("code", r"""
class Cube(ag.Function):
    '''y = x**3;  dy/dx = 3 x**2'''
    @staticmethod
    def forward(x):
        return x ** 3
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.inputs
        return (g * 2 * x * x,)          # BUG: should be 3 * x * x

t = ag.tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
try:
    ag.gradcheck(Cube.apply, [t])
except ag.GradcheckError as e:
    print(e)
"""),
    ("code", r"""
class Cube(ag.Function):
    '''y = x**3;  dy/dx = 3 x**2'''
    @staticmethod
    def forward(x):
        return x ** 3
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.inputs
        return (g * 3 * x * x,)          # fixed

print("first derivatives:", ag.gradcheck(Cube.apply, [t]))
print("second derivatives:", ag.gradgradcheck(Cube.apply, [t]))
"""),
    ("md", r"""
`gradgradcheck` checks the second derivatives: because `backward` is written with tensor
operations, autograd can record it (`create_graph=True`) and differentiate it again, so
the same one rule serves Hessians and gradient penalties.

The engine also checks the *form* of every rule: a backward that returns the wrong
number of gradients, or a gradient of the wrong shape, fails at once with the op's name.
This matters most for inputs that were **broadcast**: if a (1,)-shaped parameter
multiplied a (3,)-shaped input, its gradient must be summed back to shape (1,), and a
rule that forgets is refused instead of silently corrupting `.grad`.
"""),
    ("code", r"""
class Broken(ag.Function):
    @staticmethod
    def forward(x):
        return x * 2
    @staticmethod
    def backward(ctx, g):
        return (g.sum(),)                # wrong shape

try:
    Broken.apply(t).sum().backward()
except RuntimeError as e:
    print(e)
"""),
    ("md", r"""
## 3 · How the referee works: central differences · 中心差分

`gradcheck` nudges each input element by $\pm\epsilon$ and compares the slope it sees
with your rule. Why the **central** difference, and why in **float64**? Expand $f$ in a
Taylor series around $x$:

$$
f(x \pm \epsilon) = f(x) \pm \epsilon f'(x) + \frac{\epsilon^2}{2} f''(x) \pm \frac{\epsilon^3}{6} f'''(x) + O(\epsilon^4) .
$$

Subtracting the two, the even terms cancel:

$$
\frac{f(x + \epsilon) - f(x - \epsilon)}{2 \epsilon} = f'(x) + \frac{\epsilon^2}{6} f'''(x) + O(\epsilon^4) ,
$$

a **truncation error** (截断误差) of order $\epsilon^2$, where the one-sided difference
$(f(x+\epsilon) - f(x))/\epsilon$ has an error of order $\epsilon$. Smaller $\epsilon$ is not
always better: each evaluation of $f$ carries a **rounding error** (舍入误差) of about
$u \lvert f \rvert$, where $u$ is the unit roundoff ($1.1 \times 10^{-16}$ in float64,
$6 \times 10^{-8}$ in float32), and dividing by $2\epsilon$ magnifies it to about
$u \lvert f \rvert / \epsilon$. The total error $\frac{\epsilon^2}{6}\lvert f''' \rvert +
\frac{u \lvert f \rvert}{\epsilon}$ is smallest near $\epsilon \approx u^{1/3}$: about
$5 \times 10^{-6}$ in float64, with an error of $10^{-11}$ or less, but $4 \times 10^{-3}$
in float32, with an error of $10^{-5}$ to $10^{-6}$, too coarse to tell a subtle bug from noise. That is
why `gradcheck` copies its inputs to float64 and uses $\epsilon = 10^{-6}$. The plot
measures both errors for $f = \tanh$ at $x = 0.5$:
"""),
    ("code", r"""
epsilons = np.logspace(-12, -0.5, 60)
exact = 1 - np.tanh(0.5) ** 2
plt.figure(figsize=(7.5, 4.5))
for dtype, colour in [(np.float64, "tab:blue"), (np.float32, "tab:orange")]:
    x0 = dtype(0.5)
    central = [(np.tanh(x0 + dtype(e)) - np.tanh(x0 - dtype(e))) / (2 * dtype(e)) for e in epsilons]
    forward = [(np.tanh(x0 + dtype(e)) - np.tanh(x0)) / dtype(e) for e in epsilons]
    plt.loglog(epsilons, np.abs(np.array(central, np.float64) - exact) + 1e-17, color=colour,
               label=f"central, {np.dtype(dtype).name}")
    plt.loglog(epsilons, np.abs(np.array(forward, np.float64) - exact) + 1e-17, color=colour, ls=":",
               label=f"one-sided, {np.dtype(dtype).name}")
plt.axvline(1e-6, color="k", lw=0.8, ls="--"); plt.text(1.3e-6, 1e-1, "gradcheck's eps", fontsize=9)
plt.xlabel(r"$\epsilon$"); plt.ylabel("error of the finite difference"); plt.legend(fontsize=8)
plt.title(r"truncation ($\propto\epsilon^2$ or $\epsilon$) against rounding ($\propto u/\epsilon$)"); plt.show()
"""),
    ("md", r"""
On the right of the plot the truncation error falls as $\epsilon$ shrinks (slope 2 for
the central difference, slope 1 for the one-sided one); on the left the rounding error
rises with slope $-1$, jagged because rounding is. The float32 curves turn at a much
larger $\epsilon$, reach about $10^{-6}$ only in a narrow window, and on the far left lie
flat at the whole derivative: below float32's spacing near 0.5 ($3 \times 10^{-8}$),
$x \pm \epsilon$ rounds back to $x$ and the difference is exactly 0.

## 4 · Finding the op that made a NaN · 定位 NaN

A NaN loss usually starts in one op, many steps before you see it. Inside
`detect_anomaly()` every op's output is checked and the first NaN or inf raises an error
naming the op, in the forward or the backward pass.
"""),
    ("code", r"""
x = ag.tensor(np.array([4.0, 1.0, 0.0]), requires_grad=True)
with np.errstate(invalid="ignore"):
    y = (x - 1.0).sqrt()                 # sqrt of -1 -> nan, silently
print("loss:", y.sum().item())
with ag.detect_anomaly():
    try:
        with np.errstate(invalid="ignore"):
            (x - 1.0).sqrt().sum()
    except RuntimeError as e:
        print(e)
"""),
    ("code", r"""
# a backward-pass problem: sqrt is finite at 0, but its derivative is infinite there
x = ag.tensor(np.array([1.0, 0.0]), requires_grad=True); x.name = "x"
w = ag.tensor(np.array([2.0, 3.0]), requires_grad=True); w.name = "w"
loss = (x * w).sqrt().sum() + (w * w).sum()
with ag.detect_anomaly():
    try:
        with np.errstate(divide="ignore"):
            loss.backward()
    except ag.AnomalyError as e:
        print(e)
        born = e.node                    # the graph node whose backward made the inf
"""),
    ("md", "The error carries the node where the inf was born (`error.node`), so the picture can point at it. The graph is intact (a backward that raises writes no `.grad`), and `draw_graph(..., highlight=node)` marks the culprit: the `Sqrt` whose slope, $\\frac{1}{2\\sqrt{u}}$, is infinite at $u = 0$."),
    ("code", r"""
draw_graph(loss, highlight=born, caption=f"the inf was born in {born.name()}'s backward")
"""),
    ("md", r"""
## 5 · Hooks: watch (or change) gradients as they flow · 钩子

`register_hook` calls a function with the gradient arriving at a tensor; returning a tensor
replaces it. This is how gradient clipping per tensor, or simple logging, is done, and how
notebook 07's statistics of gradients were collected. `retain_grad()` asks autograd to
keep a non-leaf tensor's gradient, which it otherwise frees (notebooks 12 and 13 used it
to measure the gradient reaching each step and each block).
"""),
    ("code", r"""
w = ag.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
h = w * w
seen = []
h.register_hook(lambda g: seen.append(g.clone()))
h.register_hook(lambda g: g.clip(-0.5, 0.5))       # clip the gradient flowing into h
(h * 10).sum().backward()
print("gradient arriving at h:", seen[0].numpy())
print("w.grad after clipping: ", w.grad.numpy(), "(= 2 w * 0.5)")

a = ag.tensor(np.array([0.5, -0.5]), requires_grad=True)
hidden = a.tanh()
hidden.retain_grad()
(hidden ** 2).sum().backward()
print("d loss / d hidden =", hidden.grad.numpy(), " (= 2 * hidden)")
"""),
    ("md", r"""
## Exercise · 练习: Swish, as a Function and as a Module

**Swish** (Ramachandran, Zoph and Le, 2017) is $y = x\,\sigma(\beta x)$ with a learnable
$\beta$; with $\beta = 1$ it is SiLU (`F.silu`). Derive its two partial derivatives with
$s = \sigma(\beta x)$ and $\sigma' = \sigma(1 - \sigma)$:

$$
\frac{\partial y}{\partial x} = s + \beta x\, s (1 - s),
\qquad
\frac{\partial y}{\partial \beta} = x^2\, s (1 - s) .
$$

1. Write `SwishFunction(ag.Function)` whose `forward(x, beta)` computes $y$ on numpy
   arrays (`x` any shape, `beta` of shape (1,)), and whose `backward(ctx, g)` returns
   `(dx, dbeta)`. In the backward pass `ctx.inputs` and `g` are Tensors, so use tensor
   operations (`.sigmoid()`, `*`, `.sum()`, `.reshape`). Mind the broadcast: `beta` was
   shared by every element, so its gradient is a **sum** over them, reshaped to (1,).
2. Write `Swish(nn.Module)` with one parameter `beta` of shape (1,), starting at 1, whose
   `forward(x)` calls `SwishFunction.apply(x, self.beta)`.

The check runs `gradcheck` and `gradgradcheck` on your Function (so your rule is judged by
the referee, not by us), compares it with `F.silu` at $\beta = 1$ and with the formula
composed from autograd's own operations at other $\beta$ (and with PyTorch when it is
installed), and checks your Module's parameter and a training step. The solution is in
`notebooks/solutions/nb17.py`.
"""),
    ("code", r"""
from course_checks.nb17 import check_swish

class SwishFunction(ag.Function):
    '''y = x * sigmoid(beta * x)'''
    @staticmethod
    def forward(x, beta):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError

class Swish(nn.Module):
    def __init__(self):
        super().__init__()
        # your code: self.beta
        raise NotImplementedError

    def forward(self, x):
        raise NotImplementedError

try:
    check_swish(SwishFunction, Swish)
except NotImplementedError:
    print("not done yet: write SwishFunction and Swish, then run this cell again")
"""),
    ("md", r"""
## What to remember · 小结

* A new layer made of existing operations is a `Module`: assign `nn.Parameter`s and child
  modules as attributes, write `forward`, and autograd writes the backward pass.
* A new operation is a `Function`: forward on arrays, one gradient per input in
  `backward`, each of its input's shape (sum over what was broadcast).
* `gradcheck` is the referee: central differences in float64, error $O(\epsilon^2)$, at an
  $\epsilon$ that balances truncation and rounding. Run it on every rule you write, and
  `gradgradcheck` if anyone will differentiate twice.
* `detect_anomaly` finds the op that made the first NaN or inf; hooks and `retain_grad`
  let you watch gradients where they flow.
"""),
]

NOTEBOOKS = {"17_your_own_module_and_function": NB17}
