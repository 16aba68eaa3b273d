"""Cells of notebook 10 (convolution: padding, stride, pooling, the im2col view, and a CNN on digits,
absorbing the classifier of the old notebook 06)."""

NB10 = [
    ("md", r"""
# 10 · Convolution · 卷积: padding, stride, pooling, im2col and a CNN on digits

An MLP treats an image as a flat list of numbers: move the digit one pixel to the right
and, as far as the first layer is concerned, it is a completely different input. A
**convolutional layer (卷积层)** builds two facts about images into the architecture:

* **locality (局部连接)**: a pixel is mostly related to its neighbours, so each output looks
  only at a small window (a 3×3 patch, say) of the input;
* **weight sharing (权值共享)**: a pattern (an edge, a corner, a loop) means the same
  wherever it appears, so the *same* small set of weights, the **kernel** or filter, is slid
  over every position.

The result has far fewer parameters than a dense layer and responds to a shifted input with a
shifted output. This notebook defines the operation precisely, draws what padding, stride
and pooling do, shows the im2col view that turns a convolution into one matrix product, and
finally trains a small CNN on the 8×8 digits and looks inside it.
"""),
    ("md", r"""
## The definition · 定义

A 2-d convolution layer maps an input of shape $(C_\text{in}, H, W)$ to an output of shape
$(C_\text{out}, H', W')$ with a weight of shape $(C_\text{out}, C_\text{in}, k, k)$ and a bias
per output channel. With stride $s$ and zero padding $p$:

$$y_{o,i,j} = b_o + \sum_{c=1}^{C_\text{in}} \sum_{a=0}^{k-1} \sum_{b=0}^{k-1}
w_{o,c,a,b}\; x^{\text{pad}}_{c,\; i s + a,\; j s + b},$$

where $x^{\text{pad}}$ is $x$ surrounded by $p$ rows and columns of zeros. (Strictly this is a
*cross-correlation*; a mathematician's convolution flips the kernel. Deep learning
libraries, PyTorch's `conv2d` and ours included, do not flip, and since the kernel is learned
the difference does not matter.) The window must fit inside the padded input, which gives the
output size

$$H' = \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1 .$$

With $k = 3$, "same" padding $p = 1$ and stride 1, $H' = H$; stride 2 halves the size. The
backward pass follows from the formula: $y$ is linear in $w$ and in $x$, so
$\partial L/\partial w_{o,c,a,b} = \sum_{i,j} \bar y_{o,i,j}\, x^{\text{pad}}_{c,is+a,js+b}$
(correlate the input with the output gradient) and every input pixel collects the gradient
from every window that read it.

First, the formula as four nested loops, compared with `F.conv2d` and with PyTorch.
"""),
    ("code", r"""
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn import functional as F

def conv2d_loops(x, w, b, stride=1, padding=0):
    '''the definition, for one image: x (C, H, W), w (O, C, k, k), b (O,)'''
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    out_channels, _, k, _ = w.shape
    oh = (x.shape[1] + 2 * padding - k) // stride + 1
    ow = (x.shape[2] + 2 * padding - k) // stride + 1
    y = np.zeros((out_channels, oh, ow))
    for o in range(out_channels):
        for i in range(oh):
            for j in range(ow):
                window = xp[:, i * stride:i * stride + k, j * stride:j * stride + k]
                y[o, i, j] = b[o] + (w[o] * window).sum()
    return y

rng = np.random.default_rng(0)
x = rng.standard_normal((2, 7, 7)); w = rng.standard_normal((3, 2, 3, 3)); b = rng.standard_normal(3)
for stride, padding in ((1, 0), (1, 1), (2, 1)):
    ours = F.conv2d(ag.tensor(x[None]), ag.tensor(w), ag.tensor(b), stride=stride, padding=padding).numpy()[0]
    loops = conv2d_loops(x, w, b, stride, padding)
    print(f"stride {stride}, padding {padding}: output {ours.shape}, max |F.conv2d - loops| = {np.abs(ours - loops).max():.1e}")

try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed: skipping the comparison with torch.nn.functional.conv2d")
if torch is not None:
    theirs = torch.nn.functional.conv2d(torch.tensor(x[None]), torch.tensor(w), torch.tensor(b), stride=2, padding=1)
    ours = F.conv2d(ag.tensor(x[None]), ag.tensor(w), ag.tensor(b), stride=2, padding=1)
    print("max |glassgrad - torch| (stride 2, padding 1):", np.abs(ours.numpy() - theirs.numpy()).max())
"""),
    ("md", r"""
## Padding and stride, drawn · 填充与步幅

Each panel shows a 5×5 input (white), its zero padding (grey), the first window (blue
square) and a dot at the centre of every window the kernel visits; each dot is one output
pixel. Without padding a 3×3 kernel cannot be centred on the border pixels, so the output
shrinks by 2; padding 1 keeps the size; stride 2 skips every other position.
"""),
    ("code", r"""
from matplotlib.patches import Rectangle

def draw_windows(ax, size=5, k=3, stride=1, padding=0):
    full = size + 2 * padding
    for r in range(full):
        for c in range(full):
            inside = padding <= r < padding + size and padding <= c < padding + size
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor="white" if inside else "0.85", edgecolor="0.5"))
    ax.add_patch(Rectangle((0, 0), k, k, fill=False, edgecolor="tab:blue", lw=3))
    out = (size + 2 * padding - k) // stride + 1
    centres = [(j * stride + k / 2, i * stride + k / 2) for i in range(out) for j in range(out)]
    ax.plot(*zip(*centres), "o", color="tab:red", ms=5)
    ax.set_xlim(-0.2, full + 0.2); ax.set_ylim(full + 0.2, -0.2); ax.set_aspect("equal"); ax.axis("off")
    ax.set_title(f"k={k}, stride {stride}, padding {padding}\n{size}x{size} -> {out}x{out}")

fig, axes = plt.subplots(1, 4, figsize=(14, 3.8))
for ax, (stride, padding) in zip(axes, ((1, 0), (1, 1), (2, 0), (2, 1))):
    draw_windows(ax, stride=stride, padding=padding)
plt.tight_layout(); plt.show()
"""),
    ("md", r"""
## Pooling · 池化

A **pooling layer** summarises each window of each channel separately, with no weights:
max pooling takes the largest value, average pooling the mean. A 2×2 pool with stride 2
halves the height and the width, making the next layer's windows cover a larger part of the
image (its *receptive field* grows) and making the output insensitive to small shifts.

Backward: average pooling spreads each output's gradient equally over its window
($\bar x = \bar y / k^2$ at every position). Max pooling is a selection, so its gradient goes
entirely to the position that won, and every other position gets 0:
$\bar x_{p} = \sum_{\text{windows } w \ni p} \bar y_w \,\mathbb{1}[p = \arg\max_w]$.
"""),
    ("code", r"""
grid = ag.tensor(np.array([[1.0, 3, 2, 0], [4, 2, 0, 1], [0, 1, 5, 6], [2, 2, 7, 1]])[None, None], requires_grad=True)
pooled = F.max_pool2d(grid, 2)
pooled.backward(ag.tensor(np.array([[10.0, 20], [30, 40]])[None, None]))
print("input:\n", grid.numpy()[0, 0], "\nmax pool 2x2:\n", pooled.numpy()[0, 0])
print("gradient (output gradient 10, 20, 30, 40) lands on each window's maximum:\n", grid.grad.numpy()[0, 0])
print("average pool 2x2:\n", F.avg_pool2d(grid, 2).numpy()[0, 0])
if torch is not None:
    twin = torch.tensor(grid.numpy(), requires_grad=True)
    torch.nn.functional.max_pool2d(twin, 2).backward(torch.tensor([[10.0, 20], [30, 40]], dtype=torch.float64)[None, None])
    print("PyTorch's gradient for the same max pool:\n", twin.grad.numpy()[0, 0])
"""),
    ("md", r"""
The lower-left window holds a tie: two 2s. glassgrad splits the gradient between tied
maxima (15 and 15), while PyTorch gives all of it (30) to the first maximum it finds. Both
are valid: at a tie the maximum has no derivative, only a set of *subgradients*, and any
split that sums to the output gradient is one of them. With real-valued activations ties are
rare, so training behaves the same; it only shows in toy examples like this one.

## The im2col view · im2col

Loops are slow, and the sum in the definition is a dot product between the kernel and one
window. Collect every window of the input as a row of a matrix (*image to columns*):
for one image with $C$ channels that matrix has $H' W'$ rows and $C k^2$ columns. Flatten each
of the $C_\text{out}$ kernels into a row of a $(C_\text{out}, C k^2)$ matrix $K$. Then

$$Y = \operatorname{im2col}(x)\, K^\top + b \quad \in \mathbb{R}^{H'W' \times C_\text{out}},$$

and reshaping $Y$ gives the output image. A convolution is a matrix product with a cleverly
built matrix, which is how fast libraries (and glassgrad's `conv2d`) compute it. Its
backward pass is then the linear layer's from notebook 09: $\bar K = \bar Y^\top \operatorname{im2col}(x)$,
and the gradient of $\operatorname{im2col}(x)$ is added back to the pixels each row was copied from.
The price is memory: every pixel is copied up to $k^2$ times.

Below, the 16 windows of a 6×6 single-channel image for a 3×3 kernel, as the rows of the
im2col matrix, and the convolution as one product.
"""),
    ("code", r"""
image = np.arange(36, dtype=np.float64).reshape(6, 6)
k = 3
patches = np.lib.stride_tricks.sliding_window_view(image, (k, k))   # (4, 4, 3, 3): a view, nothing copied yet
columns = patches.reshape(-1, k * k)                                # (16, 9): the im2col matrix
kernel = rng.standard_normal((k, k))
as_matmul = (columns @ kernel.reshape(-1)).reshape(4, 4)
direct = F.conv2d(ag.tensor(image[None, None]), ag.tensor(kernel[None, None])).numpy()[0, 0]
print("max |im2col @ kernel - F.conv2d| =", np.abs(as_matmul - direct).max())

fig, axes = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [1, 1.6]})
axes[0].imshow(image, cmap="viridis"); axes[0].set_title("6x6 input (values 0..35)")
axes[0].add_patch(Rectangle((0.5, -0.5), 3, 3, fill=False, edgecolor="white", lw=2))
for (r, c), value in np.ndenumerate(image):
    axes[0].text(c, r, int(value), ha="center", va="center", color="w", fontsize=8)
axes[1].imshow(columns.T, cmap="viridis", aspect="auto")
axes[1].set_title("im2col: window n is column n (9 values each); window 1 is the white square")
axes[1].set_xlabel("window (output pixel)"); axes[1].set_ylabel("position in the 3x3 window")
plt.tight_layout(); plt.show()
"""),
    ("md", r"""
## A CNN on the digits · 手写数字的卷积网络

This part is the classifier of the old notebook 06. The 1,797 8×8 digits bundled with
scikit-learn, split into 1,198 for training and 599 for testing, and the small CNN that
`nn.training.build_model` builds for them (the same one `glassgrad train --model cnn` trains):

    reshape to (1, 8, 8) -> Conv2d(1, 16, 3, padding=1) -> ReLU -> MaxPool2d(2)    # 16 x 4 x 4
                         -> Conv2d(16, 32, 3, padding=1) -> ReLU -> MaxPool2d(2)   # 32 x 2 x 2
                         -> Flatten -> Linear(128, 10)

Count its parameters: the first convolution has $16 \cdot (1 \cdot 9 + 1) = 160$, the second
$32 \cdot (16 \cdot 9 + 1) = 4{,}640$, the classifier $128 \cdot 10 + 10 = 1{,}290$; about 6,000
in all, fewer than one dense layer from 64 pixels to 100 hidden units and back. We train it
with a PyTorch-shaped loop: `model(x)`, `F.cross_entropy`, `loss.backward()`, `opt.step()`.
"""),
    ("code", r"""
from nn.data import DataLoader
from nn.training import TrainConfig, accuracy, build_model, load_dataset

X_train, X_test, y_train, y_test, n_classes = load_dataset("digits", seed=0)
fig, axes = plt.subplots(1, 8, figsize=(10, 1.6))
for ax, img, label in zip(axes, X_train, y_train):
    ax.imshow(img.reshape(8, 8), cmap="gray_r"); ax.set_title(label); ax.axis("off")
plt.show()

config = TrainConfig(dataset="digits", model="cnn")
model = build_model(config, 64, n_classes)
nn.summary(model, (1, 64))
opt = nn.optim.Adam(model.parameters(), lr=0.003)
history = []
for epoch in range(8):
    total = 0.0
    for xb, yb in DataLoader(X_train, y_train, batch_size=32, shuffle=True, seed=epoch):
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(yb)
    history.append((total / len(y_train), accuracy(model, X_train, y_train), accuracy(model, X_test, y_test)))
print(f"after {len(history)} epochs: training loss {history[-1][0]:.3f}, "
      f"train accuracy {history[-1][1]:.3f}, test accuracy {history[-1][2]:.3f}")
"""),
    ("code", r"""
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
losses, train_acc, test_acc = zip(*history)
axes[0].plot(losses); axes[0].set_title("training loss"); axes[0].set_xlabel("epoch")
axes[1].plot(train_acc, label="train"); axes[1].plot(test_acc, label="test")
axes[1].set_title("accuracy"); axes[1].set_xlabel("epoch"); axes[1].legend()
plt.tight_layout(); plt.show()
"""),
    ("md", r"""
## Inside the CNN: filters and feature maps · 特征图

The first layer's 16 kernels are 3×3 images themselves (red for negative weights, blue for
positive); at this size they are hard to read by eye, but what they do is easy to see.
Passing one digit through the network and recording the first ReLU's output with a forward
hook shows the 16 **feature maps** (特征图): where in the image each filter responded. Some seem to
respond to the digit's left edges, others to its right edges or its horizontal strokes, and a
map that is black everywhere belongs to a filter whose response was negative on the whole
digit, zeroed by the ReLU (a unit that is silent for this input; notebook 07 counted units
silent for *every* input). The second layer combines them into 32 maps of 4×4, each built
from the first layer's responses to larger parts of the digit.
"""),
    ("code", r"""
maps = {}
hooks = [model[2].register_forward_hook(lambda m, i, out: maps.__setitem__("conv1", out.numpy().copy())),
         model[5].register_forward_hook(lambda m, i, out: maps.__setitem__("conv2", out.numpy().copy()))]
model.eval()
with ag.no_grad():
    model(ag.tensor(X_test[:1]))
for remove in hooks:
    remove()

filters = model[1].weight.numpy()[:, 0]                  # (16, 3, 3)
fig, axes = plt.subplots(3, 17, figsize=(15, 3.2))
axes[0, 0].imshow(X_test[0].reshape(8, 8), cmap="gray_r"); axes[0, 0].set_title(f"digit {y_test[0]}", fontsize=8)
for row in axes:
    for ax in row:
        ax.axis("off")
for n in range(16):
    axes[0, n + 1].imshow(filters[n], cmap="RdBu"); axes[0, n + 1].set_title(f"filter {n}", fontsize=7)
    axes[1, n + 1].imshow(maps["conv1"][0, n], cmap="magma")
    axes[2, n + 1].imshow(maps["conv2"][0, n], cmap="magma")
axes[1, 0].text(0, 0.5, "conv1 maps\n8x8", fontsize=8); axes[2, 0].text(0, 0.5, "conv2 maps\n4x4\n(first 16)", fontsize=8)
plt.show()
"""),
    ("md", "## What the CNN gets wrong"),
    ("code", r"""
with ag.no_grad():
    probs = model(ag.tensor(X_test)).softmax(-1).numpy()
pred = probs.argmax(1)
wrong = np.flatnonzero(pred != y_test)
print(f"{len(wrong)} of {len(y_test)} test digits misclassified")
fig, axes = plt.subplots(1, min(8, len(wrong)), figsize=(10, 1.8), squeeze=False)
for ax, i in zip(axes[0], wrong[:8]):
    ax.imshow(X_test[i].reshape(8, 8), cmap="gray_r"); ax.axis("off")
    ax.set_title(f"true {y_test[i]}\npred {pred[i]} ({probs[i, pred[i]]:.0%})", fontsize=9)
plt.show()
"""),
    ("md", r"""
Many of the mistakes are digits a person would also hesitate over at 8×8 pixels. `nn.draw_model`
runs one forward pass and draws each layer with its output shape and parameter count; and a
trained model is saved with `nn.save` (an `.npz` file, never a pickle) and loaded into a
freshly built one with the accuracy unchanged.
"""),
    ("code", "nn.draw_model(model, (1, 64))"),
    ("code", r"""
import os
import tempfile
path = os.path.join(tempfile.mkdtemp(), "digits_cnn.npz")
nn.save(model.state_dict(), path)
fresh = build_model(config, 64, n_classes)
fresh.load_state_dict(nn.load(path))
print(f"test accuracy: trained {accuracy(model, X_test, y_test):.3f}, reloaded {accuracy(fresh, X_test, y_test):.3f}")
"""),
    ("md", r"""
## Exercise · 练习: convolution as im2col

1. Write `conv_output_size(size, kernel, stride, padding)` from the formula above.
2. Write `conv2d_im2col(x, w, b, stride=1, padding=0)` in numpy for a *batch*: `x` has shape
   (N, C, H, W), `w` (O, C, k, k), `b` (O,); return (N, O, H', W'). Pad with `np.pad`, build
   the windows with `np.lib.stride_tricks.sliding_window_view` (take every `stride`-th one),
   reshape them into an im2col matrix of shape (N·H'·W', C·k·k), multiply by the flattened
   kernels, add the bias, and reshape (mind the axis order: the channels go second).

The checks compare with `F.conv2d` for several shapes, strides and paddings. Reference:
`notebooks/solutions/nb10.py`.
"""),
    ("code", r"""
from course_checks.nb10 import check_conv2d_im2col, check_conv_output_size

def conv_output_size(size, kernel, stride, padding):
    raise NotImplementedError

def conv2d_im2col(x, w, b, stride=1, padding=0):
    raise NotImplementedError

for check, answer in ((check_conv_output_size, conv_output_size), (check_conv2d_im2col, conv2d_im2col)):
    try:
        check(answer)
    except NotImplementedError:
        print(f"{answer.__name__}: not done yet")
"""),
    ("md", r"""
## Summary · 小结

* A convolution slides one small kernel over the image: local, shared weights,
  $H' = \lfloor (H + 2p - k)/s \rfloor + 1$.
* Padding keeps the border, stride and pooling shrink the map and grow the receptive field;
  max pooling routes its gradient to the winner.
* im2col turns a convolution into one matrix product (and its backward into the linear
  layer's), at the cost of copying each pixel up to $k^2$ times.
* A 6,000-parameter CNN classifies the 8×8 digits; its feature maps show what it looks at.
"""),
]

NOTEBOOKS = {"10_convolution": NB10}
