# Ported from https://github.com/pytorch/examples/blob/main/time_sequence_prediction/generate_sine_wave.py
# License: BSD-3-Clause (pytorch/examples, Copyright (c) 2017, PyTorch contributors).
# Only the import lines differ. test_ports_ports_b.py runs it as it is (it writes traindata.pt) and
# compares the file with the original's.
import numpy as np
import glassgrad as torch

np.random.seed(2)

T = 20
L = 1000
N = 100

x = np.empty((N, L), "int64")
x[:] = np.array(range(L)) + np.random.randint(-4 * T, 4 * T, N).reshape(N, 1)
data = np.sin(x / 1.0 / T).astype("float64")
torch.save(data, open("traindata.pt", "wb"))
