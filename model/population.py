"""Columnar state of newcomers and households: numpy arrays that grow as people arrive.

Rows are never deleted: a person who leaves keeps a row with ``present = False`` so that cohorts
(employment by months since arrival) stay complete. Processes work on whole columns at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model.codes import N_SECTORS

MIGRANT_COLUMNS: dict[str, tuple[Any, tuple[int, ...]]] = {
    "household": (np.int64, ()),
    "arrival_month": (np.int32, ()),
    "origin": (np.int8, ()),
    "status": (np.int8, ()),
    "work_permit": (np.bool_, ()),  # holds a work permit, issued at a formal hire
    "decision_month": (np.int32, ()),
    "leaving": (np.bool_, ()),
    "age_band": (np.int8, ()),
    "female": (np.bool_, ()),
    "health_need": (np.float32, ()),
    "skill": (np.int8, ()),
    "inexperienced": (np.bool_, ()),  # no work experience before arrival
    "carer": (np.bool_, ()),  # a mother of a child under school age without a childcare place
    "labour_force": (np.bool_, ()),  # takes part in the labour force (searches for work)
    "credentials": (np.bool_, ()),
    "recognised": (np.bool_, ()),
    "language": (np.float32, ()),
    "information": (np.float32, ()),
    "trust": (np.float32, ()),
    "intention": (np.int8, ()),
    "employment": (np.int8, ()),
    "earnings": (np.float32, ()),
    "employability": (np.float32, ()),
    "idle_months": (np.int16, ()),
    "savings": (np.float32, ()),
    "enrolled": (np.bool_, ()),
    "assisted": (np.bool_, ()),
    "unmet_score": (np.float32, ()),
    "unmet": (np.float32, (N_SECTORS,)),
    "waiting_since": (np.int32, (N_SECTORS,)),
    "course_registered": (np.int32, ()),  # month registered for a course (-1: not waiting)
    "course_end": (np.int32, ()),  # month the course being attended ends (-1: none)
    "present": (np.bool_, ()),
    "departure_month": (np.int32, ()),
}

HOUSEHOLD_COLUMNS: dict[str, tuple[Any, tuple[int, ...]]] = {
    "block": (np.int32, ()),
    "size": (np.int16, ()),
    "children": (np.int16, ()),
    "income": (np.float32, ()),
    "tenure": (np.int8, ()),
    "rooms": (np.int8, ()),
    "arrears_months": (np.int16, ()),
    "sharers": (np.int16, ()),
    "kin": (np.int64, ()),
    "host": (np.bool_, ()),
    "group": (np.int16, ()),
    "attitude": (np.float32, ()),
    "in_labour_force": (np.bool_, ()),  # the host worker takes part (newcomers: see migrants)
    "employment": (np.int8, ()),
    "skill": (np.int8, ()),  # the host worker's skill segment (newcomers: see migrants.skill)
    "informal_worker": (np.bool_, ()),  # the host worker seeks and holds informal work
    "migrant": (np.int64, ()),
    "present": (np.bool_, ()),
}


def gather(values: np.ndarray, index: np.ndarray, fill: Any = 0) -> np.ndarray:
    """``values[index]`` where ``index >= 0``, ``fill`` elsewhere (safe on empty ``values``)."""
    out = np.full(len(index), fill, dtype=values.dtype)
    ok = index >= 0
    out[ok] = values[index[ok]]
    return out


def any_column(mask: np.ndarray) -> np.ndarray:
    """Rows of a 2-D boolean array with any column True: ``mask.any(axis=1)``, column by column.

    With a few columns (the service sectors) this is about five times faster than numpy's
    reduction along the short axis.
    """
    rows = mask[:, 0].copy()
    for column in mask.T[1:]:
        rows |= column
    return rows


class Table:
    """A growable struct of arrays: ``table.col`` is a view of the first ``n`` rows of a column."""

    def __init__(self, columns: dict[str, tuple[Any, tuple[int, ...]]], capacity: int = 1024):
        self._spec = columns
        self._data = {
            name: np.zeros((capacity, *shape), dtype=dtype)
            for name, (dtype, shape) in columns.items()
        }
        self.n = 0

    @property
    def capacity(self) -> int:
        """Rows that fit before the arrays are reallocated."""
        return len(next(iter(self._data.values())))

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["_data"][name][: self.__dict__["n"]]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        data = self.__dict__.get("_data")
        if data is not None and name in data:
            data[name][: self.n] = value  # in place, so `table.col += x` updates the column
        else:
            super().__setattr__(name, value)

    def append(self, count: int, **values: Any) -> np.ndarray:
        """Add ``count`` rows (columns not given are zero) and return their row indices."""
        if count <= 0:
            return np.empty(0, dtype=np.int64)
        for name in values:
            if name not in self._spec:
                raise KeyError(f"unknown column {name!r}")
        need = self.n + count
        if need > self.capacity:
            new_cap = max(need, 2 * self.capacity)
            for name, arr in self._data.items():
                grown = np.zeros((new_cap, *arr.shape[1:]), dtype=arr.dtype)
                grown[: self.n] = arr[: self.n]
                self._data[name] = grown
        rows = np.arange(self.n, need)
        for name, arr in self._data.items():
            arr[self.n : need] = values.get(name, 0)
        self.n = need
        return rows

    def nbytes(self) -> int:
        """Memory held by the columns (allocated capacity)."""
        return sum(arr.nbytes for arr in self._data.values())


class Population:
    """Newcomer adults (``migrants``) and households (host and newcomer) as two tables."""

    def __init__(self, households_capacity: int = 1024, migrants_capacity: int = 1024):
        self.migrants = Table(MIGRANT_COLUMNS, migrants_capacity)
        self.households = Table(HOUSEHOLD_COLUMNS, households_capacity)
