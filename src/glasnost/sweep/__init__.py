"""Uncertainty, sensitivity and sweeps of the assessment (``glasnost sweep``, docs/uncertainty.md).

* :mod:`~glasnost.sweep.distributions`: an uncertain input's distribution from its text form;
* :mod:`~glasnost.sweep.plan`: the sample plan (Sobol', Latin hypercube, Saltelli, grid);
* :mod:`~glasnost.sweep.inputs`: ``--vary`` and declared uncertainties as checked inputs, and a
  sample's scenario (the ``--set`` paths);
* :mod:`~glasnost.sweep.evaluate`: one sample's assessment as one table row (on the workers);
* :mod:`~glasnost.sweep.runner`: the chunks on Dask (LocalCluster or ``--scheduler``);
* :mod:`~glasnost.sweep.store`: the sweep's folder, chunk by chunk, and ``--resume``;
* :mod:`~glasnost.sweep.analysis`: probabilities, distributions, sensitivities, flips;
* :mod:`~glasnost.sweep.sweep`: :func:`run_sweep`, all of it.
"""

from glasnost.sweep.plan import Plan, Variable
from glasnost.sweep.sweep import SweepResult, run_sweep

__all__ = ["Plan", "SweepResult", "Variable", "run_sweep"]
