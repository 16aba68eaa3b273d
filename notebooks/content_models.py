"""Cells of notebooks 04 (MLP from scratch), 05 (tensors and broadcasting),
06 (training a classifier) and 07 (gradcheck and debugging)."""

NB04 = [
    ("md", r"""
# 04 · A multilayer perceptron from scratch · 从零实现多层感知机

Every weight in this network is its own scalar `Value`, so nothing is hidden: a forward
pass builds a graph of a few thousand additions and multiplications, and `backward()`
walks it with the chain rule, exactly as in notebook 01.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
from autograd import Value, no_grad
from autograd.viz import draw_graph
from nn.scalar import MLP, Neuron
from nn.optim import SGD
from nn.data import make_moons

X, y = make_moons(80, noise=0.1, random_state=0)
signs = 2 * y - 1                      # labels in {-1, +1} for the hinge (SVM) loss
plt.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=18); plt.title("moons"); plt.show()
"""),
    ("md", "## One neuron, drawn\n\nA neuron with two inputs: `w0*x0 + w1*x1 + b`, then ReLU. With `fused=False` the graph has a node per multiply and add, so the picture shows every intermediate value."),
    ("code", r"""
neuron = Neuron(2, rng=__import__("random").Random(0), fused=False)
out = neuron([Value(X[0, 0], label="x0"), Value(X[0, 1], label="x1")])
out.label = "out"
out.backward()
draw_graph(out)
"""),
    ("md", r"""
## The network

`MLP(2, [16, 16, 1])`: two hidden layers of 16 ReLU neurons and one linear output, the
same call as micrograd's. Its neurons are fused (the default): each weighted sum
`b + w0*x0 + w1*x1 + ...` is one `dot` node whose local derivatives are the inputs (for
the weights) and the weights (for the inputs). The numbers are the same as with a node
per multiply and add, and training is several times faster. The loss is the SVM's hinge loss, $\max(0, 1 - y\cdot\text{score})$,
averaged over the points, plus a little L2 regularisation.
"""),
    ("code", r"""
model = MLP(2, [16, 16, 1], seed=0)
print(repr(model)[:90], "...")
print("number of parameters:", len(model.parameters()), "= (2+1)*16 + (16+1)*16 + (16+1)*1")

def loss_and_accuracy():
    scores = [model([float(a), float(b)]) for a, b in X]
    margins = [(1 - s * float(t)).relu() for s, t in zip(scores, signs)]
    data_loss = sum(margins) * (1.0 / len(margins))
    reg = 1e-4 * sum(p * p for p in model.parameters())
    accuracy = np.mean([(s.data > 0) == (t > 0) for s, t in zip(scores, signs)])
    return data_loss + reg, accuracy

loss, acc = loss_and_accuracy()
print(f"before training: loss {loss.data:.3f}, accuracy {acc:.2f}")
"""),
    ("code", r"""
opt = SGD(model.parameters(), lr=0.5, momentum=0.9)
history = []
for step in range(40):
    opt.lr = 0.5 * (1 - 0.9 * step / 40)
    loss, acc = loss_and_accuracy()
    opt.zero_grad()
    loss.backward()
    opt.step()
    history.append((loss.data, acc))
    if step % 10 == 0 or step == 39:
        print(f"step {step:2d}: loss {loss.data:.4f}  accuracy {acc:.2f}")
"""),
    ("code", r"""
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
axes[0].plot([h[0] for h in history], label="loss"); axes[0].plot([h[1] for h in history], label="accuracy")
axes[0].set_xlabel("step"); axes[0].legend(); axes[0].set_title("training")

xx, yy = np.meshgrid(np.linspace(-1.5, 2.5, 40), np.linspace(-1.0, 1.5, 40))
with no_grad():                                    # drawing needs no graph
    zz = np.array([model([float(a), float(b)]).data for a, b in zip(xx.ravel(), yy.ravel())])
axes[1].contourf(xx, yy, (zz > 0).reshape(xx.shape), cmap="coolwarm", alpha=0.3)
axes[1].scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=18); axes[1].set_title("decision boundary")
plt.show()
"""),
    ("md", r"""
The boundary bends around both moons: the hidden ReLU layers cut the plane into pieces and
the output combines them. The same network written with Tensors (notebook 06) runs the same
maths on whole arrays at once, thousands of times faster.
"""),
]

NB05 = [
    ("md", r"""
# 05 · Tensors, broadcasting and higher-order gradients · 张量与广播

A `Tensor` is a numpy array in the graph. Operations broadcast as in numpy, and the engine
undoes broadcasting in the backward pass: if a tensor was repeated along an axis in the
forward pass, its gradient is **summed** along that axis.
"""),
    ("code", r"""
import numpy as np
import autograd as ag
import autograd.functional as AF
from autograd.viz import draw_graph

X = ag.Tensor(np.arange(12, dtype=np.float32).reshape(3, 4)); X.name = "X"
W = ag.Tensor(np.ones((3, 4), np.float32), requires_grad=True); W.name = "W"
b = ag.zeros(4, requires_grad=True); b.name = "b"
loss = (X * W + b).sum()
loss.backward()         # frees what each node saved; the graph's structure stays
draw_graph(loss)
"""),
    ("md", r"""
Each box after an ellipse is a node of the backward graph (`loss.grad_fn`, and its
`next_functions`), not a tensor: a node keeps only what its op's backward reads, and
`backward()` frees that as soon as the node's rule has run. The structure stays, so the
picture after `backward()` has every op and leaf, with the leaves' gradients.
"""),
    ("code", r"""
print(loss.grad_fn, loss.grad_fn.next_functions)
"""),
    ("md", r"""
`b` has shape (4,) but was added to a (3, 4) tensor: the picture marks the edge where its
gradient goes through `sum_to (4,)`. Each of b's 4 entries was used in 3 rows, so each gets
the sum of 3 ones:
"""),
    ("code", r"""
print("b.grad =", b.grad.numpy())          # [3, 3, 3, 3]
print("W.grad = X:\n", W.grad.numpy())
assert np.array_equal(b.grad, [3, 3, 3, 3]) and np.array_equal(W.grad, X)
"""),
    ("md", "The same rule holds for any broadcast, e.g. a column (3, 1) against a row (1, 4):"),
    ("code", r"""
col = ag.Tensor(np.array([[1.0], [2.0], [3.0]]), requires_grad=True)
row = ag.Tensor(np.array([[10.0, 20.0, 30.0, 40.0]]), requires_grad=True)
table = col * row                        # (3, 4)
table.sum().backward()
print("col.grad =", col.grad.numpy().ravel(), "= row sums of row:", row.sum().item())
print("row.grad =", row.grad.numpy().ravel(), "= sum of col:", col.sum().item())
assert ag.gradcheck(lambda a, c: (a * c).tanh().sum(), [col, row])
"""),
    ("md", r"""
## Higher-order gradients

Backward rules are themselves written with Tensor operations, so with `create_graph=True`
the backward pass is recorded and can be differentiated again.

For $f(x) = x^3$: $f' = 3x^2$, $f'' = 6x$, $f''' = 6$.
"""),
    ("code", r"""
x = ag.tensor(2.0, requires_grad=True)
f = x ** 3
(d1,) = ag.grad(f, x, create_graph=True)
(d2,) = ag.grad(d1, x, create_graph=True)
(d3,) = ag.grad(d2, x)
print(d1.item(), d2.item(), d3.item())          # 12, 12, 6
"""),
    ("md", r"""
## A Hessian

For $f(x) = \sum_i \tanh((Wx)_i)$ the Hessian is $W^\top \mathrm{diag}(-2\tanh(Wx)(1 - \tanh^2(Wx)))\,W$.
`autograd.functional.hessian` gets it by differentiating the gradient; we compare with the
closed form.
"""),
    ("code", r"""
rng = np.random.default_rng(0)
Wm = rng.standard_normal((3, 4)); x0 = rng.standard_normal(4)
H = AF.hessian(lambda v: (ag.Tensor(Wm) @ v).tanh().sum(), ag.Tensor(x0))
t = np.tanh(Wm @ x0)
closed = Wm.T @ np.diag(-2 * t * (1 - t ** 2)) @ Wm
print(np.round(H.numpy(), 4))
print("matches the closed form:", np.allclose(H, closed))
"""),
    ("code", r"""
# Jacobian-vector and Hessian-vector products without building the whole matrix
v = rng.standard_normal(4)
_, Hv = AF.hvp(lambda u: (ag.Tensor(Wm) @ u).tanh().sum(), ag.Tensor(x0), ag.Tensor(v))
print("Hv == H @ v:", np.allclose(Hv, closed @ v))
_, Jv = AF.jvp(lambda u: (ag.Tensor(Wm) @ u).tanh(), ag.Tensor(x0), ag.Tensor(v))
J = (1 - t ** 2)[:, None] * Wm
print("Jv == J @ v:", np.allclose(Jv, J @ v))
"""),
]

NB06 = [
    ("md", r"""
# 06 · Training a classifier on handwritten digits · 训练分类器

The 8×8 digits bundled with scikit-learn (1,797 images), a Tensor MLP and a small CNN,
trained with a PyTorch-shaped loop: `model(x)`, `F.cross_entropy`, `loss.backward()`,
`opt.step()`. `nn.training.train` is the loop behind `glassgrad train`.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn.training import TrainConfig, train, load_dataset

X_train, X_test, y_train, y_test, n_classes = load_dataset("digits", seed=0)
print(X_train.shape, X_test.shape, n_classes)
fig, axes = plt.subplots(1, 8, figsize=(10, 1.6))
for ax, img, label in zip(axes, X_train, y_train):
    ax.imshow(img.reshape(8, 8), cmap="gray_r"); ax.set_title(label); ax.axis("off")
plt.show()
"""),
    ("code", r"""
mlp_cfg = TrainConfig(dataset="digits", model="mlp", hidden=128, epochs=40, lr=0.002, dropout=0.2, label_smoothing=0.1)
mlp = train(mlp_cfg)
print(mlp["model"])
print(f"MLP test accuracy: {mlp['test_accuracy']:.3f}")
"""),
    ("code", r"""
cnn_cfg = TrainConfig(dataset="digits", model="cnn", epochs=40, lr=0.002)
cnn = train(cnn_cfg)
nn.summary(cnn["model"], (1, 64))
print(f"CNN test accuracy: {cnn['test_accuracy']:.3f}")
"""),
    ("code", r"""
fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
for name, result in (("MLP", mlp), ("CNN", cnn)):
    losses, accs = zip(*result["history"])
    axes[0].plot(losses, label=name); axes[1].plot(accs, label=name)
axes[0].set_title("training loss"); axes[1].set_title("training accuracy")
for ax in axes: ax.set_xlabel("epoch"); ax.legend()
plt.show()
"""),
    ("md", "## What the CNN gets wrong"),
    ("code", r"""
model = cnn["model"]
model.eval()
with ag.no_grad():
    probs = model(ag.Tensor(X_test)).softmax(-1).detach().numpy()
pred = probs.argmax(1)
wrong = np.flatnonzero(pred != y_test)
print(f"{len(wrong)} of {len(y_test)} test digits misclassified")
fig, axes = plt.subplots(1, min(8, len(wrong)), figsize=(10, 1.8), squeeze=False)
for ax, i in zip(axes[0], wrong[:8]):
    ax.imshow(X_test[i].reshape(8, 8), cmap="gray_r"); ax.axis("off")
    ax.set_title(f"true {y_test[i]}\npred {pred[i]} ({probs[i, pred[i]]:.0%})", fontsize=9)
plt.show()
"""),
    ("md", "## The model as a picture\n\n`nn.draw_model` runs one forward pass and draws each layer with its output shape and parameter count."),
    ("code", "nn.draw_model(model, (1, 64))"),
    ("md", "Save the weights and load them into a fresh model; the accuracy is unchanged."),
    ("code", r"""
import os
import tempfile
from nn.training import build_model, accuracy
path = os.path.join(tempfile.mkdtemp(), "digits_cnn.npz")
nn.save(model.state_dict(), path)
fresh = build_model(cnn_cfg, 64, 10)
fresh.load_state_dict(nn.load(path))
print(f"reloaded accuracy: {accuracy(fresh, X_test, y_test):.3f}")
"""),
]

NB07 = [
    ("md", r"""
# 07 · gradcheck and debugging · 梯度检查与调试

How do we know a gradient is right? Compare it with the definition of the derivative:
nudge each input by ±ε and look at how the output moves. `gradcheck` does this for every
element, in float64, and prints a table when the two disagree.
"""),
    ("code", r"""
import numpy as np
import autograd as ag

x = ag.tensor(np.array([[0.5, -1.0], [2.0, 0.3]]), requires_grad=True)
w = ag.tensor(np.array([1.5, -0.7]), requires_grad=True)
print(ag.gradcheck(lambda a, b: (a * b).tanh().sum(dim=1), [x, w]))
print(ag.gradgradcheck(lambda a, b: (a * b).tanh().sum(dim=1), [x, w]))
"""),
    ("md", r"""
## A custom op with a bug

Writing your own primitive takes one small class. Here is $y = x^3$ with a deliberately
wrong derivative ($2x^2$ instead of $3x^2$). The engine cannot know the maths is wrong, but
`gradcheck` catches it and shows which elements disagree and by how much.
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
The engine also checks the *form* of every rule: a backward that returns the wrong number
of gradients, or a gradient of the wrong shape, fails at once with the op's name.
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
## Finding the op that made a NaN

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
    ("md", "The error carries the node where the inf was born (`error.node`), so the picture can point at it. The graph is intact (a backward that raises writes no `.grad`), and `draw_graph(..., highlight=node)` marks the culprit: the `Sqrt` whose slope is infinite at 0."),
    ("code", r"""
from autograd.viz import draw_graph

draw_graph(loss, highlight=born, caption=f"the inf was born in {born.name()}'s backward")
"""),
    ("md", r"""
## Hooks: watch (or change) gradients as they flow

`register_hook` calls a function with the gradient arriving at a tensor; returning a tensor
replaces it. This is how gradient clipping per tensor, or simple logging, is done.
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
"""),
    ("code", r"""
# retain_grad keeps a non-leaf tensor's gradient for inspection
a = ag.tensor(np.array([0.5, -0.5]), requires_grad=True)
hidden = a.tanh()
hidden.retain_grad()
(hidden ** 2).sum().backward()
print("d loss / d hidden =", hidden.grad.numpy(), " (= 2 * hidden)")
"""),
]

NOTEBOOKS = {
    "04_mlp_from_scratch": NB04,
    "05_tensors_and_broadcasting": NB05,
    "06_training_a_classifier": NB06,
    "07_gradcheck_and_debugging": NB07,
}
