"""Cells of notebook 01: build your own Value (after Karpathy's micrograd
lecture, written afresh), checked cell by cell against autograd.Value."""

NB01 = [
    ("md", r"""
# 01 · Build your own Value · 自己动手实现自动微分

Every deep-learning framework rests on one idea: **back propagation (反向传播)**, the chain
rule applied to a recorded computation. In this notebook you build that idea yourself, a
scalar `Value` class in about sixty lines, the same shape as Karpathy's *micrograd*. Each step
is checked against glassgrad's own `autograd.Value`, so you always know whether your code is
right, and at the end the interactive explorer steps through a graph your class built.

What a neural network does, in two passes:

1. **Forward propagation (前向传播)**: the input flows through the network; hidden layers combine
   it with their weights and pass it through an activation function; the output layer gives the
   result.
2. **Back propagation (反向传播)**: we measure the error and compute, for every parameter, how the
   error would change if that parameter moved a little. Moving each parameter against that
   derivative reduces the error: that is learning.

Everything below is about the second pass. By the end you will have written every line that
`loss.backward()` runs.
"""),
    ("code", r"""
import math
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag                      # glassgrad's engine: ag.Value is the reference
from autograd.viz import draw_graph, explore
from course_checks.nb01 import compare, check_value_class, check_relu_sigmoid
"""),
    ("md", r"""
## What a derivative is · 导数

The derivative of $f$ at $x$ says how fast $f$ changes when $x$ is nudged:

$$f'(x) = \lim_{h \to 0} \frac{f(x + h) - f(x)}{h}.$$

Take $f(x) = 3x^2 - 4x + 5$. Calculus gives $f'(x) = 6x - 4$, so $f'(3) = 14$: near $x = 3$ the
function rises 14 times as fast as $x$. We can also *measure* it, with a small $h$. The
central difference $\frac{f(x+h) - f(x-h)}{2h}$ is more accurate (its error shrinks like $h^2$,
not $h$), and it is how `gradcheck` referees every gradient in this library.
"""),
    ("code", r"""
def f(x):
    return 3 * x ** 2 - 4 * x + 5

h = 1e-5
for x0 in (-1.0, 2 / 3, 3.0):
    numeric = (f(x0 + h) - f(x0 - h)) / (2 * h)
    print(f"x = {x0:6.3f}: numeric slope {numeric:9.5f}   6x - 4 = {6 * x0 - 4:9.5f}")

xs = np.linspace(-2, 4, 200)
plt.figure(figsize=(6, 3.2))
plt.plot(xs, f(xs), label="f(x) = 3x² − 4x + 5")
plt.plot(xs, f(3.0) + 14 * (xs - 3.0), "--", label="tangent at x = 3, slope 14")
plt.scatter([3.0], [f(3.0)], color="k", zorder=3)
plt.ylim(-5, 45); plt.legend(); plt.title("the derivative is the slope of the tangent"); plt.show()
"""),
    ("md", r"""
With several inputs, each input has its own **partial derivative**: hold the others still, nudge
one. For $d = a b + c$ at $a = 2, b = -3, c = 10$:
$\partial d/\partial a = b = -3$, $\partial d/\partial b = a = 2$, $\partial d/\partial c = 1$.
A network's loss is such a function of thousands of parameters, and we want all its partial
derivatives at once, without nudging each parameter separately. That is what the graph is for.

## Step 1: a Value that remembers where it came from · 计算图

A `Value` wraps one number (`data`) and remembers the values it was computed from (`_prev`) and
the operation (`_op`). Python calls `__add__` for `a + b` and `__mul__` for `a * b`; each
returns a new `Value` whose `_prev` are its inputs. After a few operations the objects form a
**computation graph (计算图)**: a directed acyclic graph from the inputs to the output.
"""),
    ("code", r"""
class Value:
    def __init__(self, data, _prev=(), _op="", label=""):
        self.data = data
        self._prev = _prev
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data:.4f})"

    def __add__(self, other):
        return Value(self.data + other.data, (self, other), "+")

    def __mul__(self, other):
        return Value(self.data * other.data, (self, other), "*")

a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
e = a * b
d = e + c
print(d, "computed by", d._op, "from", d._prev)

A, B, C = ag.Value(2.0), ag.Value(-3.0), ag.Value(10.0)
E = A * B; D = E + C
compare({"a": (a, A), "b": (b, B), "e": (e, E), "d": (d, D)}, grads=False)
"""),
    ("md", r"""
Forward values agree. Now the gradients.

## Step 2: local derivatives and the chain rule · 链式法则

Write $L$ for the final output. We want $\partial L/\partial v$ for every node $v$; call it
`v.grad`. For the output itself $\partial L / \partial L = 1$. For any other node, the **chain
rule (链式法则)** says: if $v$ feeds into $o$, then

$$\frac{\partial L}{\partial v} = \frac{\partial L}{\partial o}\cdot\frac{\partial o}{\partial v}.$$

The first factor is `o.grad`, already known if we work from the output backwards. The second is
the **local derivative** of one small operation, which the operation knows by itself:

| operation | local derivatives |
|---|---|
| $o = a + b$ | $\partial o/\partial a = 1$, $\partial o/\partial b = 1$: addition routes the gradient unchanged to both inputs |
| $o = a \cdot b$ | $\partial o/\partial a = b$, $\partial o/\partial b = a$: multiplication swaps its inputs |
| $o = \tanh a$ | $\partial o/\partial a = 1 - \tanh^2 a = 1 - o^2$ |
| $o = a^k$ | $\partial o/\partial a = k\,a^{k-1}$ |
| $o = e^a$ | $\partial o/\partial a = e^a = o$ |

So each operation gets a small function, `_backward`, that multiplies the gradient arriving at
its output by its local derivatives and passes the products to its inputs. We write it as a
**closure (闭包)**: a function defined inside `__add__` that remembers `self`, `other` and `out`
after `__add__` has returned. The graph then carries its own backward pass, one closure per
node.
"""),
    ("code", r"""
class Value:
    def __init__(self, data, _prev=(), _op="", label=""):
        self.data, self._prev, self._op, self.label = data, _prev, _op, label
        self.grad = 0.0                     # dL/d(this value); 0 until backward runs
        self._backward = lambda: None       # a leaf has nothing to pass on

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")
        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")
        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward
        return out
"""),
    ("md", r"""
Now a neuron, $o = \tanh(x_1 w_1 + x_2 w_2 + b)$, and its backward pass called **by hand**, node
by node, from the output back to the inputs. Each line below is one application of the chain
rule; compare each node with glassgrad's.
"""),
    ("code", r"""
def neuron(V):
    x1, x2 = V(2.0, label="x1"), V(0.0, label="x2")
    w1, w2 = V(-3.0, label="w1"), V(1.0, label="w2")
    b = V(6.8813735870195432, label="b")
    x1w1 = x1 * w1; x2w2 = x2 * w2
    n = x1w1 + x2w2 + b
    o = n.tanh()
    return dict(x1=x1, w1=w1, x2=x2, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, n=n, o=o)

mine = neuron(Value)
mine["o"].grad = 1.0              # dL/dL = 1 at the output
mine["o"]._backward()             # n.grad = (1 - o^2) * 1
mine["n"]._backward()             # to (x1w1 + x2w2) and b
mine["n"]._prev[0]._backward()    # the inner sum: to x1w1 and x2w2
mine["x1w1"]._backward()          # to x1 and w1
mine["x2w2"]._backward()          # to x2 and w2

ref = neuron(ag.Value)
ref["o"].backward()
compare({k: (mine[k], ref[k]) for k in mine})
"""),
    ("md", r"""
Read the table against the chain rule. $o = \tanh(n) = 0.7071$, so $\partial o/\partial n = 1 -
0.7071^2 = 0.5$. The additions copy that 0.5 to `b`, `x1w1` and `x2w2`. The multiplications
swap: `w1.grad` $= x_1 \cdot 0.5 = 1$ and `x1.grad` $= w_1 \cdot 0.5 = -1.5$. And `w2.grad` is 0
because $x_2 = 0$: a weight whose input is zero has no influence on the output.

## Step 3: topological order · 拓扑排序

Calling each `_backward` by hand only worked because we called them in a valid order: a node's
`_backward` may run only once its own `grad` is complete, that is, after every node that *uses*
it has passed its gradient back. An ordering of the graph in which every node comes after all of
its inputs is a **topological order (拓扑排序)**; reversed, it is exactly the order backward
needs. A depth-first search builds it: visit a node's inputs first, then append the node.
"""),
    ("code", r"""
def topological_order(root):
    order, visited = [], set()
    def visit(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                visit(child)
            order.append(v)         # appended only after all its inputs
    visit(root)
    return order

mine = neuron(Value)
order = topological_order(mine["o"])
print(" -> ".join(v.label or v._op for v in order))
"""),
    ("md", r"""
Every input appears before the operations that use it, and the output `o` comes last. So
`backward()` is: order the graph, seed the output's gradient with 1, and call `_backward` on
every node in reverse order. (This recursive search hits Python's recursion limit near a thousand
nodes deep; `autograd.Value` uses an iterative walk instead, so a graph of a million nodes is
fine. The order it produces is the same idea.)
"""),
    ("code", r"""
def backward(self):
    order = topological_order(self)
    self.grad = 1.0
    for v in reversed(order):
        v._backward()

Value.backward = backward           # add the method to the class we already have

mine = neuron(Value)
mine["o"].backward()
ref = neuron(ag.Value)
ref["o"].backward()
compare({k: (mine[k], ref[k]) for k in mine})
"""),
    ("md", r"""
## Step 4: the `+=` bug, and its fix · 梯度累加

Why did every `_backward` write `self.grad += ...` rather than `self.grad = ...`? Because a node
can feed **several** operations, and then its gradient is the **sum** of what each one sends
back. This is the *multivariable chain rule*: if $v$ reaches $L$ along several paths,

$$\frac{\partial L}{\partial v} = \sum_{\text{uses } o \text{ of } v} \frac{\partial L}{\partial o}\,\frac{\partial o}{\partial v}.$$

The smallest case is $b = a + a$: $\partial b/\partial a = 2$. A `_backward` that *assigns*
overwrites the first contribution with the second and reports 1. Here is that bug, in a class
that differs from ours only in `=` for `+=`:
"""),
    ("code", r"""
class BuggyValue(Value):
    def __add__(self, other):
        out = BuggyValue(self.data + other.data, (self, other), "+")
        def _backward():
            self.grad = out.grad          # BUG: assigns, so the second use overwrites the first
            other.grad = out.grad
        out._backward = _backward
        return out

a = BuggyValue(3.0); (a + a).backward()
print("buggy: d(a + a)/da =", a.grad)
a = Value(3.0); (a + a).backward()
print("fixed: d(a + a)/da =", a.grad)
A = ag.Value(3.0); (A + A).backward()
print("autograd.Value says:", A.grad)
"""),
    ("md", r"""
The bug hides in every graph where nothing is reused and appears as soon as something is: a
weight used for every example in a batch, an embedding row used twice in a sentence, a residual
connection. Accumulating with `+=` fixes it.

Accumulation has a consequence you must handle yourself: gradients from **two calls** of
`backward()` add up too. Before every backward pass of a training loop, set every parameter's
`grad` back to zero; forgetting it is the classic *zero_grad bug* (PyTorch's `opt.zero_grad()`
exists for this). Watch the gradient double:
"""),
    ("code", r"""
w = Value(-3.0); x = Value(2.0)
for attempt in (1, 2):
    (w * x).backward()
    print(f"after backward call {attempt}: w.grad = {w.grad}   (the true derivative is {x.data})")
w.grad = 0.0                                      # zero_grad
(w * x).backward()
print("after zeroing first:       w.grad =", w.grad)
"""),
    ("md", r"""
## Step 5: the whole class, in about sixty lines · 完整实现

Now the operations a network needs. Two design choices keep the class small:

* Python numbers are wrapped: `other = other if isinstance(other, Value) else Value(other)`, so
  `2 * a` and `a + 1` work. `__radd__` and `__rmul__` handle a number on the *left*: Python
  tries `int.__add__` first, fails, and then calls `a.__radd__(2)`.
* Subtraction, negation and division are written with the operations we already have:
  $a - b = a + (-1)\,b$ and $a / b = a \cdot b^{-1}$. Their gradients then come for free, from the
  rules of `*`, `+` and `**`. For instance $\partial (a/b)/\partial b = a \cdot (-1)\,b^{-2}$,
  which is the quotient rule.

`exp` has the pleasant local derivative $e^a$ (the output itself), and `__pow__` takes a number
exponent $k$ with local derivative $k a^{k-1}$.
"""),
    ("code", r"""
class Value:
    def __init__(self, data, _prev=(), _op="", label=""):
        self.data, self._prev, self._op, self.label = float(data), _prev, _op, label
        self.grad = 0.0
        self._backward = lambda: None

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        assert isinstance(k, (int, float)), "only number exponents"
        out = Value(self.data ** k, (self,), f"**{k}")
        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")
        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")
        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def backward(self):
        order, visited = [], set()
        def visit(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    visit(child)
                order.append(v)
        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()

    def __neg__(self): return self * -1
    def __sub__(self, other): return self + (-other)
    def __rsub__(self, other): return (-self) + other
    def __radd__(self, other): return self + other
    def __rmul__(self, other): return self * other
    def __truediv__(self, other): return self * other ** -1
    def __rtruediv__(self, other): return other * self ** -1
"""),
    ("md", r"""
`check_value_class` runs ten expressions on your class and on `autograd.Value`, among them
`a + a`, constants on both sides, division and powers, a reused intermediate, and compares every
input's gradient. (If you change the class above and break something, this is where you find
out.)
"""),
    ("code", r"""
check_value_class(Value)
"""),
    ("md", r"""
One more check, with a different referee: a numeric derivative. $\tanh$ can also be written
with `exp` as $\frac{e^{2x} - 1}{e^{2x} + 1}$; building the neuron that way gives a much longer
graph, but the same gradients, and a central difference agrees with both.
"""),
    ("code", r"""
def neuron_via_exp(w_value):
    x, w, b = Value(2.0), Value(w_value), Value(6.8813735870195432)
    n = x * w + b
    e = (2 * n).exp()
    return w, (e - 1) / (e + 1)

w, o = neuron_via_exp(-3.0)
o.backward()
numeric = (neuron_via_exp(-3.0 + 1e-6)[1].data - neuron_via_exp(-3.0 - 1e-6)[1].data) / 2e-6
print(f"tanh via exp: o = {o.data:.6f}   dw by backward {w.grad:.6f}   by central difference {numeric:.6f}")
assert abs(w.grad - numeric) < 1e-6 and abs(w.grad - 1.0) < 1e-6
"""),
    ("md", r"""
## Step 6: your graph in the explorer · 可视化

glassgrad's pictures and its explorer draw `autograd.Value` graphs. Your class records the same
information (`data`, `_prev`, `_op`), so a graph built with it can be **replayed**: visit your
nodes in topological order and apply the same operation to `autograd.Value`s. The replayed graph
has the same nodes, so its gradients must match yours node for node, and then the explorer can
draw it. The explorer below steps through the forward pass and then the backward pass of *your*
neuron, with your labels (`x1`, `w1`, ...): use the buttons or the arrow keys, and point at a node to
see its value and gradient. Each backward step writes out its chain-rule products, such as
`grad(w1) += grad(*#5) * d*#5/dw1 = 0.5000 * 2.0000` (a node without a label is named after its op
and a number), and the gradient appears in the node's box. It is made
after `backward()`: like micrograd, a `Value` keeps its few local derivatives, so every product is
still there.
"""),
    ("code", r"""
def replay(root):
    # rebuild root's graph with autograd.Value; returns {your node: its replayed twin}
    twin = {}
    for v in topological_order(root):
        inputs = [twin[p] for p in v._prev]
        if not inputs:
            twin[v] = ag.Value(v.data, label=v.label)
        elif v._op == "+":
            twin[v] = inputs[0] + inputs[1]
        elif v._op == "*":
            twin[v] = inputs[0] * inputs[1]
        elif v._op.startswith("**"):
            twin[v] = inputs[0] ** float(v._op[2:])
        else:                                   # tanh, exp: methods of the same name
            twin[v] = getattr(inputs[0], v._op)()
        twin[v].label = v.label
    return twin

mine = neuron(Value)
twin = replay(mine["o"])
mine["o"].backward()
twin_root = twin[mine["o"]]
twin_root.backward()
compare({k: (mine[k], twin[mine[k]]) for k in ("x1", "w1", "x2", "w2", "b", "n", "o")})
explore(twin_root)                              # your neuron, every step with its numbers
"""),
    ("md", r"""
The static picture of the same graph after the backward pass, with every node's data and grad:
"""),
    ("code", r"""
draw_graph(twin_root)
"""),
    ("md", r"""
## Exercise · 练习: `relu` and `sigmoid` for your Value

Add two activation functions to your class, each with its own `_backward` closure:

* $\mathrm{relu}(x) = \max(0, x)$, with local derivative $1$ where $x > 0$ and $0$ elsewhere;
* $\sigma(x) = \frac{1}{1 + e^{-x}}$, with local derivative $\sigma(x)\,(1 - \sigma(x))$. (Derive it:
  $\sigma' = \frac{e^{-x}}{(1 + e^{-x})^2} = \frac{1}{1 + e^{-x}}\cdot\frac{e^{-x}}{1 + e^{-x}} = \sigma(1-\sigma)$.)

Fill in the two functions below (they are attached to the class as methods), then run the check
cell: it prints `correct` when your forward values and gradients match `autograd.Value` at
several inputs, and otherwise tells you which input and which value differ. Remember `+=`. The
reference solution is in `notebooks/solutions/nb01.py`; try first.
"""),
    ("code", r"""
def relu(self):
    raise NotImplementedError("exercise: build out = Value(max(0, x), (self,), 'relu') and its _backward")

def sigmoid(self):
    raise NotImplementedError("exercise: build out = Value(1 / (1 + exp(-x)), (self,), 'sigmoid') and its _backward")

Value.relu = relu
Value.sigmoid = sigmoid
"""),
    ("code", r"""
try:
    check_relu_sigmoid(Value)
except NotImplementedError as exc:
    print("not done yet:", exc)
"""),
    ("md", r"""
## What you built · 小结

* A `Value` records its inputs and operation, so a computation **is** a graph.
* Each operation knows its **local derivative**; its `_backward` closure multiplies the gradient
  arriving from above by it and adds the product into its inputs' `grad` (the chain rule).
* `backward()` walks the graph in **reverse topological order**, so a node's gradient is complete
  before it is passed on.
* Gradients **accumulate** (`+=`), which makes reused nodes correct and makes `zero_grad`
  necessary between steps.

`autograd.Value` is the same design, made sturdier: an iterative walk instead of recursion, no
closures (each node stores its local derivatives as numbers, so a graph holds no reference
cycles), clear errors for `log` of a negative number, and overflow that gives `inf` instead of an
exception. Next notebook: neurons, layers and a training loop, written by you, on top of it.
"""),
]

NOTEBOOKS = {"01_build_your_own_value": NB01}
