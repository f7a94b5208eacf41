"""Everything that uses the model for people: CLI, sweeps, the results store, analysis, figures.

Python API: ``run_sweep(path, ...)`` runs or resumes a sweep file; ``load_results(url, ...)``
reads stored results into a pandas DataFrame.
"""

from experiments.runner import SweepReport, run_sweep
from experiments.store import load_results

__all__ = ["SweepReport", "load_results", "run_sweep"]
