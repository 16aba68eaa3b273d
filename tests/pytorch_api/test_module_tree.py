"""torch's module tree under glassgrad: every import spelling a PyTorch
program uses resolves, and to the very module objects of ``nn`` and
``autograd`` (one Tensor class, one Linear, never a second copy)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import autograd
import glassgrad
import nn

ROOT = Path(__file__).resolve().parents[2]

# (import statement, name it binds, the object it must be)
SPELLINGS = [
    ("import glassgrad.nn as x", lambda: nn),
    ("import glassgrad.nn.functional as x", lambda: nn.functional),
    ("from glassgrad.nn import functional as x", lambda: nn.functional),
    ("import glassgrad.nn.init as x", lambda: nn.init),
    ("import glassgrad.nn.utils as x", lambda: nn.utils),
    ("import glassgrad.optim as x", lambda: nn.optim),
    ("from glassgrad.optim.lr_scheduler import StepLR as x", lambda: nn.optim.StepLR),
    ("from glassgrad.utils.data import DataLoader as x", lambda: nn.data.DataLoader),
    ("from glassgrad.utils.data import Dataset as x", lambda: nn.data.Dataset),
    ("from glassgrad.utils.data import TensorDataset as x", lambda: nn.data.TensorDataset),
    ("from glassgrad.utils.data.dataloader import DataLoader as x", lambda: nn.data.DataLoader),
    ("import glassgrad.utils.data.dataloader as x", lambda: nn.dataloader),
    ("from glassgrad.utils.data.sampler import BatchSampler as x", lambda: nn.data.BatchSampler),
    ("from glassgrad.utils.data.dataset import random_split as x", lambda: nn.data.random_split),
    ("from glassgrad.utils import data as x", lambda: nn.data),
    ("import glassgrad.autograd as x", lambda: autograd),
    ("from glassgrad.autograd import Function as x", lambda: autograd.Function),
    ("from glassgrad.autograd import grad as x", lambda: autograd.grad),
    ("import glassgrad.autograd.functional as x", lambda: autograd.functional),
    ("from glassgrad.autograd import functional as x", lambda: autograd.functional),
    ("from glassgrad.nn.utils import clip_grad_norm_ as x", lambda: nn.utils.clip_grad_norm_),
    ("from glassgrad.nn.utils import vector_to_parameters as x", lambda: nn.utils.vector_to_parameters),
    ("import glassgrad.nn.layers as x", lambda: nn.layers),  # not a torch name: still never a copy
]


@pytest.mark.parametrize("statement, expected", SPELLINGS, ids=[s for s, _ in SPELLINGS])
def test_each_import_spelling_gives_the_real_object(statement, expected):
    namespace: dict = {}
    exec(statement, namespace)
    assert namespace["x"] is expected()
    assert glassgrad.nn.Linear is nn.Linear and glassgrad.nn.functional is nn.functional
    assert glassgrad.Tensor is autograd.Tensor and glassgrad.optim.SGD is nn.optim.SGD


def test_attribute_paths_resolve_without_importing_them():
    assert glassgrad.optim.lr_scheduler.StepLR is nn.optim.StepLR
    assert glassgrad.utils.data.DataLoader is nn.data.DataLoader
    assert glassgrad.autograd.functional.jacobian is autograd.functional.jacobian
    assert glassgrad.nn.utils.parameters_to_vector is nn.utils.parameters_to_vector
    assert glassgrad.nn.parallel.DataParallel.__name__ == "DataParallel"
    assert glassgrad.cuda.amp.GradScaler is glassgrad.amp.GradScaler


def test_no_module_is_ever_loaded_twice():
    for statement, _ in SPELLINGS:
        exec(statement, {})
    for name, module in list(sys.modules.items()):
        for prefix, real in (("glassgrad.nn.", "nn."), ("glassgrad.autograd.", "autograd.")):
            if name.startswith(prefix) and name != "glassgrad.nn.parallel":
                assert module is sys.modules[real + name[len(prefix):]], name
    assert nn.__spec__.name == "nn" and nn.functional.__spec__.name == "nn.functional"  # not renamed


def test_a_missing_name_is_the_usual_error():
    with pytest.raises(ModuleNotFoundError, match="glassgrad.nn.no_such_module"):
        importlib.import_module("glassgrad.nn.no_such_module")
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchLR'"):
        glassgrad.optim.lr_scheduler.NoSuchLR  # noqa: B018
    with pytest.raises(ImportError, match="cannot import name 'NoSuchLR'"):
        from glassgrad.optim.lr_scheduler import NoSuchLR  # noqa: F401


def test_every_spelling_works_as_the_first_import_of_a_fresh_interpreter():
    program = textwrap.dedent("""
        import glassgrad.nn.functional as F
        from glassgrad.utils.data.dataloader import DataLoader
        from glassgrad.optim.lr_scheduler import StepLR
        import glassgrad.optim as optim
        import nn, autograd, glassgrad
        assert F is nn.functional and DataLoader is nn.data.DataLoader and optim is nn.optim
        assert glassgrad.nn.Linear is nn.Linear and glassgrad.tensor is autograd.tensor
        print("ok")
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
