"""Cells of notebook 05: tensors and broadcasting (old notebook 05, deepened:
the broadcasting rules drawn, the gradient of broadcasting and of matmul
derived and checked, the shapes of a batch, two exercises)."""

NB05 = [
    ("md", r"""
# 05 · Tensors and broadcasting · 张量与广播

Notebooks 01–02 trained a network one scalar `Value` at a time: every weight a Python object, every
multiply a node. It is the clearest way to see back propagation and the slowest way to run it. Real
networks store each layer's weights as one array and push a whole **batch** of examples through at
once, as matrix products. A `Tensor` is a numpy array in the graph: the same engine, the same chain
rule, applied to whole arrays.

Three things change when the values are arrays, and this notebook derives each:

1. **Broadcasting (广播)**: operations on arrays of different shapes stretch the smaller one; in the
   backward pass, the stretched dimensions must be **summed** back.
2. **Matrix multiplication (矩阵乘法)**: its gradient is two other matrix products, which we derive from
   the index form and check.
3. **The shapes of a batch**: what each dimension means in a layer's input, weight, output and
   gradient.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import autograd.functional as AF
import nn
from nn import functional as F
from autograd.viz import draw_graph
from course_checks.nb05 import check_sum_to, check_linear_backward
"""),
    ("md", r"""
## A Tensor · 张量

A Tensor has a **shape** (the size of each dimension), a **dtype** (Python floats become float32, as in
PyTorch; numpy arrays keep theirs) and, when it is a parameter, `requires_grad=True`. Its `.grad`
after `backward()` has the same shape as the tensor: one partial derivative per element.
"""),
    ("code", r"""
W = ag.randn(3, 4, requires_grad=True)          # float32, seeded with ag.manual_seed
x = ag.tensor([1.0, 2.0, 3.0, 4.0])
print("W:", W.shape, W.dtype, "  x:", x.shape, x.dtype)
y = (W @ x).tanh().sum()
y.backward()
print("y =", y.item(), "  W.grad:", W.grad.shape, "(same shape as W)")
"""),
    ("md", r"""
## Broadcasting: the rules · 广播规则

To combine arrays of shapes $A$ and $B$ elementwise, numpy and PyTorch line the shapes up **from the
right** and compare dimension by dimension:

1. a missing dimension (the shorter shape runs out) counts as 1;
2. two sizes are compatible if they are equal, or if one of them is 1;
3. a size-1 dimension is **stretched** (repeated) to the other size.

So $(3, 4) + (4,)$ is $(3, 4) + (1, 4)$: the row is repeated down 3 rows. $(3, 1) \times (1, 4)$
stretches both, into a $(3, 4)$ table. $(3, 4) + (3,)$ fails: the trailing sizes 4 and 3 differ.
The picture draws the stretch: the solid cells are stored, the faded ones are repeats that exist
only in the result.
"""),
    ("code", r"""
def draw_broadcast(ax, shape, out_shape, title, colour):
    rows, cols = out_shape
    for i in range(rows):
        for j in range(cols):
            stored = i < shape[0] and j < shape[1]
            ax.add_patch(plt.Rectangle((j, rows - 1 - i), 0.92, 0.92, color=colour, alpha=1.0 if stored else 0.25))
    ax.set_xlim(-0.2, cols + 0.1); ax.set_ylim(-0.2, rows + 0.1); ax.set_aspect("equal"); ax.axis("off")
    ax.set_title(title, fontsize=10)

fig, axes = plt.subplots(1, 4, figsize=(12, 2.6))
draw_broadcast(axes[0], (3, 4), (3, 4), "X: (3, 4)", "tab:blue")
draw_broadcast(axes[1], (1, 4), (3, 4), "b: (4,) -> (1, 4) -> (3, 4)", "tab:orange")
draw_broadcast(axes[2], (3, 1), (3, 4), "col: (3, 1) -> (3, 4)", "tab:green")
draw_broadcast(axes[3], (1, 4), (3, 4), "row: (1, 4) -> (3, 4)", "tab:red")
plt.suptitle("broadcasting stretches size-1 dimensions (faded cells are repeats, not stored)", fontsize=11)
plt.tight_layout(); plt.show()

print((ag.ones(3, 4) + ag.ones(4)).shape, (ag.ones(3, 1) * ag.ones(1, 4)).shape, (ag.ones(2, 3, 4) + ag.ones(3, 1)).shape)
try:
    ag.ones(3, 4) + ag.ones(3)
except ValueError as err:
    print("ValueError:", err)
"""),
    ("md", r"""
## The gradient of broadcasting is a sum · 广播的梯度

Take $Y = X + b$ with $X$ of shape $(3, 4)$ and $b$ of shape $(4,)$, so $y_{ij} = x_{ij} + b_j$. Each
$b_j$ is used in **three** places, one per row. By the multivariable chain rule (the `+=` of
notebook 01), its gradient adds up the three contributions:

$$\frac{\partial L}{\partial b_j} = \sum_i \frac{\partial L}{\partial y_{ij}}\,\frac{\partial y_{ij}}{\partial b_j} = \sum_i \frac{\partial L}{\partial y_{ij}} .$$

In general: **the backward of broadcasting sums the gradient over every stretched dimension**, and
then drops the dimensions that were added on the left, so the gradient has the input's shape again.
glassgrad calls this `sum_to(shape)` and does it once, in the binary-op wrapper; the picture marks each
edge where it happens in red.
"""),
    ("code", r"""
X = ag.Tensor(np.arange(12, dtype=np.float32).reshape(3, 4)); X.name = "X"
W = ag.Tensor(np.ones((3, 4), np.float32), requires_grad=True); W.name = "W"
b = ag.zeros(4, requires_grad=True); b.name = "b"
loss = (X * W + b).sum()
loss.backward()         # frees what each node saved; the graph's structure stays
draw_graph(loss)
"""),
    ("md", r"""
Each box after an ellipse is a node of the backward graph (`loss.grad_fn` and its `next_functions`), not
a tensor: a node keeps only what its op's backward reads, and `backward()` frees that as soon as the
node's rule has run. `b` has shape (4,) and was used in 3 rows, so each of its entries gets the sum of
3 ones; `W` was not broadcast, and its gradient is $X$ (the multiplication swaps its inputs, as for
scalars):
"""),
    ("code", r"""
print("b.grad =", b.grad.numpy())          # [3, 3, 3, 3]
print("W.grad = X:\n", W.grad.numpy())
assert np.array_equal(b.grad, [3, 3, 3, 3]) and np.array_equal(W.grad, X)

col = ag.Tensor(np.array([[1.0], [2.0], [3.0]]), requires_grad=True)
row = ag.Tensor(np.array([[10.0, 20.0, 30.0, 40.0]]), requires_grad=True)
(col * row).sum().backward()             # a (3, 4) table; both inputs stretched
print("col.grad =", col.grad.numpy().ravel(), "= the sum of row:", row.sum().item())
print("row.grad =", row.grad.numpy().ravel(), "= the sum of col:", col.sum().item())
assert ag.gradcheck(lambda a, c: (a * c).tanh().sum(), [col, row])
"""),
    ("md", r"""
`gradcheck` is the referee from notebook 01's first cell, grown up: it nudges every input element by a
small $h$, measures the central difference, and compares it with the engine's gradient. Notebook 17
uses it on a Function you write.

## The gradient of matmul, derived · 矩阵乘法的梯度

Let $Y = XW$ with $X$ of shape $(n, d)$, $W$ of shape $(d, m)$, so $Y$ is $(n, m)$ and
$y_{ik} = \sum_j x_{ij} w_{jk}$. Write $G = \partial L/\partial Y$ (shape $(n, m)$, what arrives from
above). Each $x_{ij}$ appears in every $y_{ik}$ of row $i$, with local derivative $w_{jk}$, so

$$\frac{\partial L}{\partial x_{ij}} = \sum_k g_{ik}\, w_{jk} = (G W^\top)_{ij},
\qquad
\frac{\partial L}{\partial w_{jk}} = \sum_i x_{ij}\, g_{ik} = (X^\top G)_{jk}.$$

So $\partial L/\partial X = G W^\top$ and $\partial L/\partial W = X^\top G$. A shape check makes this
easy to remember: $\partial L/\partial X$ must be $(n, d)$, and the only product of $G$ $(n, m)$ with
$W$ or $W^\top$ that gives $(n, d)$ is $G W^\top$. Likewise $X^\top G$ is the only way to make $(d, m)$.
The scalar rule "multiplication swaps its inputs" survives, with transposes to make the shapes fit.
"""),
    ("code", r"""
rng = np.random.default_rng(0)
Xm = ag.tensor(rng.standard_normal((5, 3)), requires_grad=True)
Wm = ag.tensor(rng.standard_normal((3, 2)), requires_grad=True)
G = rng.standard_normal((5, 2))
((Xm @ Wm) * ag.tensor(G)).sum().backward()          # so that dL/dY = G exactly
print("dL/dX == G @ W.T:", np.allclose(Xm.grad, G @ Wm.numpy().T))
print("dL/dW == X.T @ G:", np.allclose(Wm.grad, Xm.numpy().T @ G))
print("gradcheck (finite differences):", ag.gradcheck(lambda a, c: (a @ c).tanh().sum(), [Xm, Wm]))
"""),
    ("md", r"""
When PyTorch is installed, the same product and gradients from it (it says so when it is not):
"""),
    ("code", r"""
try:
    import torch
except ImportError:
    torch = None
if torch is None:
    print("PyTorch is not installed: the comparison is skipped (pip install torch to run it)")
else:
    Xt = torch.tensor(Xm.numpy(), requires_grad=True)
    Wt = torch.tensor(Wm.numpy(), requires_grad=True)
    ((Xt @ Wt) * torch.tensor(G)).sum().backward()
    print("PyTorch's dL/dX equal:", np.allclose(Xt.grad.numpy(), Xm.grad.numpy(), rtol=1e-12, atol=1e-14),
          "  dL/dW equal:", np.allclose(Wt.grad.numpy(), Wm.grad.numpy(), rtol=1e-12, atol=1e-14))
"""),
    ("md", r"""
## The shapes of a batch · 批量的形状

A linear layer in PyTorch's convention stores its weight as `(out_features, in_features)` and computes,
for a batch $X$ of $B$ examples,

$$Y = X W^\top + b, \qquad X: (B, \text{in}),\; W: (\text{out}, \text{in}),\; b: (\text{out},),\; Y: (B, \text{out}).$$

Everything above now applies at once. With $G = \partial L/\partial Y$ of shape $(B, \text{out})$:

* $\partial L/\partial X = G W$, shape $(B, \text{in})$: one gradient per example, since examples do not
  share inputs;
* $\partial L/\partial W = G^\top X$, shape $(\text{out}, \text{in})$: a **sum over the batch**, since
  every example used the same weights (the matmul does the summing);
* $\partial L/\partial b = \sum_{\text{batch}} G$, shape $(\text{out},)$: the broadcasting rule, because
  $b$ was stretched over the $B$ rows.

With a *mean* loss, $G$ already carries a factor $1/B$, so a parameter's gradient is the **average**
of the per-example gradients, and the learning rate does not have to change with the batch size.
A sequence model adds a time dimension: $X$ of shape $(B, T, \text{in})$ gives $Y$ of shape
$(B, T, \text{out})$, and the weight's gradient sums over both $B$ and $T$.
"""),
    ("code", r"""
ag.manual_seed(0)
layer = nn.Linear(3, 2)
batch = ag.randn(8, 3)
out = layer(batch)
loss = (out ** 2).mean()
loss.backward()
G = (2 * out / out.numel()).detach().numpy()                 # dL/dY for the mean of squares
print("X", batch.shape, " W", layer.weight.shape, " b", layer.bias.shape, " Y", out.shape)
print("dW == G.T @ X:", np.allclose(layer.weight.grad, G.T @ batch.numpy(), atol=1e-6))
print("db == G summed over the batch:", np.allclose(layer.bias.grad, G.sum(0), atol=1e-6))

sequence = ag.randn(4, 6, 3)                                 # (batch, time, features)
print("a (batch, time, features) input:", sequence.shape, "->", layer(sequence).shape)
"""),
    ("md", r"""
Why batches at all? The same arithmetic, issued as one matrix product instead of many small ones, runs
on numpy's optimised kernels, and the gradient averages out the noise of single examples. Here is the
moons MLP from notebook 02, now as Tensors, on all 300 points per step:
"""),
    ("code", r"""
import time
from nn.data import make_moons
Xmoons, ymoons = make_moons(300, noise=0.1, random_state=0)
Xmt = ag.Tensor(Xmoons.astype(np.float32))
ag.manual_seed(5)
model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))
opt = nn.optim.SGD(model.parameters(), lr=0.3, momentum=0.9)
start = time.perf_counter()
for step in range(300):
    loss = F.cross_entropy(model(Xmt), ymoons)
    opt.zero_grad(); loss.backward(); opt.step()
accuracy = (model(Xmt).argmax(1).numpy() == ymoons).mean()
print(f"300 full-batch steps on 300 points: loss {loss.item():.3f}, accuracy {accuracy:.2f}, "
      f"{time.perf_counter() - start:.2f} s")
"""),
    ("md", r"""
The same model in the explorer, on a batch of 32 points. Its parameters carry their `state_dict` names
(`0.weight`, `2.bias`, ...), and each `Linear` is one box: click it to open it into its op and its
parameters (the `modules` button opens them all). Step through: the forward pass shows every
intermediate value (point at a box for a heatmap), and each backward step shows the op's rule with
this step's shapes, such as `grad(0.weight) += grad(out)ᵀ @ x   (32, 16)ᵀ @ (32, 2) -> (16, 2)`.
It is made before `backward()`: after it, a Tensor graph has freed what its nodes saved, and the page
says which numbers are gone and how to keep them.
"""),
    ("code", r"""
from autograd.viz import explore
batch_loss = F.cross_entropy(model(Xmt[:32]), ymoons[:32])
explore(batch_loss, model=model)
"""),
    ("md", r"""
## Higher-order gradients · 高阶导数

Backward rules are themselves written with Tensor operations, so with `create_graph=True` the backward
pass is recorded and can be differentiated again. For $f(x) = x^3$: $f' = 3x^2$, $f'' = 6x$,
$f''' = 6$. For $f(x) = \sum_i \tanh((Wx)_i)$ the Hessian is
$W^\top \mathrm{diag}\big(-2\tanh(Wx)\,(1 - \tanh^2(Wx))\big)\,W$, and
`autograd.functional.hessian` gets it by differentiating the gradient.
"""),
    ("code", r"""
x = ag.tensor(2.0, requires_grad=True)
f = x ** 3
(d1,) = ag.grad(f, x, create_graph=True)
(d2,) = ag.grad(d1, x, create_graph=True)
(d3,) = ag.grad(d2, x)
print("f', f'', f''' at 2:", d1.item(), d2.item(), d3.item())          # 12, 12, 6

Wh = rng.standard_normal((3, 4)); x0 = rng.standard_normal(4)
H = AF.hessian(lambda v: (ag.Tensor(Wh) @ v).tanh().sum(), ag.Tensor(x0))
t = np.tanh(Wh @ x0)
closed = Wh.T @ np.diag(-2 * t * (1 - t ** 2)) @ Wh
print("Hessian matches the closed form:", np.allclose(H, closed))
"""),
    ("md", r"""
## Exercises · 练习

**1. `sum_to(grad, shape)`.** Write, in numpy, the backward of broadcasting: given the gradient of a
broadcast result and the shape of the original input, return the input's gradient. Sum away the
leading dimensions that broadcasting added, then sum (with `keepdims=True`) every dimension where the
input had size 1 and the result did not.

**2. `linear_backward(X, W, G)`.** For $Y = XW^\top + b$ and $G = \partial L/\partial Y$, return
`(dX, dW, db)` in numpy, using the formulas above. Make it work for a batch of sequences too: if $X$ is
$(B, T, \text{in})$, the weight's and bias's gradients sum over both leading dimensions (reshaping to
$(B\cdot T, \text{in})$ is one way).

The checks compare your results with the engine's gradients, case by case. The reference solutions are
in `notebooks/solutions/nb05.py`.
"""),
    ("code", r"""
def sum_to(grad, shape):
    raise NotImplementedError("exercise: sum grad over the broadcast dimensions until it has this shape")

def linear_backward(X, W, G):
    raise NotImplementedError("exercise: return (dX, dW, db) for Y = X @ W.T + b")
"""),
    ("code", r"""
for check, answer in ((check_sum_to, sum_to), (check_linear_backward, linear_backward)):
    try:
        check(answer)
    except NotImplementedError as exc:
        print("not done yet:", exc)
"""),
    ("md", r"""
## Summary · 小结

* Broadcasting lines shapes up from the right and stretches size-1 dimensions; its backward **sums**
  over every stretched dimension (`sum_to`).
* $Y = XW$ has $\partial L/\partial X = GW^\top$ and $\partial L/\partial W = X^\top G$: the only
  products with the right shapes.
* In a batch, per-example gradients flow to the inputs, and the parameters' gradients are **sums** (or,
  with a mean loss, averages) over the batch.

From here on the course trains with Tensors: optimizers next (notebook 06).
"""),
]

NOTEBOOKS = {"05_tensors_and_broadcasting": NB05}
