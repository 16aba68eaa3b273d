# Ported from "Dive into Deep Learning" 3.3 Concise Implementation of Linear Regression
# (https://github.com/d2l-ai/d2l-pytorch-colab, chapter_linear-networks/linear-regression-concise.ipynb,
# PyTorch version for d2l 0.17.2; code under the MIT-0 license, text CC-BY-SA 4.0), with the d2l helpers
# it calls inlined from d2l 0.17.2's d2l/torch.py (MIT-0). Only the import lines differ from the
# original (originals/). The test runs it as the module `d2l.torch`, so that d2l's own
# `d2l = sys.modules[__name__]` and the chapter's `from d2l import torch as d2l` name this file, and
# gives both engines the same normal draws and shuffle order.
# d2l 0.17.2's helpers that this chapter calls, from d2l/torch.py of the d2l wheel the
# notebook installs (lines 46, 56, 59, 155-162 and the aliases at its end), then the
# code cells of d2l-ai/d2l-pytorch-colab chapter_linear-networks/linear-regression-concise.ipynb
# in order (its first cell, the shell magic `!pip install d2l==0.17.2`, dropped).

import sys

d2l = sys.modules[__name__]

import glassgrad as torch

def synthetic_data(w, b, num_examples):
    """Generate y = Xw + b + noise.

    Defined in :numref:`sec_linear_scratch`"""
    X = d2l.normal(0, 1, (num_examples, len(w)))
    y = d2l.matmul(X, w) + b
    y += d2l.normal(0, 0.01, y.shape)
    return X, d2l.reshape(y, (-1, 1))

# Alias defined in config.ini
normal = torch.normal
matmul = torch.matmul
reshape = lambda x, *args, **kwargs: x.reshape(*args, **kwargs)


import numpy as np
import glassgrad as torch
from glassgrad.utils import data
from d2l import torch as d2l

true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, 1000)

def load_array(data_arrays, batch_size, is_train=True):  #@save
    """Construct a PyTorch data iterator."""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)

batch_size = 10
data_iter = load_array((features, labels), batch_size)

next(iter(data_iter))

# `nn` is an abbreviation for neural networks
from glassgrad import nn

net = nn.Sequential(nn.Linear(2, 1))

net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0)

loss = nn.MSELoss()

trainer = torch.optim.SGD(net.parameters(), lr=0.03)

num_epochs = 3
for epoch in range(num_epochs):
    for X, y in data_iter:
        l = loss(net(X) ,y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    print(f'epoch {epoch + 1}, loss {l:f}')

w = net[0].weight.data
print('error in estimating w:', true_w - w.reshape(true_w.shape))
b = net[0].bias.data
print('error in estimating b:', true_b - b)
