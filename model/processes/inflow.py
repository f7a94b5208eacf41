"""Process 1 — inflow: how many newcomer adults arrive each month, and who they are.

Every pattern spreads the same ``total`` over its own length (never over the run's horizon: a
shorter run is the first months of a longer one), so that the *shape* of the inflow can be
isolated ("l'ampleur et la rapidité des mouvements de population - si les villes sont confrontées à
un afflux soudain important ou à une augmentation progressive", seed, Défis auxquels sont
confrontées les autorités municipales).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.codes import INTENTIONS, ORIGINS, STATUSES, Origin, Status, Tenure
from model.month import Month
from model.processes import status
from model.scenario import InflowParams, Profile
from model.space import PERIPHERY

# information on arrival about which services exist: international newcomers know little, citizens
# moving within the country more (assumption, docs/ODD.md)
INFORMATION_INTERNATIONAL, INFORMATION_CITIZEN = 0.2, 0.6
EMPLOYABILITY_ON_ARRIVAL = (0.7, 0.95)  # uniform range of employability on arrival
# command of the local language on arrival, score 0-1: uniform ranges for those who speak it
# (and citizens) and for those who do not (assumption)
LANGUAGE_FLUENT, LANGUAGE_BEGINNER = (0.7, 1.0), (0.0, 0.2)
WAVE_TROUGH = 1e-3  # relative arrivals between two waves (a trickle, never exactly none)
HEALTH_NEED_SHAPE = 2.0  # first shape parameter of the Beta distribution of health need


@dataclass
class InflowMonth:
    """Who arrived this month: their newcomer rows and household rows."""

    migrant_rows: np.ndarray
    household_rows: np.ndarray


def run(month: Month, count: int) -> InflowMonth:
    """Process 1 for one month: ``count`` newcomer adults arrive, each with a household.

    Args:
        month: the month's context.
        count: newcomer agents arriving this month (from :func:`monthly_agents`).
    """
    if count == 0:
        empty = np.empty(0, dtype=np.int64)
        return InflowMonth(empty, empty)
    p, rng, t = month.params, month.rng, month.t
    mig, hh = month.mig, month.hh
    draw = draw_profile(p.inflow.profile, count, rng)
    hh_rows = np.arange(hh.n, hh.n + count)
    mig_rows = mig.append(
        count,
        household=hh_rows,
        arrival_month=t,
        origin=draw["origin"],
        status=draw["status"],
        decision_month=-1,
        age_band=draw["age_band"],
        female=draw["female"],
        health_need=draw["health_need"],
        skill=draw["skill"],
        inexperienced=draw["inexperienced"],
        carer=carers(draw["female"], draw["young_child"], p.services.childcare_place_share, rng),
        labour_force=draw["labour_force"],
        credentials=draw["credentials"],
        language=draw["language"],
        information=np.where(
            draw["origin"] == Origin.INTERNATIONAL,
            INFORMATION_INTERNATIONAL,
            INFORMATION_CITIZEN,
        ),
        trust=p.behaviour.trust_initial,
        intention=draw["intention"],
        employability=rng.uniform(*EMPLOYABILITY_ON_ARRIVAL, count),
        savings=draw["savings_months"] * p.city.mean_rent,
        waiting_since=-1,
        course_registered=-1,
        course_end=-1,
        present=True,
        departure_month=-1,
    )
    pending = draw["pending"]
    mig.decision_month[mig_rows[pending]] = status.decision_months(
        np.full(int(pending.sum()), t), p.national, rng
    )
    received = pending & (p.housing.reception_housing_months > 0)
    hh.append(
        count,
        block=reception_blocks(received, month.space.ring, rng),
        size=draw["size"],
        children=draw["children"],
        tenure=np.where(received, Tenure.RECEPTION, Tenure.UNHOUSED),
        kin=-1,
        host=False,
        group=draw["group"],
        migrant=mig_rows,
        present=True,
    )
    return InflowMonth(mig_rows, hh_rows)


def reception_blocks(
    received: np.ndarray, ring: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Block of each arriving household: a peripheral block if the state receives it, else -1.

    Reception centres and communal accommodation stand at the periphery more often than private
    flats (Baier & Siegert 2018). No random number is drawn when no one is received, so presets
    without state reception keep their random stream.
    """
    blocks = np.full(len(received), -1)
    if received.any():
        outer = np.flatnonzero(ring >= PERIPHERY)
        blocks[received] = outer[rng.integers(0, len(outer), int(received.sum()))]
    return blocks


def inflow_shape(inflow: InflowParams) -> np.ndarray:
    """Relative arrivals for months 0..start+length-1 (sums to 1, or 0): the whole inflow.

    The shape depends on the inflow alone, never on the run's horizon, so a shorter run is the
    first months of a longer one.
    """
    if inflow.pattern == "gradual":
        # a ramp up to a plateau: the second half of the inflow arrives at twice the early pace
        span = np.arange(inflow.duration_months, dtype=float)
        shape = np.minimum(1.0, (span + 1) / max(inflow.duration_months / 2, 1))
    elif inflow.pattern == "sudden":
        shape = np.ones(inflow.sudden_months)
    elif inflow.pattern == "waves":
        span = np.arange(inflow.duration_months, dtype=float)
        shape = np.sin(np.pi * inflow.waves * span / inflow.duration_months) ** 2 + WAVE_TROUGH
    else:
        shape = np.asarray(inflow.series, dtype=float)
    weights = np.concatenate([np.zeros(inflow.start_month), shape])
    total = weights.sum()
    return weights / total if total > 0 else weights


def schedule_weights(inflow: InflowParams, months: int) -> np.ndarray:
    """Share of the whole inflow arriving in each of months 0..months-1.

    Arrivals after the horizon are cut off, not squeezed in: the weights sum to less than 1 when
    the run ends before the inflow does.
    """
    whole = inflow_shape(inflow)
    weights = np.zeros(months)
    end = min(months, len(whole))
    weights[:end] = whole[:end]
    return weights


def monthly_agents(inflow: InflowParams, months: int, scale: float) -> np.ndarray:
    """Newcomer agents arriving each of months 0..months-1.

    The whole inflow (``round(total / scale)`` agents) is rounded by largest remainder over its
    own length, so every pattern delivers the same total, and then cut at the horizon: a run of
    ``months`` gets exactly the first ``months`` entries of a longer run's schedule.
    """
    target = round(inflow.total / scale)
    exact = inflow_shape(inflow) * target
    counts = np.floor(exact).astype(np.int64)
    short = target - int(counts.sum())
    if short > 0:
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:short]] += 1
    out = np.zeros(months, dtype=np.int64)
    end = min(months, len(counts))
    out[:end] = counts[:end]
    return out


def draw_profile(profile: Profile, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw ``n`` newcomer adults' attributes from the profile (vectorised)."""
    origin = _choice(rng, n, [getattr(profile.origin, k) for k in ORIGINS])
    status = _choice(rng, n, [getattr(profile.status, k) for k in STATUSES])
    status = np.where(
        origin == Origin.INTERNATIONAL, status, Status.REGULAR
    )  # citizens need no status
    age_band = _choice(
        rng,
        n,
        [
            profile.youth_share,
            1 - profile.youth_share - profile.elderly_share,
            profile.elderly_share,
        ],
    )
    skill = _choice(
        rng,
        n,
        [
            profile.low_skill_share,
            1 - profile.low_skill_share - profile.high_skill_share,
            profile.high_skill_share,
        ],
    )
    speaks = rng.random(n) < profile.language_share
    citizen = origin != Origin.INTERNATIONAL
    fluent, beginner = rng.uniform(*LANGUAGE_FLUENT, n), rng.uniform(*LANGUAGE_BEGINNER, n)
    language = np.where(speaks | citizen, fluent, beginner)
    dependents = rng.poisson(profile.dependents_mean, n)
    children = rng.binomial(dependents, profile.children_share)
    draw = {
        "origin": origin.astype(np.int8),
        "group": rng.integers(1, profile.origin_groups + 1, n).astype(np.int16),
        "status": status.astype(np.int8),
        "intention": _choice(rng, n, [getattr(profile.intention, k) for k in INTENTIONS]).astype(
            np.int8
        ),
        "age_band": age_band.astype(np.int8),
        "female": rng.random(n) < profile.female_share,
        "health_need": _health_need(profile.health_need_mean, n, rng),
        "skill": skill.astype(np.int8),
        "credentials": (skill > 0) & (rng.random(n) < profile.credentials_share),
        "language": language.astype(np.float32),
        "size": (1 + dependents).astype(np.int16),
        "children": children.astype(np.int16),
        "savings_months": np.full(n, profile.savings_months),
        "pending": status == Status.ASYLUM_PENDING,
    }
    # drawn last, so that the draws above keep their random stream
    draw["inexperienced"] = _inexperienced(profile, draw["female"], rng)
    draw["young_child"] = _young_child(profile.young_child_share, children > 0, rng)
    draw["labour_force"] = labour_force(profile, draw["female"], ~citizen, rng)
    return draw


def _young_child(share: float, parent: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Which parents' youngest child is under school age (``share`` of parents).

    No random number is drawn when the share is 1 (every parent), so that profiles without the
    input keep their random stream.
    """
    if share >= 1.0:
        return parent.copy()
    return parent & (rng.random(len(parent)) < share)


def carers(
    female: np.ndarray, young_child: np.ndarray, place_share: float, rng: np.random.Generator
) -> np.ndarray:
    """Mothers of a child under school age who found no childcare place for it.

    A parent finds a place with chance ``place_share`` (``services.childcare_place_share``),
    drawn once on arrival. No random number is drawn when the share is 0 (no places), so that
    scenarios without the input keep their random stream.
    """
    mothers = female & young_child
    if place_share <= 0.0:
        return mothers
    return mothers & (rng.random(len(female)) >= place_share)


def carer_effort(carer: np.ndarray, barrier: float) -> np.ndarray:
    """What is left of a carer's search for work and course registration: ``1 - barrier``.

    One rule for formal and informal search (``work``) and course registration (``courses``):
    ``behaviour.childcare_barrier`` cuts all three for carers; others keep 1.
    """
    return 1.0 - barrier * carer


def labour_force(
    profile: Profile, female: np.ndarray, from_abroad: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Who takes part in the labour force, searching for formal and informal work.

    Arrivals from abroad take part with the profile's share for their sex
    (``labour_force_share_women``, ``labour_force_share_men``), drawn once on arrival; citizens
    moving within the country all take part. The draw is independent of being a carer, which
    cuts the search of those who take part. No random number is drawn when both shares are 1,
    so profiles without the input keep their random stream.
    """
    share = np.where(female, profile.labour_force_share_women, profile.labour_force_share_men)
    if (share >= 1.0).all():
        return np.ones(len(female), dtype=bool)
    return ~from_abroad | (rng.random(len(female)) < share)


def _inexperienced(profile: Profile, female: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Who arrives without work experience, by the profile's shares for men and for women.

    No random number is drawn when everyone has work experience (both shares 1), so profiles
    without the input keep their random stream.
    """
    share = np.where(female, profile.work_experience_share_women, profile.work_experience_share_men)
    if (share >= 1.0).all():
        return np.zeros(len(female), dtype=bool)
    return rng.random(len(female)) >= share


def _health_need(mean: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Health need 0-1: a Beta distribution with the given mean and shape ``HEALTH_NEED_SHAPE``."""
    if not 0 < mean < 1:
        return np.full(n, mean)
    a = HEALTH_NEED_SHAPE
    return np.clip(rng.beta(a, a / mean - a, n), 0, 1)


def _choice(rng: np.random.Generator, n: int, shares: list[float]) -> np.ndarray:
    p = np.clip(np.asarray(shares, dtype=float), 0, None)
    p = p / p.sum() if p.sum() > 0 else np.full(len(p), 1 / len(p))
    return np.searchsorted(np.cumsum(p), rng.random(n) * p.sum(), side="right").clip(0, len(p) - 1)
