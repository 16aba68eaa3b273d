"""Cells of notebook 02: a neuron, an MLP and a training loop written by the
learner on autograd.Value (old notebooks 01 and 04, deepened)."""

NB02 = [
    ("md", r"""
# 02 · A neuron, an MLP, a training loop · 神经元、多层感知机与训练循环

In notebook 01 you built the engine. Now you build, on top of it, the thing it exists for: a
neural network that learns. Three pieces, each written by you in a few lines:

1. a **neuron (神经元)**: a weighted sum of its inputs plus a bias, through an activation;
2. a **layer** of neurons that read the same inputs, and a **multilayer perceptron (多层感知机,
   MLP)**: layers in a row;
3. a **training loop (训练循环)**: forward, loss, zero the gradients, backward, update, repeat.

We use glassgrad's `autograd.Value` (the sturdy twin of the class you wrote; yours works too), and
check your network against the library's own `nn.scalar.MLP`. Along the way the explorer shows one
real training step, forward and backward, node by node.
"""),
    ("code", r"""
import random
import numpy as np
import matplotlib.pyplot as plt
from autograd import Value, no_grad
from autograd.viz import draw_graph, explore
from nn.data import make_moons
from course_checks.nb02 import check_mlp, check_train_step
"""),
    ("md", r"""
## A neuron · 神经元

A neuron with inputs $x_1, \dots, x_n$ computes

$$y = \varphi\Big(\sum_{i=1}^n w_i x_i + b\Big),$$

where $\varphi$ is an activation function (here $\tanh$). The seed note puts the roles plainly:

* the **weight (权重)** $w_i$ says *how important that input is*: a large $|w_i|$ makes the output
  sensitive to $x_i$, $w_i = 0$ ignores it, and a negative $w_i$ turns "more $x_i$" into "less $y$";
* the **bias (偏置)** $b$ *shifts the activation left or right*: $\tanh(wx + b)$ is $\tanh(wx)$ moved by
  $-b/w$ along the $x$ axis, so the neuron can switch on at any threshold, not only at 0.
"""),
    ("code", r"""
xs = np.linspace(-4, 4, 200)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
for weight in (0.5, 1, 3, -1):
    axes[0].plot(xs, np.tanh(weight * xs), label=f"w = {weight}")
axes[0].set_title("the weight: how strongly x matters"); axes[0].legend(fontsize=8)
for bias in (-2, 0, 2):
    axes[1].plot(xs, np.tanh(xs + bias), label=f"b = {bias}")
axes[1].set_title("the bias shifts the curve left or right"); axes[1].legend(fontsize=8)
plt.tight_layout(); plt.show()
"""),
    ("md", r"""
Written as a class, a neuron owns its parameters (one weight per input, one bias, started at small
random values so that neurons differ from one another) and is called on a list of inputs. Python's
`sum(..., start)` adds the products to the bias one by one; every addition and multiplication is a
`Value` operation, so the call builds a graph.
"""),
    ("code", r"""
class Neuron:
    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin                       # the output layer stays linear

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]

random.seed(0)
n = Neuron(2)
y = n([2.0, -1.0])
print(y, "from", len(n.parameters()), "parameters")
draw_graph(y)
"""),
    ("md", r"""
## A layer and an MLP · 层与多层感知机

A **layer** is `nout` independent neurons reading the same inputs: it maps a vector of length
`nin` to a vector of length `nout`. An **MLP** feeds each layer's outputs to the next. With sizes
`MLP(3, [4, 4, 1])` the shapes are $3 \to 4 \to 4 \to 1$ and the parameter count is
$4(3+1) + 4(4+1) + 1(4+1) = 41$: each neuron has one weight per input plus a bias.

The hidden layers use $\tanh$; the last layer is **linear**, so the output can take any value, not
only $(-1, 1)$. Without the non-linearity in between, the whole stack would collapse into a single
linear map (notebook 03 shows this), and depth would buy nothing.
"""),
    ("code", r"""
class Layer:
    def __init__(self, nin, nout, nonlin=True):
        self.neurons = [Neuron(nin, nonlin) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

class MLP:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i < len(nouts) - 1) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

random.seed(1)
model = MLP(3, [4, 4, 1])
print(model([2.0, 3.0, -1.0]), "with", len(model.parameters()), "parameters")
check_mlp(MLP)
"""),
    ("md", r"""
`check_mlp` copied your random weights into `nn.scalar.MLP(3, [4, 4, 1], activation="tanh")` and
compared outputs and all 41 gradients. The library's class is the same idea with two extras: it
derives from `nn.Module` (so it has `zero_grad()`, `state_dict()`, `train()`/`eval()`), and by
default each neuron's weighted sum is one fused `dot` node instead of $2n$ nodes, which makes
training several times faster with the same numbers.

## A loss, and what "learning" means · 损失函数与学习

Take four examples with three features each and targets $\pm 1$. The network's predictions
$\hat y_k$ start out arbitrary. A **loss (损失)** turns "how wrong" into one number; the mean squared
error is

$$L = \frac{1}{N}\sum_{k=1}^{N} (\hat y_k - y_k)^2 .$$

$L$ is a function of all 41 parameters, and `L.backward()` gives $\partial L/\partial p$ for each of
them at once. The gradient points in the direction of steepest *increase*; a small step against it,

$$p \leftarrow p - \eta\,\frac{\partial L}{\partial p},$$

lowers the loss (for a small enough **learning rate (学习率)** $\eta$). That is gradient descent, and
repeating it is training.
"""),
    ("code", r"""
xs_small = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys_small = [1.0, -1.0, -1.0, 1.0]

random.seed(1)
model = MLP(3, [4, 4, 1])
history = []
for step in range(40):
    predictions = [model(x) for x in xs_small]                                     # 1. forward
    loss = sum((p - y) ** 2 for p, y in zip(predictions, ys_small)) * (1 / len(xs_small))  # 2. loss
    for p in model.parameters():                                                   # 3. zero the gradients
        p.grad = 0.0
    loss.backward()                                                                # 4. backward
    for p in model.parameters():                                                   # 5. update
        p.data -= 0.05 * p.grad
    history.append(loss.data)
print("loss at steps 0, 10, 20, 39:", [round(history[i], 4) for i in (0, 10, 20, 39)])
print("predictions now:", [round(model(x).data, 3) for x in xs_small], "targets:", ys_small)
"""),
    ("md", r"""
Step 3 is the one people forget. Gradients *accumulate* (notebook 01, the `+=`), so without zeroing,
each step would follow the sum of all gradients so far instead of the current one: a momentum
nobody asked for, which usually makes the loss jump around or explode.

The learning rate decides a lot. Too small and the loss creeps; too large and each step overshoots
the valley it is trying to descend. Here are the same 40 steps at four rates; at $\eta = 1$ the loss
grows by orders of magnitude per step and soon leaves the top of the plot (it *diverges*):
"""),
    ("code", r"""
def run(lr, steps=40):
    random.seed(1)
    m = MLP(3, [4, 4, 1])
    out = []
    for _ in range(steps):
        loss = sum((m(x) - y) ** 2 for x, y in zip(xs_small, ys_small)) * 0.25
        for p in m.parameters():
            p.grad = 0.0
        loss.backward()
        for p in m.parameters():
            p.data -= lr * p.grad
        out.append(loss.data)
    return out

plt.figure(figsize=(6, 3.2))
for lr in (0.005, 0.05, 0.2, 1.0):
    plt.plot(run(lr), label=f"lr = {lr}")
plt.yscale("log"); plt.ylim(1e-5, 1e3); plt.xlabel("step"); plt.ylabel("loss (log scale)"); plt.legend()
plt.title("the learning rate decides how fast, and whether, it learns"); plt.show()
"""),
    ("md", r"""
## One real step in the explorer · 探索一次训练

A training step's graph is too big to read at full size, so take a small one: a `2 → 3 → 1` network
and one example. The explorer below starts from the inputs and weights, steps through the forward
pass (each node lights up as it is computed), then the backward pass: the node being processed is
highlighted and the caption gives its chain-rule products, `grad(w) += grad(out) * dout/dw`. Point at
any weight to see the gradient that the update step will use. It is built before `backward()`, so
every number is there.
"""),
    ("code", r"""
random.seed(3)
tiny = MLP(2, [3, 1])
for i, p in enumerate(tiny.parameters()):
    p.label = f"p{i}"
x_example, y_example = [Value(0.5, label="x0"), Value(-1.5, label="x1")], 1.0
prediction = tiny(x_example); prediction.label = "prediction"
loss = (prediction - y_example) ** 2; loss.label = "loss"
page = explore(loss)
loss.backward()
print(f"loss {loss.data:.4f}; gradients of the first neuron: "
      + ", ".join(f"{p.label} {p.grad:+.4f}" for p in tiny.parameters()[:3]))
page
"""),
    ("md", r"""
The library's `nn.scalar.MLP` is the same network as an `nn.Module`. Give the model to the explorer
(`model=`) and each weight is shown under its `state_dict` name, `layers.0.neurons.1.w.0` (layer 0,
neuron 1, weight 0), the name it has in a saved checkpoint:
"""),
    ("code", r"""
random.seed(3)
import nn
library_tiny = nn.scalar.MLP(2, [3, 1], activation="tanh")
loss = (library_tiny([0.5, -1.5]) - y_example) ** 2
loss.backward()
explore(loss, model=library_tiny)                 # after backward(): a Value keeps its products
"""),
    ("md", r"""
## A real dataset: two moons · 双月数据集

Four points are a toy. The *moons* dataset has two interleaved half-circles, which no straight line
separates: the network must learn a curved **decision boundary (决策边界)**. We train a `2 → 8 → 8 → 1`
MLP on 60 points for 200 steps, with labels $\pm1$, predicting the sign. Every weight is a scalar `Value`, so one
step builds a graph of a few thousand nodes per example: slow next to tensors (notebook 05), but
every number is one you could inspect.
"""),
    ("code", r"""
X, labels = make_moons(60, noise=0.1, random_state=0)
targets = [2.0 * t - 1.0 for t in labels]            # classes 0/1 -> targets -1/+1

random.seed(5)
moons_model = MLP(2, [8, 8, 1])
moons_history = []
for step in range(200):
    lr = 0.2 if step < 150 else 0.05
    preds = [moons_model(list(x)) for x in X]
    loss = sum((p - t) ** 2 for p, t in zip(preds, targets)) * (1 / len(X))
    for p in moons_model.parameters():
        p.grad = 0.0
    loss.backward()
    for p in moons_model.parameters():
        p.data -= lr * p.grad
    accuracy = np.mean([(p.data > 0) == (t > 0) for p, t in zip(preds, targets)])
    moons_history.append((loss.data, accuracy))
print(f"after 200 steps: loss {moons_history[-1][0]:.3f}, training accuracy {moons_history[-1][1]:.2f}")
"""),
    ("code", r"""
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
axes[0].plot([h[0] for h in moons_history], label="loss"); axes[0].plot([h[1] for h in moons_history], label="accuracy")
axes[0].set_xlabel("step"); axes[0].legend(); axes[0].set_title("training")
gx, gy = np.meshgrid(np.linspace(-1.5, 2.5, 30), np.linspace(-1.0, 1.5, 30))
with no_grad():                                       # drawing needs no graph
    zz = np.array([moons_model([a, b]).data for a, b in zip(gx.ravel(), gy.ravel())])
axes[1].contourf(gx, gy, zz.reshape(gx.shape), levels=[-10, 0, 10], colors=["#9ecae1", "#fcae91"], alpha=0.5)
axes[1].scatter(X[:, 0], X[:, 1], c=labels, cmap="coolwarm", s=18); axes[1].set_title("decision boundary")
plt.show()
"""),
    ("md", r"""
The boundary bends around the moons: each hidden $\tanh$ unit draws a soft line across the plane,
and the next layer combines these half-planes into a curved region. Inside `no_grad()` the
forward pass records nothing, which is what you want when you only evaluate.

## Exercise · 练习: write the training step

Write `train_step(model, xs, ys, lr)`: one step of gradient descent on the mean squared error, for
any model with `__call__` and `parameters()` (yours above, or `nn.scalar.MLP`). It must

1. compute the loss $L = \frac1N \sum_k (\text{model}(x_k) - y_k)^2$,
2. set every parameter's `grad` to 0, then call `L.backward()`,
3. move every parameter by $-\eta\,\partial L/\partial p$,
4. return the loss **before** the update, as a float (`L.data`).

`check_train_step` runs three of your steps on a fresh model and three reference steps on an
identical one, and compares every parameter; it recognises the forgotten `zero_grad` and says so.
The reference solution is in `notebooks/solutions/nb02.py`.
"""),
    ("code", r"""
def train_step(model, xs, ys, lr):
    raise NotImplementedError("exercise: forward, loss, zero the grads, backward, update; return loss.data")
"""),
    ("code", r"""
try:
    check_train_step(train_step)
except NotImplementedError as exc:
    print("not done yet:", exc)
"""),
    ("md", r"""
## Summary · 小结

* A **neuron** is $\varphi(w \cdot x + b)$; a **layer** is many neurons on the same inputs; an
  **MLP** is layers in a row, non-linear except the last.
* **Training** repeats five steps: forward, loss, zero the gradients, backward, update.
* The **learning rate** trades speed against stability; the loss curve tells you which side you
  are on.
* Scalar `Value`s make every number visible and every step slow. Notebook 05 does the same maths on
  whole arrays at once with `Tensor`, which is how the rest of the course trains.

Before that: which activation to use (notebook 03) and which loss (notebook 04).
"""),
]

NOTEBOOKS = {"02_neuron_mlp_training_loop": NB02}
