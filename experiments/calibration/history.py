"""History matching with Gaussian-process emulators: the inference of ``arrival-city calibrate``.

The model is too slow to run at every parameter set a sampler would ask for, so each calibration
statistic gets an emulator: a Gaussian process (scikit-learn ``GaussianProcessRegressor``) fitted
to the seed means of a space-filling design (a Latin hypercube, ``scipy.stats.qmc``), with the
seed variance of each mean as its nugget. History matching (Craig et al. 1997; Vernon, Goldstein &
Bower 2010; Andrianakis et al. 2015) then rules out the parameter sets whose implausibility

    I_j(x) = |z_j - E[f_j(x)]| / sqrt(V_obs,j + V_disc,j + V_run,j + V_emu,j(x))

exceeds a cut-off (3, Pukelsheim's three-sigma rule) for any statistic j: z_j is the published
value, V_obs its variance from the published band, V_disc the model discrepancy, V_run the
variance of one run about the seed mean (the city observed is one realisation), V_emu the
emulator's own uncertainty. Each wave refits the emulators with design points drawn from the
space not yet ruled out. The posterior is a weighted sample of that space, weighted by a Gaussian
likelihood with the same variances (the prior is uniform on the box).

Nothing here knows about the model: the simulator is any function from parameter sets to seed
means and their variances, so the same code is tested on a pure function with known truth.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import qmc

IMPLAUSIBILITY_CUTOFF = 3.0  # Pukelsheim (1994): 95 % of any unimodal distribution within 3 sd


@dataclass(frozen=True)
class Prior:
    """A uniform prior on one parameter (a dotted scenario key) over [low, high]."""

    key: str
    low: float
    high: float
    integer: bool = False

    def scale(self, unit: np.ndarray) -> np.ndarray:
        """Points of [0, 1] as values of the parameter (rounded if it is an integer)."""
        values = self.low + unit * (self.high - self.low)
        return np.round(values) if self.integer else values


@dataclass(frozen=True)
class Target:
    """A calibration statistic: the published value and the variances it is matched with.

    Attributes:
        name: the fact's name.
        observed: the published value z.
        observed_variance: V_obs, from the published band (a 95 % band is 4 standard deviations).
        discrepancy_variance: V_disc, the model discrepancy: what the model cannot be expected to
            match even at its best parameters.
    """

    name: str
    observed: float
    observed_variance: float
    discrepancy_variance: float = 0.0

    @classmethod
    def from_band(
        cls, name: str, observed: float, low: float, high: float, discrepancy: float = 0.0
    ) -> Target:
        """A target whose band [low, high] is read as a 95 % interval (plus or minus 2 sd).

        ``discrepancy`` is the model-discrepancy standard deviation as a share of the band's
        half-width.
        """
        sd = max(high - low, 1e-12) / 4.0
        return cls(name, observed, sd**2, (discrepancy * 2.0 * sd) ** 2)


@dataclass
class Evaluation:
    """The simulator's answer at design points: seed means and the variance of one run.

    Attributes:
        mean: (points, statistics) seed means.
        run_variance: (points, statistics) variance of one run about its seed mean.
        replicates: seeds behind each mean.
    """

    mean: np.ndarray
    run_variance: np.ndarray
    replicates: int
    kept: np.ndarray | None = None  # which of the asked points these rows are (None: all)

    def __post_init__(self) -> None:
        self.mean = np.atleast_2d(np.asarray(self.mean, dtype=float))
        self.run_variance = np.atleast_2d(np.asarray(self.run_variance, dtype=float))


Simulator = Callable[[list[dict[str, float]], int], Evaluation]
"""Parameter sets of one wave (and the wave's index) -> their :class:`Evaluation`."""


class Emulator:
    """One Gaussian process per statistic, on the unit cube of the priors.

    Kernel: a constant times an anisotropic squared-exponential (one length scale per
    parameter), plus a white-noise term; the nugget of each design point is the seed variance of
    its mean. Outputs are standardised before fitting.
    """

    def __init__(self, random_state: int = 0):
        self.random_state = random_state
        self.processes: list[Any] = []
        self.centre = np.zeros(0)
        self.spread = np.ones(0)
        self.run_variance = np.zeros(0)

    def fit(self, unit_x: np.ndarray, evaluation: Evaluation) -> Emulator:
        """Fit the statistics' processes to the design (unit-cube points) and its evaluation."""
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

        dims = unit_x.shape[1]
        mean = evaluation.mean
        self.centre = mean.mean(axis=0)
        self.spread = mean.std(axis=0)
        self.spread[self.spread <= 0] = 1.0
        self.run_variance = evaluation.run_variance.mean(axis=0)
        self.processes = []
        for j in range(mean.shape[1]):
            y = (mean[:, j] - self.centre[j]) / self.spread[j]
            nugget = evaluation.run_variance[:, j] / evaluation.replicates / self.spread[j] ** 2
            kernel = ConstantKernel(1.0, (1e-3, 1e2)) * RBF(
                np.full(dims, 0.5), (1e-2, 1e2)
            ) + WhiteKernel(1e-4, (1e-8, 1e-1))
            process = GaussianProcessRegressor(
                kernel,
                alpha=np.maximum(nugget, 1e-10),
                n_restarts_optimizer=2,
                random_state=self.random_state,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                process.fit(unit_x, y)
            self.processes.append(process)
        return self

    def predict(self, unit_x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Emulated seed means and the emulator's variance, each (points, statistics)."""
        means, variances = [], []
        for j, process in enumerate(self.processes):
            mu, sd = process.predict(unit_x, return_std=True)
            means.append(self.centre[j] + self.spread[j] * mu)
            variances.append((self.spread[j] * sd) ** 2)
        return np.column_stack(means), np.column_stack(variances)


def _total_variance(
    targets: list[Target], emulator: Emulator, emulator_variance: np.ndarray
) -> np.ndarray:
    fixed = np.array([t.observed_variance + t.discrepancy_variance for t in targets])
    return fixed + emulator.run_variance + emulator_variance


def implausibility(emulator: Emulator, targets: list[Target], unit_x: np.ndarray) -> np.ndarray:
    """I_j(x) for every point (rows) and statistic (columns)."""
    mean, variance = emulator.predict(unit_x)
    observed = np.array([t.observed for t in targets])
    return np.abs(observed - mean) / np.sqrt(_total_variance(targets, emulator, variance))


def log_likelihood(emulator: Emulator, targets: list[Target], unit_x: np.ndarray) -> np.ndarray:
    """The Gaussian log-likelihood of the published values at each point (up to a constant)."""
    mean, variance = emulator.predict(unit_x)
    observed = np.array([t.observed for t in targets])
    total = _total_variance(targets, emulator, variance)
    return -0.5 * np.sum((observed - mean) ** 2 / total + np.log(total), axis=1)


@dataclass
class Wave:
    """One wave of history matching.

    Attributes:
        index: 1, 2, ...
        design: (points, parameters) in parameter units.
        evaluation: the simulator's answer at the design.
        emulator: fitted on the design points of this and earlier waves.
        non_implausible: share of the prior box this wave's emulator (with the earlier ones)
            leaves in play.
    """

    index: int
    design: np.ndarray
    evaluation: Evaluation
    emulator: Emulator
    non_implausible: float = math.nan


@dataclass
class Posterior:
    """Weighted parameter sets: the calibrated posterior.

    Attributes:
        name: its name in the results database.
        keys: the parameters (dotted scenario keys), in column order.
        samples: (sets, parameters) values.
        weights: one per set, summing to 1.
        provenance: how it was made (calibration file, facts, seeds, waves, code version...).
        integers: which parameters are whole numbers (their values are given as int).
    """

    name: str
    keys: list[str]
    samples: np.ndarray
    weights: np.ndarray
    provenance: dict[str, Any] = field(default_factory=dict)
    integers: list[bool] = field(default_factory=list)

    def mean(self) -> np.ndarray:
        """Weighted mean of each parameter."""
        return self.weights @ self.samples

    def quantile(self, q: float) -> np.ndarray:
        """Weighted quantile ``q`` of each parameter (inverse of the weighted empirical CDF)."""
        out = []
        for column in self.samples.T:
            order = np.argsort(column)
            cdf = np.cumsum(self.weights[order])
            index = min(int(np.searchsorted(cdf, q * cdf[-1])), len(column) - 1)
            out.append(column[order][index])
        return np.array(out)

    def interval(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """The central weighted interval of each parameter."""
        tail = (1.0 - level) / 2.0
        return self.quantile(tail), self.quantile(1.0 - tail)

    def effective_size(self) -> float:
        """Kish's effective sample size of the weights."""
        return float(1.0 / np.sum(self.weights**2))

    def draw(self, n: int, seed: int) -> list[dict[str, float]]:
        """``n`` parameter sets drawn by weight (with replacement), reproducibly from ``seed``."""
        rng = np.random.default_rng(seed)
        rows = rng.choice(len(self.weights), size=n, replace=True, p=self.weights)
        return [self.parameter_set(int(row)) for row in rows]

    def parameter_set(self, row: int) -> dict[str, float]:
        """One stored set as scenario overrides."""
        integers = self.integers or [False] * len(self.keys)
        return {
            key: int(value) if whole else float(value)
            for key, value, whole in zip(self.keys, self.samples[row], integers, strict=True)
        }


def _as_sets(priors: list[Prior], unit_x: np.ndarray) -> tuple[np.ndarray, list[dict[str, Any]]]:
    values = np.column_stack([p.scale(unit_x[:, i]) for i, p in enumerate(priors)])
    sets = [
        {p.key: (int(v) if p.integer else float(v)) for p, v in zip(priors, row, strict=True)}
        for row in values
    ]
    return values, sets


def _unit(priors: list[Prior], values: np.ndarray) -> np.ndarray:
    low = np.array([p.low for p in priors])
    high = np.array([p.high for p in priors])
    return (values - low) / (high - low)


def _in_play(
    waves: list[Wave], targets: list[Target], unit_x: np.ndarray, cutoff: float
) -> np.ndarray:
    keep = np.ones(len(unit_x), dtype=bool)
    for wave in waves:
        keep &= implausibility(wave.emulator, targets, unit_x).max(axis=1) < cutoff
    return keep


@dataclass
class Settings:
    """The budget of a calibration.

    Attributes:
        design: design points a wave (each run over the seeds).
        waves: waves of history matching.
        candidates: points of the prior box screened for implausibility (design of later waves,
            and the posterior).
        samples: parameter sets kept in the posterior (at most).
        cutoff: implausibility cut-off.
        seed: root of the design's and the screening's random numbers.
    """

    design: int = 40
    waves: int = 2
    candidates: int = 20_000
    samples: int = 2_000
    cutoff: float = IMPLAUSIBILITY_CUTOFF
    seed: int = 0


def _finite(evaluation: Evaluation) -> Evaluation:
    """The evaluation at the points where every statistic has a value (a ratio of zeros has not).

    Raises:
        ValueError: no point has every value.
    """
    kept = np.isfinite(evaluation.mean).all(axis=1)
    if not kept.any():
        raise ValueError("no design point gave a value for every calibration statistic")
    out = Evaluation(
        evaluation.mean[kept], np.nan_to_num(evaluation.run_variance[kept]), evaluation.replicates
    )
    out.kept = kept
    return out


def history_match(
    name: str,
    priors: list[Prior],
    targets: list[Target],
    simulator: Simulator,
    settings: Settings,
    on_wave: Callable[[Wave], None] | None = None,
) -> tuple[Posterior, list[Wave]]:
    """Calibrate: waves of design, emulation and screening, then the weighted posterior.

    Args:
        name: the posterior's name.
        priors: the parameters and their uniform priors.
        targets: the calibration statistics, in the simulator's column order.
        simulator: runs a wave's parameter sets (see :data:`Simulator`).
        settings: the budget.
        on_wave: called with each wave once its emulator is fitted (progress, logging).

    Returns:
        The posterior and the waves.
    """
    rng = np.random.default_rng(settings.seed)
    dims = len(priors)
    waves: list[Wave] = []
    seen_x: list[np.ndarray] = []
    seen: list[Evaluation] = []
    probe = qmc.LatinHypercube(d=dims, seed=rng).random(settings.candidates)  # shares in play
    for index in range(1, settings.waves + 1):
        if index == 1:
            unit_x = qmc.LatinHypercube(d=dims, seed=rng).random(settings.design)
        else:
            pool = qmc.LatinHypercube(d=dims, seed=rng).random(settings.candidates)
            alive = pool[_in_play(waves, targets, pool, settings.cutoff)]
            if len(alive) == 0:
                break  # nothing left to refine: the last wave's emulator stands
            take = rng.choice(len(alive), size=min(settings.design, len(alive)), replace=False)
            unit_x = alive[np.sort(take)]
        values, sets = _as_sets(priors, unit_x)
        evaluation = _finite(simulator(sets, index))
        values = values[evaluation.kept]
        seen_x.append(_unit(priors, values))
        seen.append(evaluation)
        together = Evaluation(
            np.vstack([e.mean for e in seen]),
            np.vstack([e.run_variance for e in seen]),
            min(e.replicates for e in seen),
        )
        emulator = Emulator(settings.seed + index).fit(np.vstack(seen_x), together)
        wave = Wave(index, values, evaluation, emulator)
        waves.append(wave)
        wave.non_implausible = float(_in_play(waves, targets, probe, settings.cutoff).mean())
        if on_wave is not None:
            on_wave(wave)
    return _posterior(name, priors, targets, waves, settings, rng), waves


def _posterior(
    name: str,
    priors: list[Prior],
    targets: list[Target],
    waves: list[Wave],
    settings: Settings,
    rng: np.random.Generator,
) -> Posterior:
    pool = qmc.LatinHypercube(d=len(priors), seed=rng).random(settings.candidates)
    alive = _in_play(waves, targets, pool, settings.cutoff)
    empty = not alive.any()
    kept = pool if empty else pool[alive]
    if len(kept) > settings.samples:
        kept = kept[np.sort(rng.choice(len(kept), size=settings.samples, replace=False))]
    log_w = log_likelihood(waves[-1].emulator, targets, kept)
    weights = np.exp(log_w - log_w.max())
    values, _ = _as_sets(priors, kept)
    return Posterior(
        name,
        [p.key for p in priors],
        values,
        weights / weights.sum(),
        {
            "method": "history matching with Gaussian-process emulators",
            "cutoff": settings.cutoff,
            "waves": [
                {
                    "wave": w.index,
                    "design": len(w.design),
                    "non_implausible": w.non_implausible,
                }
                for w in waves
            ],
            "non_implausible_empty": empty,
            "priors": {p.key: [p.low, p.high] for p in priors},
        },
        [p.integer for p in priors],
    )
