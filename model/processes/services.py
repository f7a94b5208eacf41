"""Process 6 — service delivery: queues served first come, first served, up to capacity.

Each sector has a queue of requests (newcomers as individuals, hosts as counts by request month).
It serves the oldest requests first, up to its capacity; waiting times follow. Served needs feed
health, language, status and employability; unmet needs accumulate. Source: seed, Apporter des
réponses ciblées (reception services: "cours de langue, des services d'orientation et une aide
juridique, des informations").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.population import Table
from model.processes.access import EDUCATION, EMPLOYMENT, HEALTH, HOUSING, LEGAL, RECEPTION
from model.scenario import BehaviourParams


@dataclass
class Delivery:
    """What one sector did this month (persons)."""

    served_migrants: np.ndarray  # boolean mask over newcomer rows
    served_hosts: float
    mean_wait: float
    queue_end: float


def serve_fifo(
    request_month: np.ndarray,
    host_queue: np.ndarray,
    capacity: float,
    t: int,
    scale: float,
    rng: np.random.Generator,
) -> Delivery:
    """Serve one sector's queue, oldest requests first.

    Args:
        request_month: month each waiting newcomer asked (-1 = not waiting); one agent = ``scale``
            persons.
        host_queue: host persons waiting, indexed by request month; updated in place.
        capacity: persons the sector can serve this month.
        t: the current month.
        scale: persons per newcomer agent.
        rng: the model's generator.

    Returns:
        The :class:`Delivery` of the month.
    """
    waiting = request_month >= 0
    months = np.where(waiting, request_month, 0)
    newcomer = np.bincount(months[waiting], minlength=len(host_queue)) * scale
    total = host_queue + newcomer
    cum = np.cumsum(total)
    if cum[-1] <= capacity:
        cut, fraction = len(total), 1.0
    else:
        cut = int(np.searchsorted(cum, capacity, side="right"))
        before = cum[cut - 1] if cut > 0 else 0.0
        fraction = (capacity - before) / total[cut] if total[cut] > 0 else 0.0
    served = waiting & ((months < cut) | ((months == cut) & (rng.random(len(months)) < fraction)))
    host_served = host_queue.copy()
    host_served[cut:] = 0.0
    if cut < len(host_queue):
        host_served[cut] = np.floor(host_queue[cut] * fraction)
    host_queue -= host_served
    age = t - np.arange(len(host_queue))
    served_persons = host_served.sum() + served.sum() * scale
    if served_persons > 0:
        wait = ((host_served * age).sum() + (t - months[served]).sum() * scale) / served_persons
    else:
        queued = total.sum()
        wait = queued / capacity if capacity > 0 else float(queued > 0) * 12.0
    queue_end = host_queue.sum() + (waiting & ~served).sum() * scale
    return Delivery(served, float(host_served.sum()), float(wait), float(queue_end))


def apply_effects(
    mig: Table,
    served: np.ndarray,
    behaviour: BehaviourParams,
    rng: np.random.Generator,
    fast_track: float = 0.0,
) -> np.ndarray:
    """Served needs change people; returns the extra regularisation chance from legal aid.

    Args:
        mig: the newcomers table.
        served: (migrants, sectors) booleans, served this month.
        behaviour: behavioural constants.
        rng: the model's generator.
        fast_track: 0-1, credential recognition fast-track policy strength.
    """
    mig.health_need[served[:, HEALTH]] *= 0.5
    school = served[:, EDUCATION]
    mig.enrolled[school] = True
    mig.language[school] += behaviour.language_course_gain
    job = served[:, EMPLOYMENT]
    mig.employability[job] += 0.1
    recognise = job & mig.credentials & (rng.random(mig.n) < 0.15 + 0.6 * fast_track)
    mig.recognised[recognise] = True
    mig.assisted[served[:, HOUSING]] = True
    welcome = served[:, RECEPTION]
    mig.information[welcome] += 0.3
    mig.language[welcome] += 0.5 * behaviour.language_course_gain
    mig.trust[served.any(axis=1)] += 0.02
    for column in (mig.language, mig.information, mig.trust, mig.employability):
        np.clip(column, 0.0, 1.0, out=column)
    return np.where(served[:, LEGAL], 0.03, 0.0)
