"""Every course notebook executes top to bottom, afresh, without an error
(the stored outputs are cleared first), in under a minute each."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each notebook runs in a fresh kernel

nbformat = pytest.importorskip("nbformat")


nbclient = pytest.importorskip("nbclient")


NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_all_notebooks_are_present():
    names = [p.stem for p in NOTEBOOKS]
    assert names == ["01_build_your_own_value", "02_neuron_mlp_training_loop", "03_activation_functions",
                     "04_loss_functions", "05_tensors_and_broadcasting", "06_optimizers",
                     "07_initialisation_and_statistics", "08_batch_normalisation", "09_backprop_by_hand",
                     "10_convolution", "11_regularisation", "12_recurrent_nets", "13_residual_connections",
                     "14_makemore", "15_wavenet", "16_tiny_gpt", "17_your_own_module_and_function"]


def test_stored_notebooks_are_built_from_their_content_sources():
    """Each .ipynb holds exactly the cells of its notebooks/content_*.py list
    (python notebooks/build.py regenerates them), so the sources are the truth."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", NOTEBOOKS[0].parent / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    sources = build.notebooks()
    assert sorted(sources) == [p.stem for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        stored = [(c.cell_type, c.source) for c in nbformat.read(path, as_version=4).cells]
        expected = [("markdown" if kind == "md" else "code", text.strip("\n")) for kind, text in sources[path.stem]]
        assert stored == expected, f"{path.name} differs from its content source: run python notebooks/build.py"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_with_outputs_and_executes(path):
    nb = nbformat.read(path, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells and all(c.get("outputs") is not None for c in code_cells)
    assert any(c.outputs for c in code_cells), "stored without outputs: run notebooks/build.py"
    for cell in code_cells:
        cell.outputs = []
        cell.execution_count = None
    start = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    assert time.perf_counter() - start < 60  # the course budget on a 2-core machine
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
