"""Shared test settings.

- One BLAS/OpenMP thread for the whole session (set before numpy is imported):
  the suite's time then stays steady run to run, and the notebooks' kernels and
  the CLI's subprocesses inherit it.
- hypothesis runs derandomised in CI (a failure is reproducible); a longer
  profile is available with HYPOTHESIS_PROFILE=long.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long", max_examples=500, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
