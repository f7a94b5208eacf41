"""Tidy exports: one column per parameter, stable level ids, and the outcome dictionary.

``arrival-city export`` writes ``runs``, ``summaries``, ``timeseries`` and ``cohorts`` (CSV or
Parquet) and, beside them, ``outcomes.json`` (name, unit, kind, definition of every outcome
column) and ``parameters.json`` (unit, range and meaning of every parameter column). In Parquet
the same dictionary is each field's metadata (``unit``, ``kind``, ``definition``), so a reader
needs no other file::

    import pyarrow.parquet as pq
    pq.read_schema("summaries.parquet").field("budget_gap_mean").metadata[b"unit"]

Every table starts with the run's identity: ``experiment``, ``level_id`` (from the level's
content: adding a level to a sweep file never changes another level's id), ``level_label``,
``scenario``, ``replicate``, ``seed``, ``run_key``, ``status``; then one column per swept
parameter (dotted key; empty where the level keeps the scenario's own value) and ``params``
(the same as JSON). ``long=True`` writes summaries and timeseries long: one row per run (and
month), ``variable``, ``value``, ``unit``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from experiments import store
from experiments.outcomes import describe

IDENTITY = [
    "experiment",
    "level_id",
    "level_label",
    "scenario",
    "replicate",
    "seed",
    "run_key",
    "status",
]
TABLES = ("runs", "summaries", "timeseries", "cohorts")
COHORT_COLUMNS = {
    "months_since_arrival": ("months", "months since the newcomer's arrival (the cohort)"),
    "legal_status": ("", "legal status this month (regular, asylum_pending, protected, irregular)"),
    "sex": ("", "male or female"),
    "skill": ("", "skill level on arrival (low, mid, high)"),
    "origin": ("", "international, internal, displaced or returnee"),
    "person_months": ("person-months", "working-age newcomers in the cell, summed over months"),
    "employed_person_months": ("person-months", "of those, in any work"),
    "formal_person_months": ("person-months", "of those, in formal work"),
    "employment_rate": ("share", "employed_person_months / person_months"),
    "formal_employment_rate": ("share", "formal_person_months / person_months"),
}


def _parameter_columns(frame: pd.DataFrame) -> list[str]:
    keys: dict[str, None] = {}
    for text in frame["params"].unique():
        keys.update(dict.fromkeys(json.loads(text)))
    return list(keys)


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """A table of :func:`store.load_results` in export order, one column per parameter.

    The plan position ``level`` is dropped (it changes when levels are added); ``level_id``
    and ``level_label`` name the level.
    """
    if frame.empty:
        return frame.drop(columns=["level"], errors="ignore")
    params = _parameter_columns(frame)
    values = pd.DataFrame(
        [json.loads(text) for text in frame["params"]], columns=params, index=frame.index
    )
    labels = [store.level_label(s, p) for s, p in zip(frame.scenario, frame.params, strict=True)]
    frame = frame.assign(level_label=labels)
    rest = [c for c in frame.columns if c not in {*IDENTITY, "params", "level"}]
    return pd.concat([frame[IDENTITY], values, frame[["params", *rest]]], axis=1)


def long(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Summaries or timeseries long: identity, parameters, ``by``, variable, value, unit."""
    if frame.empty:
        return frame
    keep = [c for c in frame.columns if c in IDENTITY or c == "params" or "." in c or c in by]
    out = frame.melt(id_vars=keep, var_name="variable", value_name="value")
    units = {name: _unit(name) for name in out["variable"].unique()}
    return out.assign(unit=out["variable"].map(units))


def _unit(name: str) -> str:
    try:
        return describe(name)["unit"]
    except KeyError:
        return ""


def dictionary(frames: dict[str, pd.DataFrame]) -> tuple[list[dict[str, str]], list[dict]]:
    """The outcome dictionary and the parameter dictionary of the exported columns."""
    from experiments.parameters import schema_rows

    names: dict[str, None] = {}
    params: dict[str, None] = {}
    for frame in frames.values():
        names.update(dict.fromkeys(c for c in frame.columns if c not in IDENTITY))
        if "variable" in frame:
            names.update(dict.fromkeys(frame["variable"].unique()))
        params.update(dict.fromkeys(c for c in frame.columns if "." in c))
    outcomes = []
    for name in names:
        try:
            outcomes.append(describe(name))
        except KeyError:
            if name in COHORT_COLUMNS:
                unit, definition = COHORT_COLUMNS[name]
                outcomes.append(
                    {"name": name, "unit": unit, "kind": "cohort", "definition": definition}
                )
    rows = schema_rows()
    parameters = [
        {
            "name": key,
            "unit": rows[key]["unit"],
            "min": rows[key]["min"],
            "max": rows[key]["max"],
            "default": rows[key]["default"],
            "definition": rows[key]["meaning"],
        }
        for key in params
        if key in rows
    ]
    return outcomes, parameters


def _write_parquet(frame: pd.DataFrame, path: Path, fields: dict[str, dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema = pa.schema(
        [
            field.with_metadata({k: str(v) for k, v in fields[field.name].items() if k != "name"})
            if field.name in fields
            else field
            for field in table.schema
        ],
        metadata=table.schema.metadata,
    )
    pq.write_table(table.cast(schema), path)


def export(
    url: str | None,
    experiment: str | None,
    out: Path,
    fmt: str = "csv",
    long_format: bool = False,
) -> list[Path]:
    """Write the tidy tables, ``outcomes.json`` and ``parameters.json`` to ``out``.

    Args:
        url: the results database.
        experiment: only this experiment (default: every experiment).
        out: the folder (created if needed).
        fmt: "csv" or "parquet".
        long_format: summaries and timeseries as long tables (variable, value, unit).

    Returns:
        The files written: the tables in the order of :data:`TABLES`, then the dictionaries.
    """
    out.mkdir(parents=True, exist_ok=True)
    frames = {what: tidy(store.load_results(url, experiment, what)) for what in TABLES}
    if long_format:
        frames["summaries"] = long(frames["summaries"], [])
        frames["timeseries"] = long(frames["timeseries"], ["month"])
    outcomes, parameters = dictionary(frames)
    fields = {row["name"]: row for row in (*outcomes, *parameters)}
    written = []
    for what, frame in frames.items():
        path = out / f"{what}.{'parquet' if fmt == 'parquet' else 'csv'}"
        if fmt == "parquet":
            _write_parquet(frame, path, fields)
        else:
            frame.to_csv(path, index=False)
        written.append(path)
    for name, rows in (("outcomes", outcomes), ("parameters", parameters)):
        path = out / f"{name}.json"
        path.write_text(json.dumps(rows, indent=2, default=str) + "\n", encoding="utf-8")
        written.append(path)
    return written
