"""Process 6 — service delivery: queues served first come, first served, up to capacity.

Each sector has a queue of requests (newcomers as individuals, hosts as counts by request month).
It serves the oldest requests first, up to its capacity; waiting times follow. Served needs feed
health, language, status and employability; unmet needs accumulate. Source: seed, Apporter des
réponses ciblées (reception services: "cours de langue, des services d'orientation et une aide
juridique, des informations").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from model.codes import N_SECTORS, Sector, Status
from model.month import Month
from model.population import Table, any_column
from model.processes import status
from model.processes.access import AccessMonth
from model.scenario import ServicesParams

ONE_STOP_REFERRAL = 0.9  # referrals that arrive through a one-stop shop, at any coherence
UNMET_WEIGHT = 0.2  # weight of this month's unmet needs in the unmet-need score (a moving mean)
HOST_NEED_PER = 1000.0  # host need rates are per 1,000 residents


class Queue(Protocol):
    """What serving needs of a service sector (``MunicipalService`` is one)."""

    sector: str
    run_by: str
    capacity: float
    host_queue: np.ndarray
    requests: float
    served: float
    mean_wait_months: float
    queue_length: float


@dataclass
class ServicesMonth:
    """What the services did this month.

    Attributes:
        served: (newcomers, sectors) served this month.
        unmet: (newcomers, sectors) needs present this month (new or queued) not served.
        present_need: (newcomers, sectors) needs present this month.
        irregular: per newcomer, irregular status after this month's regularisations.
        host_requests: new host requests per sector (persons).
        mainstream_wait: mean wait of hosts served in mainstream services (months).
        referred: referrals that arrived in another sector (agents).
        referrals_lost: referrals lost between sectors (agents).
        newcomer_wait: mean wait of the newcomers served this month, all sectors (months; 0 when
            none was served).
        newcomers_served: newcomer persons served this month, all sectors.
        hosts_delayed_share: of the hosts' cases in city-run mainstream services this month
            (served or still waiting), the share that has waited, or will wait, a month or more.
        queue_age: per sector, mean age of the requests still waiting at the month's end (months).
        oldest: per sector, age of the oldest request still waiting (months).
        queue_start, requests, served_persons, queue_end, abandoned: the ledger of each
            sector this month (persons): queue_start + requests = served_persons + abandoned +
            queue_end (those who leave the city while waiting are counted by mobility).
    """

    served: np.ndarray
    unmet: np.ndarray
    present_need: np.ndarray
    irregular: np.ndarray
    host_requests: np.ndarray
    mainstream_wait: float
    newcomer_wait: float
    newcomers_served: float
    hosts_delayed_share: float
    queue_age: np.ndarray
    oldest: np.ndarray
    referred: int
    referrals_lost: int
    queue_start: np.ndarray
    requests: np.ndarray
    served_persons: np.ndarray
    queue_end: np.ndarray
    abandoned: np.ndarray


def run(month: Month, asked: AccessMonth, sectors: Sequence[Queue]) -> ServicesMonth:
    """Process 6 for one month: each sector serves its queue; what serving does; referrals.

    Args:
        month: the month's context.
        asked: the month's needs and requests (from access).
        sectors: the service sectors, in ``SECTORS`` order (their queues are updated).
    """
    p, t, rng, scale = month.params, month.t, month.rng, month.scale
    mig = month.mig
    pol, gov = p.policies, p.governance
    accepted, carried = asked.accepted, asked.carried
    served = np.zeros_like(asked.needs)
    host_persons = month.host_persons * scale
    ledger = {k: np.zeros(N_SECTORS) for k in ("start", "requests", "served", "end", "abandoned")}
    host_requests = np.zeros(N_SECTORS)
    mainstream = np.zeros((N_SECTORS, 2))
    newcomer = np.zeros((N_SECTORS, 2))
    delayed = np.zeros((N_SECTORS, 2))  # hosts' mainstream cases: delayed, all
    for k, svc in enumerate(sectors):
        rate = getattr(p.city.host_need_rate, svc.sector)
        host_requests[k] = float(rng.poisson(host_persons * rate / HOST_NEED_PER))
        ledger["start"][k] = svc.host_queue.sum() + carried[:, k].sum() * scale
        ledger["abandoned"][k] = abandon(
            mig.waiting_since[:, k], svc.host_queue, t, p.behaviour.max_wait_months, scale
        )
        svc.host_queue[t] += host_requests[k]
        delivery = _serve(svc, mig.waiting_since[:, k], month)
        served[:, k] = delivery.served_migrants
        mig.waiting_since[delivery.served_migrants, k] = -1
        svc.requests = host_requests[k] + accepted[:, k].sum() * scale
        svc.served = delivery.served_hosts + delivery.served_migrants.sum() * scale
        svc.mean_wait_months = delivery.mean_wait
        svc.queue_length = delivery.queue_end
        mainstream[k] = delivery.host_wait, delivery.served_hosts
        newcomer[k] = delivery.newcomer_wait, delivery.served_migrants.sum() * scale
        if svc.run_by == "city":
            delayed[k] = delivery.hosts_delayed, delivery.served_hosts + svc.host_queue.sum()
    legal_aid = apply_effects(
        mig,
        served,
        p.behaviour.language_course_gain,
        p.services,
        rng,
        fast_track=pol.credential_fast_track,
        language_support=pol.language_support,
        one_stop_shop=pol.one_stop_shop,
    )
    status.regularise(mig, legal_aid, p.national, rng)
    # referrals: those served are sent on to the sectors of their other needs this month
    coherence = max(gov.horizontal_coherence, ONE_STOP_REFERRAL if pol.one_stop_shop else 0.0)
    other_needs = asked.needs & ~accepted & asked.entitled
    referred, lost = refer(other_needs, served, coherence, rng)
    referred &= mig.waiting_since < 0
    mig.waiting_since[referred] = t
    joined = referred.sum(axis=0) * scale  # they join this month's queue
    for k, svc in enumerate(sectors):
        svc.requests += float(joined[k])
        svc.queue_length += float(joined[k])
        ledger["requests"][k] = svc.requests
        ledger["served"][k] = svc.served
        ledger["end"][k] = svc.queue_length
    queue_age, oldest = queue_ages(mig.waiting_since, sectors, t, scale)
    # unmet need: needs this month (new and still queued) that were not served
    present_need = asked.needs | carried
    unmet = present_need & ~served
    mig.unmet += unmet
    mig.unmet_score[:] = (1 - UNMET_WEIGHT) * mig.unmet_score + UNMET_WEIGHT * unmet.sum(axis=1)
    return ServicesMonth(
        served=served,
        unmet=unmet,
        present_need=present_need,
        irregular=mig.status == Status.IRREGULAR,
        host_requests=host_requests,
        mainstream_wait=_weighted_mean(mainstream[:, 0], mainstream[:, 1]),
        newcomer_wait=_weighted_mean(newcomer[:, 0], newcomer[:, 1]),
        newcomers_served=float(newcomer[:, 1].sum()),
        hosts_delayed_share=_share(delayed[:, 0].sum(), delayed[:, 1].sum()),
        queue_age=queue_age,
        oldest=oldest,
        referred=int(referred.sum()),
        referrals_lost=int(lost.sum()),
        queue_start=ledger["start"],
        requests=ledger["requests"],
        served_persons=ledger["served"],
        queue_end=ledger["end"],
        abandoned=ledger["abandoned"],
    )


def _serve(svc: Queue, request_month: np.ndarray, month: Month) -> Delivery:
    """Serve one sector's queue: dedicated newcomer desks first when delivery is targeted."""
    pol, t, scale, rng = month.params.policies, month.t, month.scale, month.rng
    if pol.delivery == "targeted" and svc.run_by == "city":
        dedicated = svc.capacity * pol.targeted_share
        no_hosts = np.zeros_like(svc.host_queue)
        first = serve_fifo(request_month, no_hosts, dedicated, t, scale, rng)
        rest = np.where(first.served_migrants, -1, request_month)
        second = serve_fifo(rest, svc.host_queue, svc.capacity - dedicated, t, scale, rng)
        return combine(first, second, scale)
    return serve_fifo(request_month, svc.host_queue, svc.capacity, t, scale, rng)


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """Mean weighted by volume; 0 where there is no volume at all (nobody was served)."""
    total = weights.sum()
    return float((values * weights).sum() / total) if total > 0 else 0.0


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else 0.0


def queue_ages(
    request_month: np.ndarray, sectors: Sequence[Queue], t: int, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per sector, mean and oldest age (months) of the requests still waiting at the month's end."""
    mean, oldest = np.zeros(N_SECTORS), np.zeros(N_SECTORS)
    for k, svc in enumerate(sectors):
        ages = t - np.arange(len(svc.host_queue))
        hosts = svc.host_queue > 0
        waiting = request_month[:, k] >= 0
        mine = t - request_month[waiting, k]
        persons = svc.host_queue.sum() + waiting.sum() * scale
        if persons > 0:
            mean[k] = ((svc.host_queue * ages).sum() + mine.sum() * scale) / persons
            oldest[k] = max(ages[hosts].max(initial=0), mine.max(initial=0))
    return mean, oldest


@dataclass
class Delivery:
    """What one sector did this month (persons)."""

    served_migrants: np.ndarray  # boolean mask over newcomer rows
    served_hosts: float
    mean_wait: float  # of those served (0 when nobody was)
    queue_end: float
    host_wait: float = 0.0  # mean wait of the hosts served (mainstream waiting, seen by hosts)
    newcomer_wait: float = 0.0  # mean wait of the newcomers served
    hosts_delayed: float = 0.0  # host persons served after a month or more, or still waiting


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
    newcomer_ages = (t - months[served]).astype(float)
    served_persons = host_served.sum() + served.sum() * scale
    wait = _share((host_served * age).sum() + newcomer_ages.sum() * scale, served_persons)
    queue_end = host_queue.sum() + (waiting & ~served).sum() * scale
    host_wait = _share(float((host_served * age).sum()), float(host_served.sum()))
    newcomer_wait = float(newcomer_ages.mean()) if len(newcomer_ages) else 0.0
    hosts_delayed = float(host_served[age >= 1].sum() + host_queue.sum())
    return Delivery(
        served,
        float(host_served.sum()),
        wait,
        float(queue_end),
        host_wait,
        newcomer_wait,
        hosts_delayed,
    )


def combine(dedicated: Delivery, mainstream: Delivery, scale: float) -> Delivery:
    """One sector's month when newcomers first use dedicated desks, then mainstream ones."""
    first = dedicated.served_migrants.sum() * scale
    second = mainstream.served_hosts + mainstream.served_migrants.sum() * scale
    total = first + second
    wait = _share(dedicated.mean_wait * first + mainstream.mean_wait * second, total)
    n_first, n_second = dedicated.served_migrants.sum(), mainstream.served_migrants.sum()
    newcomer_wait = _share(
        dedicated.newcomer_wait * n_first + mainstream.newcomer_wait * n_second, n_first + n_second
    )
    return Delivery(
        dedicated.served_migrants | mainstream.served_migrants,
        mainstream.served_hosts,
        wait,
        mainstream.queue_end,
        mainstream.host_wait,
        newcomer_wait,
        mainstream.hosts_delayed,
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
    candidates = other_needs & any_column(served)[:, None] & ~served
    arrives = rng.random(candidates.shape) < coherence
    return candidates & arrives, candidates & ~arrives


def apply_effects(
    mig: Table,
    served: np.ndarray,
    course_gain: float,
    sp: ServicesParams,
    rng: np.random.Generator,
    fast_track: float = 0.0,
    language_support: float = 0.0,
    one_stop_shop: bool = False,
) -> np.ndarray:
    """Served needs change people; returns the extra regularisation chance from legal aid.

    Args:
        mig: the newcomers table.
        served: (migrants, sectors) booleans, served this month.
        course_gain: language gained from one served course month (``language_course_gain``).
        sp: the ``[services]`` coefficients of what serving does.
        rng: the model's generator.
        fast_track: 0-1, credential recognition fast-track policy strength.
        language_support: 0-1, interpreting and course support (courses teach more).
        one_stop_shop: whether reception is a one-stop shop (orientation informs more).
    """
    mig.health_need[served[:, Sector.HEALTH]] *= sp.health_need_served_factor
    school = served[:, Sector.EDUCATION]
    mig.enrolled[school] = True
    mig.language[school] += course_gain * (1 + language_support)
    job = served[:, Sector.EMPLOYMENT_SKILLS]
    mig.employability[job] += sp.employability_gain
    chance = sp.recognition_base + sp.recognition_fast_track * fast_track
    recognise = job & mig.credentials & (rng.random(mig.n) < chance)
    mig.recognised[recognise] = True
    mig.assisted[served[:, Sector.HOUSING_ASSISTANCE]] = True
    welcome = served[:, Sector.RECEPTION]
    gain = sp.information_gain_one_stop if one_stop_shop else sp.information_gain_reception
    mig.information[welcome] += gain
    mig.language[welcome] += sp.reception_language_share * course_gain
    mig.trust[any_column(served)] += sp.trust_gain_served
    for column in (mig.language, mig.information, mig.trust, mig.employability):
        np.clip(column, 0.0, 1.0, out=column)
    return np.where(served[:, Sector.LEGAL_AID], sp.legal_aid_regularisation, 0.0)
