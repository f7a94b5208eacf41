"""Process 6b — integration courses: a newcomer-only language line the nation runs and pays.

Newcomer adults whose host language is weak and who are admitted (recognised refugees and other
regular residents; pending claimants with good prospects of staying) register for a course; a
course lasts ``course_months``; classes start every ``course_start_interval_months`` in the seats
that teachers and rooms provide, oldest registrations first. The national course office (in
Germany the BAMF) pays providers per participant and month, sizes the line to the registrations
it sees plus a share of the waiting list, decides the money late (``course_funding_lag_months``)
and providers recruit teachers late (``course_recruit_months``) and add rooms late
(``planning.places_lag_months``): a sudden inflow builds a waiting list that clears as seats catch
up. Mothers of a child under school age without a childcare place register less often a month
(the search cut ``behaviour.childcare_barrier``): refugee women attend integration courses less
often and later than men, access and childcare being the barrier (Worbs & Baraulina 2017, BAMF
Brief Analysis 1/2017). The month-0 line (``course_seats_per_100k``) is the standing capacity
the city's share of the national system has, which is never shed. Source: seed, Apporter des
réponses ciblées ("Ces services comprennent des cours de langue"); waits of 4-8 months in German
integration courses in 2016-2018 (Bundesrechnungshof 2021; BMI answer to Bundestag question,
2019), docs/ODD.md §7.6b.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.codes import WORKING_AGE_BANDS, Origin, Status
from model.month import Month
from model.population import Table
from model.processes.inflow import carer_effort
from model.processes.planning import adjust, follow
from model.scenario import Scenario, ServicesParams

PER_100K = 100_000.0  # the standing line is per 100,000 residents


@dataclass
class CourseLine:
    """The course line's memory (persons and seats, for the city's share of the national system).

    Attributes:
        baseline: month-0 seats (persons in a course at once), never shed.
        perceived: registrations a month the course office perceives (a moving average).
        decided: seats the course office has funded (follows its target with the funding lag).
        teachers: seats the recruited teachers can teach (teachers x ``course_class_size``).
        rooms: seats the rooms can hold.
        spending: what the nation paid this month (currency).
    """

    baseline: float
    perceived: float
    decided: float
    teachers: float
    rooms: float
    spending: float = 0.0

    @classmethod
    def at_start(cls, residents: float, params: Scenario) -> CourseLine:
        """The standing line of a city of ``residents`` persons, fully staffed."""
        seats = params.services.course_seats_per_100k * residents / PER_100K
        return cls(baseline=seats, perceived=0.0, decided=seats, teachers=seats, rooms=seats)

    @property
    def seats(self) -> float:
        """Seats in courses this month: what teachers and rooms both allow."""
        return min(self.teachers, self.rooms)


@dataclass
class CoursesMonth:
    """What the course line did this month (persons).

    Attributes:
        queue_start, registered, started, queue_end: the waiting list's ledger (those who leave
            the city while waiting are counted by :func:`leave`).
        participants: persons in a course at the month's end.
        completed: persons who finished a course this month.
        mean_wait: mean months from registration to start of those who started (0 if none).
        seats: seats this month.
        teachers: course teachers recruited (full-time, one class each).
        spending: what the nation paid for courses this month (currency).
    """

    queue_start: float
    registered: float
    started: float
    queue_end: float
    participants: float
    completed: float
    mean_wait: float
    seats: float
    teachers: float
    spending: float


def admitted(mig: Table, pending_access: float, rng: np.random.Generator) -> np.ndarray:
    """Who the national rules admit to a course this month (citizens and the irregular are not).

    Recognised refugees and other regular international newcomers are admitted; pending claimants
    with a share ``pending_access`` (those with good prospects of staying).
    """
    international = mig.origin == Origin.INTERNATIONAL
    secure = (mig.status == Status.REGULAR) | (mig.status == Status.PROTECTED)
    pending = (mig.status == Status.ASYLUM_PENDING) & (rng.random(mig.n) < pending_access)
    return international & (secure | pending)


def run(month: Month, line: CourseLine) -> CoursesMonth:
    """Process 6b for one month: completions, registrations, class starts, learning, planning.

    Args:
        month: the month's context.
        line: the course line (updated in place).
    """
    p, t, rng, scale = month.params, month.t, month.rng, month.scale
    sp, mig = p.services, month.mig
    waiting = mig.course_registered >= 0
    queue_start = float(waiting.sum()) * scale
    done = (mig.course_end >= 0) & (mig.course_end <= t)
    mig.course_end[done] = -1
    free = ~waiting & (mig.course_end < 0)
    adult = mig.present & (mig.age_band < WORKING_AGE_BANDS)
    weak = mig.language < sp.language_need_below
    eligible = adult & weak & free & admitted(mig, sp.course_access_pending, rng)
    # mothers of a young child without a childcare place register later (Worbs & Baraulina 2017)
    need = sp.language_need * carer_effort(mig.carer, p.behaviour.childcare_barrier)
    registers = eligible & (rng.random(mig.n) < need)
    mig.course_registered[registers] = t
    started_rows = start_classes(mig.course_registered, line.seats, mig.course_end, t, sp, scale)
    wait = float((t - mig.course_registered[started_rows]).mean()) if len(started_rows) else 0.0
    mig.course_registered[started_rows] = -1
    mig.course_end[started_rows] = t + sp.course_months
    in_course = mig.course_end >= 0
    mig.language[in_course] += sp.course_language_gain * (1 + p.policies.language_support)
    np.clip(mig.language, 0.0, 1.0, out=mig.language)
    participants = float(in_course.sum()) * scale
    line.spending = participants * sp.course_cost_per_participant_month
    plan(line, registers.sum() * scale, (mig.course_registered >= 0).sum() * scale, p)
    return CoursesMonth(
        queue_start=queue_start,
        registered=float(registers.sum()) * scale,
        started=float(len(started_rows)) * scale,
        queue_end=float((mig.course_registered >= 0).sum()) * scale,
        participants=participants,
        completed=float(done.sum()) * scale,
        mean_wait=wait,
        seats=line.seats,
        teachers=line.teachers / sp.course_class_size,
        spending=line.spending,
    )


def start_classes(
    registered: np.ndarray,
    seats: float,
    course_end: np.ndarray,
    t: int,
    sp: ServicesParams,
    scale: float,
) -> np.ndarray:
    """Rows that start a course this month: free seats, oldest registrations first.

    Classes start only in months on the cadence (``course_start_interval_months``); the free
    seats are the seats minus the persons already in a course.
    """
    if t % sp.course_start_interval_months:
        return np.empty(0, dtype=np.int64)
    free = seats - float((course_end >= 0).sum()) * scale
    places = int(max(free, 0.0) / scale)
    queue = np.flatnonzero(registered >= 0)
    if places <= 0 or len(queue) == 0:
        return np.empty(0, dtype=np.int64)
    order = queue[np.argsort(registered[queue], kind="stable")]
    return order[:places]


def plan(line: CourseLine, registrations: float, waiting: float, params: Scenario) -> None:
    """The course office sizes the line to what it sees; money, teachers and rooms follow late.

    Target seats = (perceived registrations a month + waiting list / ``planning.backlog_months``)
    x ``course_months`` (each registrant holds a seat for the length of a course), never below
    the standing line.
    """
    sp, pp = params.services, params.planning
    line.perceived = float(follow(line.perceived, registrations, pp.perception_months))
    target = max(line.baseline, (line.perceived + waiting / pp.backlog_months) * sp.course_months)
    line.decided = float(follow(line.decided, target, sp.course_funding_lag_months))
    teachers = adjust(line.teachers, line.decided, sp.course_recruit_months, pp.downsizing_months)
    rooms = adjust(line.rooms, line.decided, pp.places_lag_months, pp.downsizing_months)
    line.teachers = max(float(teachers), line.baseline)
    line.rooms = max(float(rooms), line.baseline)


def leave(mig: Table, leaving: np.ndarray, scale: float) -> float:
    """Newcomers who leave the city leave the waiting list and their course.

    Returns:
        Persons dropped from the waiting list.
    """
    dropped = float((mig.course_registered[leaving] >= 0).sum()) * scale
    mig.course_registered[leaving] = -1
    mig.course_end[leaving] = -1
    return dropped
