"""Cells of notebook 06 (optimizers: SGD, momentum, RMSprop, Adam, drawn on 2-D loss surfaces)."""

NB06 = [
    ("md", r"""
# 06 · Optimizers · 优化器: SGD, momentum, RMSprop, Adam

Back propagation (反向传播) tells us the gradient $g = \nabla_\theta L$: the direction in
which the loss grows fastest. An **optimizer (优化器)** decides what to do with it. Every
training loop in this course ends with the same three lines, `opt.zero_grad()`,
`loss.backward()`, `opt.step()`, and this notebook is about the last one: what `step()`
computes, why the four classic rules differ, and what their paths look like on a loss
surface you can see.

We keep the problems two-dimensional on purpose. A real network has millions of
parameters, but the difficulties an optimizer meets are already there in two: a valley
that is steep across and shallow along (an *ill-conditioned* problem), a curved banana
shaped valley, and a learning rate that is too small for one direction and too large for
another. Each rule below was invented to fix one of those.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn

def ravine(x, y):
    '''an ill-conditioned bowl: 20 times steeper along y than along x'''
    return 0.1 * x ** 2 + 2 * y ** 2

def rosenbrock(x, y):
    '''a curved valley; its minimum is at (1, 1)'''
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2

def path(make_optimizer, f, start, steps):
    '''run an nn.optim optimizer on a 2-vector parameter and return every point it visits'''
    p = ag.tensor(np.array(start, dtype=np.float64), requires_grad=True)
    opt = make_optimizer([p])
    points = [p.numpy().copy()]
    for _ in range(steps):
        loss = f(p[0], p[1])
        opt.zero_grad()
        loss.backward()
        opt.step()
        points.append(p.numpy().copy())
    return np.array(points)
"""),
    ("md", r"""
## Stochastic gradient descent · 随机梯度下降

The plainest rule moves every parameter a small step against its gradient:

$$\theta_{t+1} = \theta_t - \eta\, g_t, \qquad g_t = \nabla_\theta L(\theta_t).$$

$\eta$ is the **learning rate (学习率)**. "Stochastic" refers to $g_t$ being computed on a
mini-batch rather than the whole data set, so it is a noisy estimate of the true gradient;
on our 2-D surfaces there is no noise and SGD is just gradient descent.

Why does a single $\eta$ cause trouble? Near a minimum every smooth loss looks like a
quadratic, $L \approx \tfrac12 \sum_i \lambda_i u_i^2$ in the directions $u_i$ of the
Hessian's eigenvectors. One step multiplies the $i$-th coordinate by $(1 - \eta \lambda_i)$.
That shrinks it only when $|1 - \eta\lambda_i| < 1$, i.e. $\eta < 2/\lambda_{\max}$: the
steepest direction caps the learning rate. But the flattest direction then shrinks by
$(1 - \eta\lambda_{\min})$ per step, which is almost 1 when the *condition number*
$\lambda_{\max}/\lambda_{\min}$ is large. Our ravine $0.1x^2 + 2y^2$ has $\lambda = 0.2$ and
$4$, a condition number of 20: with $\eta = 0.4$ the $y$ coordinate is multiplied by
$1 - 1.6 = -0.6$ each step (it zig-zags across the valley), while $x$ is multiplied by
$0.92$ (it crawls along it).
"""),
    ("code", r"""
sgd = path(lambda ps: nn.optim.SGD(ps, lr=0.4), ravine, (-5.0, -2.0), 20)
print("first y values:", np.round(sgd[:5, 1], 3), " ratio", round(sgd[1, 1] / sgd[0, 1], 3))
print("first x values:", np.round(sgd[:5, 0], 3), " ratio", round(sgd[1, 0] / sgd[0, 0], 3))
assert np.isclose(sgd[1, 1] / sgd[0, 1], 1 - 0.4 * 4) and np.isclose(sgd[1, 0] / sgd[0, 0], 1 - 0.4 * 0.2)
"""),
    ("md", r"""
The printed ratios are the $1 - \eta\lambda$ of the derivation, exactly.

## Momentum · 动量

Heavy-ball momentum keeps a running sum of past gradients, a *velocity* $v$, and moves along it.
PyTorch writes it as

$$v_{t} = \mu\, v_{t-1} + g_t, \qquad \theta_{t+1} = \theta_t - \eta\, v_t ,$$

with $\mu$ (typically 0.9) the momentum. Unroll it: $v_t = g_t + \mu g_{t-1} + \mu^2 g_{t-2} + \dots$,
an exponentially weighted sum of the gradients. Along the floor of the ravine the gradients
all point the same way, so they add up and the effective step grows towards
$\eta/(1-\mu) = 10\eta$. Across the ravine they alternate in sign and cancel. Momentum thus
speeds up the slow direction and damps the zig-zag, without touching the learning rate.

## RMSprop: a learning rate per parameter · 自适应学习率

RMSprop divides each coordinate's step by a running root-mean-square of its own gradient:

$$s_t = \alpha\, s_{t-1} + (1-\alpha)\, g_t^2, \qquad \theta_{t+1} = \theta_t - \eta\, \frac{g_t}{\sqrt{s_t} + \epsilon}.$$

(Squares, roots and divisions are elementwise.) A coordinate with large gradients gets a
small effective learning rate and one with small gradients a large one, so the steep
and the flat directions of the ravine move at a similar pace: the step is roughly
$\eta \cdot \operatorname{sign}(g)$ in size. This is a cheap diagonal stand-in for the
curvature that Newton's method would use.

## Adam: momentum and RMSprop together

Adam keeps both running averages, the first moment $m$ (a momentum) and the second
moment $v$ (RMSprop's $s$), and corrects their start-up bias:

$$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,$$
$$\hat m_t = \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
\theta_{t+1} = \theta_t - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.$$

Why the correction? Both averages start at 0. After one step $m_1 = (1-\beta_1) g_1$, only a
tenth of the gradient for $\beta_1 = 0.9$; dividing by $1 - \beta_1^1 = 0.1$ restores it.
In general, if the gradients have a steady mean, $\mathbb{E}[m_t] = (1-\beta_1^t)\,\mathbb{E}[g]$, so the
division makes $\hat m_t$ an unbiased estimate from the first step on. The same argument
holds for $v_t$ with $\beta_2 = 0.999$, whose bias would otherwise last for thousands of steps.

Let us run all four on both surfaces and draw their paths.
"""),
    ("code", r"""
# each rule builds its optimizer from a module of optimizers: nn.optim here, torch.optim below (same names)
SURFACES = [  # (f, start, steps, {rule: (label, optimizer factory)}, plot window, contour levels)
    (ravine, (-5.0, -2.0), 40,
     {"SGD": ("lr 0.4", lambda optim, ps: optim.SGD(ps, lr=0.4)),
      "momentum": ("lr 0.4, mu 0.5", lambda optim, ps: optim.SGD(ps, lr=0.4, momentum=0.5)),
      "RMSprop": ("lr 0.3", lambda optim, ps: optim.RMSprop(ps, lr=0.3)),
      "Adam": ("lr 0.5", lambda optim, ps: optim.Adam(ps, lr=0.5))},
     (-5.5, 1.5, -2.5, 2.5), np.logspace(-2, 1.3, 12)),
    (rosenbrock, (-1.2, 1.5), 500,
     {"SGD": ("lr 0.002", lambda optim, ps: optim.SGD(ps, lr=2e-3)),
      "momentum": ("lr 0.001, mu 0.9", lambda optim, ps: optim.SGD(ps, lr=1e-3, momentum=0.9)),
      "RMSprop": ("lr 0.01", lambda optim, ps: optim.RMSprop(ps, lr=1e-2)),
      "Adam": ("lr 0.05", lambda optim, ps: optim.Adam(ps, lr=5e-2))},
     (-1.6, 1.6, -0.6, 2.2), np.logspace(-1, 3, 15)),
]
paths = {}
fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
for ax, (f, start, steps, rules, (x0, x1, y0, y1), levels) in zip(axes, SURFACES):
    xs, ys = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    ax.contour(xs, ys, f(xs, ys), levels=levels, colors="grey", linewidths=0.5)
    for name, (label, make) in rules.items():
        points = path(lambda ps, make=make: make(nn.optim, ps), f, start, steps)
        paths[f.__name__, name] = points
        ax.plot(points[:, 0], points[:, 1], ".-", ms=3, lw=1, label=f"{name} ({label})")
    ax.plot(*start, "ko"); ax.set_title(f"{f.__name__}: {steps} steps"); ax.legend(fontsize=8)
axes[1].plot(1, 1, "r*", ms=12)
for name in SURFACES[1][3]:
    axes[2].semilogy([rosenbrock(*pt) for pt in paths["rosenbrock", name]], label=name)
axes[2].set_title("rosenbrock: loss per step"); axes[2].set_xlabel("step"); axes[2].legend(fontsize=8)
plt.tight_layout(); plt.show()
for (surface, name), points in paths.items():
    print(f"{surface:>10} {name:>8}: final loss {globals()[surface](*points[-1]):.2e}")
"""),
    ("md", r"""
Read the pictures with the derivations in mind:

* **SGD** zig-zags across the ravine (the $-0.6$ factor) and creeps along it (the $0.92$
  factor). On the Rosenbrock valley the walls are so steep that even $\eta = 0.002$ bounces
  from wall to wall for the first steps (the spike in the loss), and once on the floor,
  which is almost flat, it barely moves.
* **Momentum** crosses the ravine about as SGD does but runs along it much faster: after 40
  steps its loss is $10^{-8}$ against SGD's $3\cdot 10^{-3}$. On a quadratic the best
  momentum is known in closed form, $\mu^* = \big((\sqrt{\kappa}-1)/(\sqrt{\kappa}+1)\big)^2 \approx 0.4$
  for our condition number $\kappa = 20$, which is why the ravine uses $\mu = 0.5$; with the
  usual $0.9$ the velocity needs many steps to die out and the path spirals. On the long
  Rosenbrock floor, where the gradient keeps pointing the same way for hundreds of steps,
  $\mu = 0.9$ is the right choice and momentum is the fastest of the four for most of the run.
* **RMSprop** moves at a nearly constant speed in each coordinate regardless of the
  gradient's size, so it heads diagonally across the ravine. On the Rosenbrock floor it
  keeps taking steps of size about $\eta$ even where it should slow down, and near step 480
  it jumps up a wall (the spike): an adaptive method needs its learning rate lowered at the
  end (a schedule, `nn.optim.CosineAnnealingLR`) to settle.
* **Adam** takes steps of size about $\eta$ too, so with $\eta = 0.5$ it overshoots the
  ravine's minimum in a wide loop (the worst of the four there, after 40 steps), but on the
  Rosenbrock valley its momentum carries it along the floor and it ends closest to $(1, 1)$.
  That its learning rate is roughly the distance moved per step makes $\eta$ easy to choose
  for Adam, one reason it is the default for transformers and most later notebooks.

No rule wins everywhere, and the learning rates above were chosen per rule so each is near
its best. The lesson is what each term does, so that when a loss curve misbehaves you know
which knob to turn.

## Checking the library against the formulas and PyTorch

`nn.optim` implements PyTorch's update rules. Written out in numpy for the ravine,
momentum is three lines, and it reproduces the library's path to the last bit or two. When
PyTorch is installed we also run `torch.optim` from the same start, with the very same
factories (`torch.optim` and `nn.optim` have the same names and arguments), and compare
every point.
"""),
    ("code", r"""
def momentum_by_hand(start, lr, mu, steps):
    theta, v = np.array(start, dtype=np.float64), np.zeros(2)
    points = [theta.copy()]
    for _ in range(steps):
        g = np.array([0.2 * theta[0], 4.0 * theta[1]])   # the gradient of 0.1 x^2 + 2 y^2
        v = mu * v + g
        theta = theta - lr * v
        points.append(theta.copy())
    return np.array(points)

mine = momentum_by_hand((-5.0, -2.0), 0.4, 0.5, 40)
print("max |by hand - nn.optim| =", np.abs(mine - paths["ravine", "momentum"]).max())

try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed: skipping the comparison with torch.optim")
if torch is not None:
    for f, start, steps, rules, *_ in SURFACES:
        for name, (_, make) in rules.items():
            p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
            opt = make(torch.optim, [p])
            points = [p.detach().numpy().copy()]
            for _ in range(steps):
                opt.zero_grad(); f(p[0], p[1]).backward(); opt.step()
                points.append(p.detach().numpy().copy())
            gaps = np.abs(np.array(points) - paths[f.__name__, name]).max(axis=1)
            apart = np.flatnonzero(gaps > 1e-9)
            when = f"first above 1e-9 at step {apart[0]}" if apart.size else "never above 1e-9"
            print(f"{f.__name__:>10} {name:>8}: max |glassgrad - torch| over the first 100 steps "
                  f"{gaps[:101].max():.1e}, {when}")
"""),
    ("md", r"""
The two libraries agree to rounding (about $10^{-16}$) at every step, with one instructive
exception: RMSprop on the Rosenbrock valley drifts apart after step 450 or so. Nothing is
wrong in either library; the two evaluate the same formula with operations in a slightly
different order, and RMSprop's constant-size steps near the minimum are *chaotic*, so a
difference in the 16th digit grows about twofold per step until it is visible. Comparing long
runs of an optimizer is therefore only meaningful while the run is stable.

## The learning rate is still the most important knob

All four rules have a learning rate, and the same rule with a different $\eta$ can look like
a different algorithm. Below, plain SGD on the ravine for four learning rates: the
stability bound from the derivation is $\eta < 2/\lambda_{\max} = 0.5$. Just below it the
path oscillates but converges; above it, every step multiplies the error across the valley
by more than 1 in size, and the loss explodes.
"""),
    ("code", r"""
fig, ax = plt.subplots(figsize=(7, 3.4))
for lr in (0.05, 0.25, 0.45, 0.52):
    points = path(lambda ps, lr=lr: nn.optim.SGD(ps, lr=lr), ravine, (-5.0, -2.0), 40)
    ax.semilogy([ravine(*pt) for pt in points], label=f"lr {lr}")
ax.axhline(ravine(-5.0, -2.0), color="grey", lw=0.5)
ax.set_xlabel("step"); ax.set_ylabel("loss"); ax.set_title("SGD on the ravine: stable below lr = 2 / 4 = 0.5")
ax.legend(); plt.show()
"""),
    ("md", r"""
## Exercise · 练习: write Adam's step yourself

Complete `adam_step` below in numpy. It receives the parameter `p`, its gradient `g`, the
two running moments `m` and `v` and the step number `t` (1 for the first step), and
returns the new `(p, m, v)`, following the four equations above (bias correction
included). The check runs your function for a few steps on random gradients and compares
each result with `nn.optim.Adam` (and says which quantity differs if one does).

Hints: $\beta_1^t$ is `beta1 ** t`; the $\epsilon$ goes *outside* the square root.
The reference solution is in `notebooks/solutions/nb06.py`.
"""),
    ("code", r"""
from course_checks.nb06 import check_adam_step

def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    beta1, beta2 = betas
    # your code here: update m and v, correct their bias, move p
    raise NotImplementedError

try:
    check_adam_step(adam_step)
except NotImplementedError:
    print("not done yet: fill in adam_step, then run this cell again")
"""),
    ("md", r"""
## Summary · 小结

| rule | state per parameter | step |
|---|---|---|
| SGD | none | $\eta g$ |
| momentum | velocity $v$ | $\eta (\mu v + g)$ |
| RMSprop | mean square $s$ | $\eta g / (\sqrt{s} + \epsilon)$ |
| Adam | $m$ and $v$ | $\eta \hat m / (\sqrt{\hat v} + \epsilon)$ |

Memory matters at scale: Adam stores two extra numbers for every parameter. In the next
notebook we look at the other half of a healthy training run, the initial weights, and at the
statistics (activations, gradients, and the size of each update relative to the weight it
changes) that tell you whether the optimizer's steps are the right size.
"""),
]

NOTEBOOKS = {"06_optimizers": NB06}
