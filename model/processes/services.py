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
    host_wait: float = 0.0  # mean wait of the hosts served (mainstream waiting, seen by hosts)


def abandon(
    request_month: np.ndarray, host_queue: np.ndarray, t: int, max_wait: float, scale: float
) -> float:
    """Requests older than ``max_wait`` months are given up (in place); returns persons."""
    cutoff = int(np.floor(t - max_wait))
    if cutoff <= 0:
        return 0.0
    hosts = float(host_queue[:cutoff].sum())
    host_queue[:cutoff] = 0.0
    stale = (request_month >= 0) & (request_month < cutoff)
    request_month[stale] = -1
    return hosts + float(stale.sum()) * scale


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
    else:  # nobody served: how long those in the queue have waited so far
        wait = _mean_age(total, age)
    queue_end = host_queue.sum() + (waiting & ~served).sum() * scale
    if host_served.sum() > 0:
        host_wait = float((host_served * age).sum() / host_served.sum())
    else:
        host_wait = _mean_age(host_queue, age)
    return Delivery(served, float(host_served.sum()), float(wait), float(queue_end), host_wait)


def _mean_age(queue: np.ndarray, age: np.ndarray) -> float:
    total = queue.sum()
    return float((queue * age).sum() / total) if total > 0 else 0.0


def combine(dedicated: Delivery, mainstream: Delivery, scale: float) -> Delivery:
    """One sector's month when newcomers first use dedicated desks, then mainstream ones."""
    first = dedicated.served_migrants.sum() * scale
    second = mainstream.served_hosts + mainstream.served_migrants.sum() * scale
    total = first + second
    wait = (dedicated.mean_wait * first + mainstream.mean_wait * second) / total if total else 0.0
    return Delivery(
        dedicated.served_migrants | mainstream.served_migrants,
        mainstream.served_hosts,
        float(wait),
        mainstream.queue_end,
        mainstream.host_wait,
    )


def refer(
    other_needs: np.ndarray, served: np.ndarray, coherence: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Referrals from a service to the sectors of a person's other needs.

    Whoever is served somewhere this month is referred on for the needs they did not ask for
    themselves; a referral arrives with probability ``coherence`` (horizontal coherence, or the
    one-stop shop) and is otherwise lost between sectors.

    Args:
        other_needs: (people, sectors) needs this month that did not become a request.
        served: (people, sectors) served this month.
        coherence: 0-1, chance a referral arrives.
        rng: the model's generator.

    Returns:
        (referred, lost): boolean (people, sectors) arrays.
    """
    candidates = other_needs & served.any(axis=1)[:, None] & ~served
    arrives = rng.random(candidates.shape) < coherence
    return candidates & arrives, candidates & ~arrives


FAST_TRACK_RATE = 0.05  # monthly recognition chance of credential holders at full fast-track


def fast_track_recognition(mig: Table, fast_track: float, rng: np.random.Generator) -> None:
    """A recognition office: credential holders get diplomas recognised without queueing."""
    if fast_track <= 0:
        return
    waiting = mig.present & mig.credentials & ~mig.recognised
    mig.recognised[waiting & (rng.random(mig.n) < FAST_TRACK_RATE * fast_track)] = True


def apply_effects(
    mig: Table,
    served: np.ndarray,
    behaviour: BehaviourParams,
    rng: np.random.Generator,
    fast_track: float = 0.0,
    language_support: float = 0.0,
    one_stop_shop: bool = False,
) -> np.ndarray:
    """Served needs change people; returns the extra regularisation chance from legal aid.

    Args:
        mig: the newcomers table.
        served: (migrants, sectors) booleans, served this month.
        behaviour: behavioural constants.
        rng: the model's generator.
        fast_track: 0-1, credential recognition fast-track policy strength.
        language_support: 0-1, interpreting and course support (courses teach more).
        one_stop_shop: whether reception is a one-stop shop (orientation informs more).
    """
    mig.health_need[served[:, HEALTH]] *= 0.5
    school = served[:, EDUCATION]
    mig.enrolled[school] = True
    mig.language[school] += behaviour.language_course_gain * (1 + language_support)
    job = served[:, EMPLOYMENT]
    mig.employability[job] += 0.1
    recognise = job & mig.credentials & (rng.random(mig.n) < 0.15 + 0.6 * fast_track)
    mig.recognised[recognise] = True
    mig.assisted[served[:, HOUSING]] = True
    welcome = served[:, RECEPTION]
    mig.information[welcome] += 0.45 if one_stop_shop else 0.3
    mig.language[welcome] += 0.5 * behaviour.language_course_gain
    mig.trust[served.any(axis=1)] += 0.02
    for column in (mig.language, mig.information, mig.trust, mig.employability):
        np.clip(column, 0.0, 1.0, out=column)
    return np.where(served[:, LEGAL], 0.03, 0.0)
