"""The scenario: every lever of the model, typed, ranged and documented.

A scenario is a TOML file validated into a :class:`Scenario`. Each parameter carries a unit, an
allowed range and a one-line meaning (see ``Scenario.describe()``). A file may start with
``extends = "other.toml"`` (a path relative to the file) and override only what differs.

Example:
    >>> s = Scenario.from_toml("scenarios/northern_midsize_asylum.toml")
    >>> s.with_overrides({"inflow.total": 5000}).inflow.total
    5000
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import tomli_w
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from model.codes import ENGAGEMENT_LEVELS, SECTORS

# fewest agents the housing mechanisms need when an agent stands for several households
# (run.scale > 1); see Scenario._check_scale and docs/ODD.md §2
MIN_HOST_AGENTS_PER_BLOCK = 10  # host agents per block
MIN_NEWCOMER_AGENTS = 100  # newcomer agents over the run
MIN_HOST_AGENTS = 50  # host-household agents at any scale: fewer and outcomes are noise


class ScenarioError(ValueError):
    """A scenario (or sweep) file or override that cannot be used, with the place it went wrong.

    Attributes:
        source: the file (or "overrides") the bad value came from.
        key: the dotted key at fault, or "" when the whole file is at fault.
        reason: what is wrong and what would be allowed.
    """

    def __init__(self, source: str, key: str, reason: str):
        self.source, self.key, self.reason = source, key, reason
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + reason)


class KeyedValueError(ValueError):
    """A validator's complaint about a particular key (dotted, relative to the validated model)."""

    def __init__(self, key: str, reason: str):
        self.key = key
        super().__init__(reason)


def P(  # noqa: N802 - a short, visible marker for parameter declarations
    default: Any, lo: float | None = None, hi: float | None = None, unit: str = "", doc: str = ""
):
    """A documented, ranged parameter (a pydantic Field with a unit)."""
    return Field(default, ge=lo, le=hi, description=doc, json_schema_extra={"unit": unit})


class Section(BaseModel):
    """Base of every scenario section: unknown keys are errors, assignments are validated."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, frozen=False, strict=True, allow_inf_nan=False
    )


def _known_sectors(value: list[str] | None) -> list[str] | None:
    for sector in value or []:
        if sector not in SECTORS:
            raise ValueError(f"unknown sector {sector!r} (sectors: {', '.join(SECTORS)})")
    return value


def _check_mix(values: dict[str, float], name: str) -> None:
    total = sum(values.values())
    if abs(total - 1.0) > 0.01:
        raise ValueError(f"the shares of {name} must add up to 1 (they add up to {total:.3f})")


class SectorValues(Section):
    """One number per service sector."""

    health: float = P(1.0, 0, 1e6, doc="health care")
    education: float = P(1.0, 0, 1e6, doc="schooling and adult language courses")
    housing_assistance: float = P(1.0, 0, 1e6, doc="housing assistance and social housing")
    employment_skills: float = P(
        1.0, 0, 1e6, doc="job placement, skills and credential recognition"
    )
    reception: float = P(1.0, 0, 1e6, doc="reception, orientation, one-stop shop")
    legal_aid: float = P(1.0, 0, 1e6, doc="legal and social aid")


class CityParams(Section):
    """The city before the inflow: people, housing, jobs, transit, services."""

    name: str = Field("arrival city", description="a label for figures and tables")
    grid_size: int = P(20, 6, 60, "blocks per side", "the city is grid_size x grid_size blocks")
    host_households: int = P(40_000, 50, 5_000_000, "households", "host households at month 0")
    mean_household_size: float = P(2.2, 1.0, 7.0, "persons", "mean size of host households")
    host_income_mean: float = P(2600.0, 50, 20_000, "currency/month", "mean host household income")
    housing_vacancy_rate: float = P(0.03, 0.0, 0.4, "share", "formal units vacant at month 0")
    mean_rent: float = P(800.0, 10, 10_000, "currency/month", "mean formal rent at month 0")
    rent_gradient: float = P(
        0.5, 0.0, 2.0, "share", "how much dearer the centre is than the periphery (0 = flat)"
    )
    informal_share: float = P(
        0.0, 0.0, 0.9, "share", "host households in informal dwellings at month 0"
    )
    informal_expansion_rate: float = P(
        0.02, 0.0, 0.5, "share/month", "informal dwellings that can be added per month, share"
    )
    hazard_exposed_share: float = P(
        0.0, 0.0, 1.0, "share", "informal-settlement blocks exposed to hazards (floods, slides)"
    )
    hazard_probability: float = P(
        0.0, 0.0, 0.5, "1/month", "chance an exposed block suffers a hazard event in a month"
    )
    hazard_destruction_share: float = P(
        0.3, 0.0, 1.0, "share", "informal dwellings destroyed in a block hit by a hazard"
    )
    informal_jobs_per_resident: float = P(
        0.03, 0.0, 1.0, "jobs/person", "vacant informal work openings per resident at month 0"
    )
    host_unemployment_rate: float = P(0.06, 0.0, 0.6, "share", "host unemployment at month 0")
    transit_coverage: float = P(
        0.7, 0.0, 1.0, "share", "share of peripheral blocks with good transit to the centre"
    )
    service_capacity: SectorValues = Field(
        default_factory=lambda: SectorValues(
            health=30,
            education=12,
            housing_assistance=2,
            employment_skills=4,
            reception=2,
            legal_aid=1.5,
        ),
        description="cases per month each sector can serve, per 1,000 residents at month 0",
        json_schema_extra={"unit": "cases/month per 1,000 residents"},
    )
    host_need_rate: SectorValues = Field(
        default_factory=lambda: SectorValues(
            health=26,
            education=10,
            housing_assistance=1.5,
            employment_skills=3,
            reception=0.5,
            legal_aid=1.0,
        ),
        description="host requests per month per 1,000 host residents, by sector",
        json_schema_extra={"unit": "requests/month per 1,000 hosts"},
    )
    cost_per_case: SectorValues = Field(
        default_factory=lambda: SectorValues(
            health=150,
            education=400,
            housing_assistance=900,
            employment_skills=300,
            reception=200,
            legal_aid=250,
        ),
        description="what serving one case costs, by sector (currency)",
        json_schema_extra={"unit": "currency/case"},
    )
    media_hostility: float = P(
        0.2, 0.0, 1.0, "score 0-1", "hostility of local media and political discourse to newcomers"
    )


class OriginMix(Section):
    """Shares of arrivals by origin (must add up to 1)."""

    international: float = P(1.0, 0, 1, "share", "international migrants")
    internal: float = P(0.0, 0, 1, "share", "internal, rural-urban migrants (citizens)")
    displaced: float = P(0.0, 0, 1, "share", "internally displaced persons (citizens)")
    returnee: float = P(0.0, 0, 1, "share", "returning citizens")

    @model_validator(mode="after")
    def _sum(self) -> OriginMix:
        _check_mix(self.model_dump(), "inflow.profile.origin")
        return self


class StatusMix(Section):
    """Legal status on arrival of international migrants (must add up to 1)."""

    regular: float = P(0.2, 0, 1, "share", "regular (visa, permit, free movement)")
    asylum_pending: float = P(0.7, 0, 1, "share", "asylum claim lodged, decision pending")
    protected: float = P(0.05, 0, 1, "share", "already recognised (resettled)")
    irregular: float = P(0.05, 0, 1, "share", "no valid status")

    @model_validator(mode="after")
    def _sum(self) -> StatusMix:
        _check_mix(self.model_dump(), "inflow.profile.status")
        return self


class IntentionMix(Section):
    """Intentions on arrival (must add up to 1)."""

    transit: float = P(0.1, 0, 1, "share", "means to move on")
    temporary: float = P(0.3, 0, 1, "share", "means to stay for a while")
    settle: float = P(0.6, 0, 1, "share", "means to settle")

    @model_validator(mode="after")
    def _sum(self) -> IntentionMix:
        _check_mix(self.model_dump(), "inflow.profile.intention")
        return self


class Profile(Section):
    """Who arrives."""

    origin: OriginMix = Field(default_factory=OriginMix, description="origin mix")
    status: StatusMix = Field(default_factory=StatusMix, description="status mix (international)")
    intention: IntentionMix = Field(default_factory=IntentionMix, description="intention mix")
    origin_groups: int = P(6, 1, 50, "groups", "distinct origin communities (co-origin networks)")
    female_share: float = P(0.4, 0, 1, "share", "women among arriving adults")
    youth_share: float = P(0.35, 0, 1, "share", "arriving adults aged 18-29")
    elderly_share: float = P(0.05, 0, 1, "share", "arriving adults aged 60+")
    health_need_mean: float = P(0.25, 0, 1, "score 0-1", "mean health need on arrival")
    high_skill_share: float = P(0.2, 0, 1, "share", "tertiary-educated arrivals")
    low_skill_share: float = P(0.4, 0, 1, "share", "arrivals without upper-secondary education")
    credentials_share: float = P(
        0.6, 0, 1, "share", "of the skilled, share holding credentials that could be recognised"
    )
    language_share: float = P(0.1, 0, 1, "share", "arrivals already speaking the local language")
    work_experience_share_men: float = P(
        1.0,
        0,
        1,
        "share",
        "arriving men with work experience before arrival (1: none lacks it; northern preset "
        "0.81, IAB-BAMF-SOEP 2016 wave, Brücker, Rother & Schupp 2016, docs/ODD.md)",
    )
    work_experience_share_women: float = P(
        1.0,
        0,
        1,
        "share",
        "arriving women with work experience before arrival (1: none lacks it; northern preset "
        "0.50, IAB-BAMF-SOEP 2016 wave, Brücker, Rother & Schupp 2016, docs/ODD.md)",
    )
    labour_force_share_men: float = P(
        1.0,
        0,
        1,
        "share",
        "arriving working-age men from abroad who take part in the labour force (search for "
        "formal and informal work), drawn once on arrival and fixed; citizens moving within the "
        "country all take part (1: all, today's behaviour; megacity "
        "0.66, Syria's pre-war participation of men aged 15+, 2010: SCPR and ILOSTAT, "
        "docs/ODD.md §7.4)",
    )
    labour_force_share_women: float = P(
        1.0,
        0,
        1,
        "share",
        "arriving working-age women from abroad who take part in the labour force (search for "
        "formal and informal work), drawn once on arrival and fixed; citizens moving within the "
        "country all take part (1: all, today's behaviour; megacity "
        "0.15, Syrian women under temporary protection in income-generating work, UN Women & "
        "ASAM 2018, docs/ODD.md §7.4); carers are a further, separate cut",
    )
    young_child_share: float = P(
        1.0,
        0,
        1,
        "share",
        "of arriving parents (children in the household), share whose youngest child is under "
        "school age (1: all, an assumption; northern preset 0.67, about two thirds of refugee "
        "families with children, Bujard, Diehl, Kreyenfeld, Spieß et al. 2019, docs/ODD.md)",
    )
    dependents_mean: float = P(1.0, 0, 6, "persons", "mean accompanying dependents per adult")
    children_share: float = P(
        0.7, 0, 1, "share", "of dependents, share who are school-age children"
    )
    savings_months: float = P(1.0, 0, 24, "months of rent", "savings on arrival")

    @model_validator(mode="after")
    def _bands(self) -> Profile:
        for a, b in (("youth_share", "elderly_share"), ("high_skill_share", "low_skill_share")):
            total = getattr(self, a) + getattr(self, b)
            if total > 1.0 + 1e-9:
                raise KeyedValueError(
                    b,
                    f"{a} + {b} must be at most 1 (they add up to {total:.3f}); the rest is the "
                    "middle band",
                )
        return self


class InflowParams(Section):
    """The arrivals schedule: same ``total`` under every pattern, so shape can be isolated."""

    pattern: Literal["gradual", "sudden", "waves", "series"] = Field(
        "gradual", description="gradual ramp, sudden pulse, waves, or an explicit monthly series"
    )
    total: int = P(5000, 0, 10_000_000, "adults", "newcomer adults arriving over the horizon")
    start_month: int = P(1, 0, 600, "month", "first month of arrivals")
    duration_months: int = P(24, 1, 600, "months", "length of the inflow (gradual, waves)")
    sudden_months: int = P(3, 1, 24, "months", "length of the pulse for the sudden pattern")
    waves: int = P(3, 1, 20, "waves", "number of waves for the waves pattern")
    series: list[float] = Field(
        default_factory=list, description="monthly weights for the series pattern (scaled to total)"
    )
    profile: Profile = Field(default_factory=Profile, description="who arrives")

    @model_validator(mode="after")
    def _series(self) -> InflowParams:
        if self.pattern == "series" and (not self.series or sum(self.series) <= 0):
            raise ValueError("pattern 'series' needs a non-empty 'series' of non-negative weights")
        if any(w < 0 for w in self.series):
            raise ValueError("'series' weights must be >= 0")
        return self


class Entitlements(Section):
    """Sectors each legal status may use, by national law (share of full entitlement, 0-1)."""

    asylum_pending: SectorValues = Field(
        default_factory=lambda: SectorValues(
            health=0.6,
            education=1,
            housing_assistance=0.5,
            employment_skills=0.5,
            reception=1,
            legal_aid=1,
        ),
        description="asylum seekers awaiting a decision",
        json_schema_extra={"unit": "share of full entitlement"},
    )
    irregular: SectorValues = Field(
        default_factory=lambda: SectorValues(
            health=0.3,
            education=1,
            housing_assistance=0,
            employment_skills=0,
            reception=0.5,
            legal_aid=1,
        ),
        description="people without valid status",
        json_schema_extra={"unit": "share of full entitlement"},
    )


class NationalParams(Section):
    """The national level: status, rights, entitlements."""

    processing_delay_months: float = P(
        8.0, 0.0, 60.0, "months", "mean time to a first-instance asylum decision"
    )
    recognition_rate: float = P(0.65, 0.0, 1.0, "share", "asylum claims granted protection")
    departure_after_rejection: float = P(
        0.5, 0.0, 1.0, "share", "rejected claimants who leave; the rest stay irregularly"
    )
    work_while_pending: bool = Field(True, description="asylum seekers may work formally")
    work_wait_months: int = P(
        3, 0, 60, "months", "waiting period before pending claimants may work"
    )
    protection_needs_permit: bool = Field(
        False,
        description="protected persons may work formally only with a work permit that an "
        "employer obtains when hiring them (Turkey's temporary protection: Regulation on Work "
        "Permits of Foreigners under Temporary Protection, Official Gazette 29594, 15 January "
        "2016, Art. 4-5); false: protection carries full work rights (EU, Directive 2011/95/EU "
        "Art. 26)",
    )
    protected_permit_application: float = P(
        1.0,
        0.0,
        1.0,
        "probability",
        "chance that the employer of a protected person without a work permit applies for one "
        "at a formal hire (the fee, the paperwork and the social contributions of formal hiring "
        "decide it); without it the hire does not go ahead. There is no national cap "
        "(Regulation on Work Permits of Foreigners under Temporary Protection, Official Gazette "
        "29594, 15 January 2016, Art. 4-8). Read only if protection_needs_permit. Default 1: "
        "every employer applies, so only the rule's wait and quota bind (no behavioural "
        "shortfall assumed). No published value for a country: each preset that needs a permit "
        "sets its own, calibrated (megacity: 0.144, the maximum-weight draw of "
        "experiments/calibrations/megacity.toml against the permits issued to Syrians "
        "2016-2019, evidence/tr_work_permits_issued.toml; 95 % interval 0.021-0.435)",
    )
    protected_permit_wait_months: int = P(
        6,
        0,
        60,
        "months",
        "months under protection (from arrival) before an employer may apply for a permit "
        "(Regulation on Work Permits of Foreigners under Temporary Protection 2016, Art. 5)",
    )
    protected_permit_quota: float = P(
        0.1,
        0.0,
        1.0,
        "ratio",
        "permit holders in formal work at most this share of hosts in formal work (Regulation "
        "on Work Permits of Foreigners under Temporary Protection 2016, Art. 8: 10 % of a "
        "firm's Turkish workers, applied here to the city's formal workforce)",
    )
    asylum_allowance: float = P(
        450.0, 0.0, 10_000, "currency/month", "allowance paid to asylum seekers awaiting a decision"
    )
    welfare_benefit: float = P(
        700.0, 0.0, 10_000, "currency/month", "benefit paid to jobless residents with full rights"
    )
    housing_benefit: float = P(
        0.0, 0.0, 10_000, "currency/month", "rent paid by the state for benefit recipients"
    )
    tolerated_allowance_share: float = P(
        0.0,
        0.0,
        1.0,
        "share",
        "share of the asylum allowance and housing benefit that rejected claimants who stay "
        "keep (Germany: a tolerated stay, Duldung, keeps AsylbLG benefits, §1(1) no. 4 AsylbLG)",
    )
    regularisation_rate: float = P(
        0.002, 0.0, 0.2, "1/month", "chance an irregular resident is regularised in a month"
    )
    entitlements: Entitlements = Field(default_factory=Entitlements, description="by status")
    transfer_lag_months: float = P(
        24.0, 0.0, 120.0, "months", "delay before transfers count a new registered resident"
    )
    asylum_benefits_local: float = P(
        0.0,
        0.0,
        1.0,
        "share",
        "share of asylum seekers' allowance and housing benefit that sub-central government "
        "(the city's budget) pays (Germany: 1, the Länder and municipalities carry the "
        "AsylbLG, §10 AsylbLG; 0 where the nation pays them)",
    )
    asylum_lump_sum: float = P(
        0.0,
        0.0,
        5000.0,
        "currency/person/month",
        "national per-capita payment per asylum seeker from registration to the decision, "
        "paid at once, besides the lagged transfers (Germany 2016-2018: 670 EUR, the average "
        "AsylbLG cost per recipient; Bund-Länder agreement of 24 September 2015, §1 FAG as "
        "amended 2015; 0 where the nation has no such scheme)",
    )


class BehaviourParams(Section):
    """Calibrated behavioural constants (sources in docs/ODD.md)."""

    co_origin_preference: float = P(
        2.0, 0.0, 20.0, "weight", "pull of blocks where one's origin community already lives"
    )
    rent_sensitivity: float = P(
        3.0, 0.0, 20.0, "weight", "aversion to rent as a share of one's means when choosing a block"
    )
    transit_preference: float = P(1.0, 0.0, 10.0, "weight", "pull of good transit to the centre")
    max_rent_burden: float = P(0.45, 0.1, 1.0, "share", "largest share of income paid in rent")
    housing_discrimination: float = P(
        0.3, 0.0, 1.0, "share", "chance a landlord turns away a newcomer applicant"
    )
    hiring_discrimination: float = P(
        0.15, 0.0, 1.0, "share", "loss in a newcomer's formal hiring chance from discrimination"
    )
    rent_elasticity: float = P(
        0.3, 0.0, 3.0, "1/month", "monthly rent change per unit of excess occupancy"
    )
    construction_lag_months: float = P(
        24.0,
        1.0,
        120.0,
        "months",
        "mean time from a start to a completed formal unit (Germany: permit to completion about "
        "22 months, multi-family 26-30, Destatis; Colombia: 33, pre-sales of 9.1 months before "
        "building starts, Camacol, plus 24 months of building, Portafolio; docs/ODD.md)",
    )
    eviction_rate_informal: float = P(
        0.004, 0.0, 0.2, "1/month", "eviction chance of informal tenants"
    )
    eviction_rate_arrears: float = P(
        0.005, 0.0, 0.5, "1/month", "eviction chance of formal renters paying over max burden"
    )
    doubling_up_share: float = P(
        0.6, 0.0, 1.0, "share", "of those without formal housing, share who double up with kin"
    )
    language_learning: float = P(
        0.025, 0.0, 0.2, "score/month", "share of the remaining language gap closed each month"
    )
    youth_language_factor: float = P(
        1.3,
        1.0,
        3.0,
        "ratio",
        "language learning of arrivals aged 18-29 relative to older adults (younger arrivals "
        "learn faster: Chiswick & Miller 2001)",
    )
    language_course_gain: float = P(0.05, 0.0, 0.5, "score", "gain from one served course month")
    childcare_barrier: float = P(
        0.6,
        0.0,
        1.0,
        "share",
        "cut in the job search (formal and informal) and in the monthly course registration of "
        "mothers of a child under school age without a childcare place (assumption)",
    )
    job_finding_informal: float = P(
        0.05,
        0.0,
        1.0,
        "1/month",
        "informal work finding chance at tightness 1 where no host works informally at month 0",
    )
    job_separation_formal: float = P(0.012, 0.0, 0.5, "1/month", "formal job loss chance")
    newcomer_separation_factor: float = P(
        3.5,
        1.0,
        10.0,
        "ratio",
        "newcomers' formal job loss relative to hosts' (temporary contracts)",
    )
    job_separation_informal: float = P(0.06, 0.0, 0.5, "1/month", "informal work loss chance")
    employability_erosion: float = P(
        0.006, 0.0, 0.1, "1/month", "employability lost per idle month"
    )
    wage_formal: float = P(2200.0, 10, 20_000, "currency/month", "formal wage, mid-skilled")
    wage_informal: float = P(900.0, 10, 20_000, "currency/month", "informal earnings")
    departure_base: float = P(
        0.0015, 0.0, 0.3, "1/month", "onward or return move chance of a settler"
    )
    departure_transit: float = P(0.15, 0.0, 1.0, "1/month", "move-on chance of those in transit")
    departure_temporary: float = P(0.01, 0.0, 0.5, "1/month", "move-on chance of temporary stayers")
    departure_unmet_need: float = P(
        0.004, 0.0, 0.5, "1/month", "extra move chance per unit of unmet-need score"
    )
    max_wait_months: float = P(
        12.0, 1.0, 120.0, "months", "waiting time after which people give up on a request"
    )
    information_gain: float = P(0.05, 0.0, 1.0, "score/month", "information gained from networks")
    trust_initial: float = P(0.5, 0.0, 1.0, "score 0-1", "trust in authorities on arrival")
    fear_of_id_checks: float = P(
        0.7, 0.0, 1.0, "share", "requests irregular residents forgo where ID is asked"
    )


class ServicesParams(Section):
    """Needs, requests and what serving does (processes access and services; docs/ODD.md 7.5-7.6).

    Every value is an assumption unless docs/ODD.md section 8 gives a source.
    """

    health_need_base: float = P(0.05, 0.0, 1.0, "1/month", "chance of a health need a month")
    health_need_slope: float = P(
        0.4, 0.0, 1.0, "1/month", "extra health-need chance per unit of health need score"
    )
    schooling_need: float = P(
        0.9, 0.0, 1.0, "1/month", "need to enrol children while they are not enrolled"
    )
    language_need: float = P(
        0.3,
        0.0,
        1.0,
        "1/month",
        "chance an admitted adult with weak language registers for a course",
    )
    language_need_below: float = P(
        0.6, 0.0, 1.0, "score 0-1", "language score under which adults need a course"
    )
    course_access_pending: float = P(
        0.5, 0.0, 1.0, "share", "pending claimants admitted to courses (good prospects of staying)"
    )
    course_months: int = P(
        7, 1, 24, "months", "length of an integration course (700 teaching units, full time)"
    )
    course_start_interval_months: int = P(
        2, 1, 12, "months", "cadence at which providers start new classes"
    )
    course_class_size: int = P(
        20, 5, 30, "persons", "participants one course teacher teaches at a time (a class)"
    )
    course_seats_per_100k: float = P(
        80.0, 0.0, 2000.0, "seats", "standing course seats per 100,000 residents at month 0"
    )
    course_funding_lag_months: float = P(
        6.0, 1.0, 24.0, "months", "mean delay of the national decision to fund more course seats"
    )
    course_recruit_months: float = P(
        6.0, 0.0, 24.0, "months", "mean time for providers to recruit a qualified course teacher"
    )
    course_language_gain: float = P(
        0.02, 0.0, 0.5, "score", "host-language gain of one month in a course"
    )
    course_cost_per_participant_month: float = P(
        400.0, 0.0, 5000.0, "currency/month", "what the nation pays a provider per participant"
    )
    housing_need: float = P(
        0.3, 0.0, 1.0, "1/month", "need of housing help of the informally housed or doubled up"
    )
    work_need: float = P(
        0.3, 0.0, 1.0, "1/month", "need of job placement of those allowed to work without a job"
    )
    irregular_skills_need: float = P(
        0.1,
        0.0,
        1.0,
        "1/month",
        "need of skills training or job counselling of working-age irregular residents",
    )
    reception_need_new: float = P(
        0.8, 0.0, 1.0, "1/month", "need of orientation in the first months after arrival"
    )
    reception_months: int = P(3, 0, 24, "months", "months after arrival counted as 'new'")
    reception_need_uninformed: float = P(
        0.2, 0.0, 1.0, "1/month", "need of orientation of those who know little of the services"
    )
    uninformed_below: float = P(
        0.3, 0.0, 1.0, "score 0-1", "information score under which a newcomer is uninformed"
    )
    legal_need: float = P(
        0.2, 0.0, 1.0, "1/month", "need of legal aid of pending claimants and the irregular"
    )
    information_floor: float = P(
        0.25, 0.0, 1.0, "share", "request chance of someone with no information (relative)"
    )
    trust_floor: float = P(
        0.5, 0.0, 1.0, "share", "request chance of someone with no trust (relative)"
    )
    pending_fear_share: float = P(
        0.3, 0.0, 1.0, "share", "fear of ID checks of pending claimants, share of the irregular's"
    )
    work_conflict: float = P(
        0.25, 0.0, 1.0, "share", "requests forgone by workers (opening hours clash with work)"
    )
    childcare_conflict: float = P(
        0.15, 0.0, 1.0, "share", "requests forgone by parents (no childcare)"
    )
    childcare_place_share: float = P(
        0.0,
        0.0,
        1.0,
        "share",
        "newcomers' children under school age with a childcare (Kita) place, drawn per parent on "
        "arrival (0: none, an assumption; northern preset 0.48, the mean of 15 % under 3 and "
        "80 % aged 3 to school entry, Gambaro, Liebau, Peter & Weinhardt 2017, docs/ODD.md)",
    )
    language_floor: float = P(
        0.4, 0.0, 1.0, "share", "request chance of someone with no language (relative)"
    )
    language_support_floor_gain: float = P(
        0.5, 0.0, 1.0, "share", "rise of that floor at full language support (interpreting)"
    )
    health_need_served_factor: float = P(
        0.5, 0.0, 1.0, "ratio", "health need left after a served health case"
    )
    employability_gain: float = P(
        0.1, 0.0, 1.0, "score", "employability gained from a served placement/skills case"
    )
    recognition_base: float = P(
        0.15, 0.0, 1.0, "share", "credential holders recognised per served employment case"
    )
    recognition_fast_track: float = P(
        0.6, 0.0, 1.0, "share", "extra recognition chance at full credential fast-track"
    )
    information_gain_reception: float = P(
        0.3, 0.0, 1.0, "score", "information gained from a served orientation case"
    )
    information_gain_one_stop: float = P(0.45, 0.0, 1.0, "score", "the same in a one-stop shop")
    reception_language_share: float = P(
        0.5, 0.0, 1.0, "share", "language gain of orientation, share of a course month's"
    )
    trust_gain_served: float = P(
        0.02, 0.0, 0.5, "score", "trust gained in a month in which one is served"
    )
    legal_aid_regularisation: float = P(
        0.03, 0.0, 0.5, "1/month", "extra regularisation chance of the irregular given legal aid"
    )


class PlanningParams(Section):
    """How service capacity follows demand: staff, places, budgets and their lags (docs/ODD.md 7.7).

    Capacity is staff (cases a month each) and places; planners authorise posts for their
    perceived demand, recruitment fills them with a lag, and places are built or rented with
    another.
    """

    perception_months: float = P(
        3.0, 1.0, 24.0, "months", "averaging time of the demand planners perceive"
    )
    backlog_months: float = P(
        12.0, 1.0, 60.0, "months", "planners size capacity to clear a perceived backlog in this"
    )
    months_to_recruit: float = P(
        3.5, 0.0, 24.0, "months", "mean time to fill a vacant post (IAB: 85-124 days)"
    )
    places_lag_months: float = P(
        6.0, 0.0, 60.0, "months", "mean time to add places (rooms, desks, course places)"
    )
    downsizing_months: float = P(
        24.0, 1.0, 240.0, "months", "mean time to shed posts and places no longer needed"
    )
    cases_per_staff: SectorValues = Field(
        default_factory=lambda: SectorValues(
            health=300,
            education=20,
            housing_assistance=15,
            employment_skills=40,
            reception=60,
            legal_aid=15,
        ),
        description="cases a month one full-time post serves, by sector (cases/month/post)",
    )
    national_resources: float = P(
        1.0,
        0.0,
        1.0,
        "share",
        "money the nation puts behind new mandates in the sectors it runs",
    )
    transfer_speed_up: float = P(
        0.75, 0.0, 1.0, "share", "cut in the transfer lag at full vertical coherence"
    )
    national_planning_speed_up: float = P(
        0.5, 0.0, 1.0, "share", "cut in the national planning lag at full vertical coherence"
    )
    national_data_floor: float = P(
        0.2, 0.0, 1.0, "share", "visibility of the unregistered in national data, unconsulted"
    )
    national_data_consulted: float = P(
        0.6,
        0.0,
        1.0,
        "share",
        "what consultation (vertical coherence x local data quality) adds to national data",
    )
    entitlement_alignment: float = P(
        0.5,
        0.0,
        1.0,
        "share",
        "share of the gap to full entitlement closed at full vertical coherence",
    )


class LabourParams(Section):
    """The labour market (process 4): segments, shared informal work, demand and wages.

    Sources and ranges in docs/ODD.md §7.4 and §8.
    """

    host_labour_force_share: float = P(
        0.8, 0.1, 1.0, "share", "host households with a member in the labour force"
    )
    host_low_skill_share: float = P(
        0.13, 0.0, 1.0, "share", "host workers with low skills (ISCED 0-2) at month 0"
    )
    host_high_skill_share: float = P(
        0.28, 0.0, 1.0, "share", "host workers with high skills (ISCED 5-8) at month 0"
    )
    host_informal_share: float = P(
        0.0, 0.0, 0.95, "share", "host workers attached to the informal sector at month 0"
    )
    formal_vacancy_rate: float = P(
        0.02, 0.001, 0.2, "share", "formal jobs vacant at month 0 (job vacancy rate)"
    )
    matching_elasticity: float = P(
        0.5, 0.1, 0.9, "ratio", "elasticity of hires to seekers in the matching function"
    )
    demand_elasticity: float = P(
        1.0, 0.0, 1.5, "ratio", "long-run growth of jobs per unit growth of consumer demand"
    )
    demand_half_life_months: float = P(
        24.0, 1.0, 240.0, "months", "half-life of the adjustment of jobs to consumer demand"
    )
    spending_weight: float = P(
        0.5, 0.0, 1.0, "share", "weight of residents' spending (vs their number) in demand"
    )
    wage_curve_elasticity: float = P(
        -0.1, -1.0, 0.0, "ratio", "elasticity of a segment's wages to its unemployment rate"
    )
    wage_half_life_months: float = P(
        12.0, 1.0, 240.0, "months", "half-life of the adjustment of wages to the wage curve"
    )
    skill_factor_low: float = P(
        0.6, 0.0, 3.0, "ratio", "hiring chance of a low-skilled newcomer relative to a host"
    )
    skill_factor_mid: float = P(
        1.0, 0.0, 3.0, "ratio", "hiring chance of a mid-skilled newcomer relative to a host"
    )
    skill_factor_high: float = P(
        1.4, 0.0, 3.0, "ratio", "hiring chance of a high-skilled newcomer relative to a host"
    )
    work_experience_factor: float = P(
        0.6,
        0.0,
        1.0,
        "ratio",
        "hiring chance of a newcomer without work experience before arrival relative to one "
        "with (assumption: weighs like lacking upper-secondary schooling, = skill_factor_low)",
    )
    unrecognised_factor: float = P(
        0.6, 0.0, 1.0, "ratio", "what mid or high skills are worth without recognised credentials"
    )
    wage_factor_low: float = P(0.8, 0.1, 5.0, "ratio", "low-skill wage relative to wage_formal")
    wage_factor_high: float = P(1.5, 0.1, 5.0, "ratio", "high-skill wage relative to wage_formal")
    language_exponent: float = P(
        2.0, 0.5, 4.0, "exponent", "how steeply hiring rises with the host language score"
    )
    access_floor: float = P(
        0.25, 0.0, 1.0, "ratio", "hiring factor of a seeker with no transit access to the centre"
    )
    coordinated_access: float = P(
        0.6,
        0.0,
        1.0,
        "share",
        "share of the access gap closed at full horizontal coherence (jobs and transport)",
    )
    own_account_share: float = P(
        0.0,
        0.0,
        1.0,
        "share",
        "of informal labour supply above month 0's, the share that makes its own work "
        "(own-account: street trade, services) instead of taking an existing opening",
    )
    employability_floor: float = P(
        0.2, 0.0, 1.0, "score 0-1", "lowest employability long idleness can leave"
    )
    employability_rebuild: float = P(
        2.0, 0.0, 10.0, "ratio", "employability regained per working month, x the erosion"
    )

    @model_validator(mode="after")
    def _skills(self) -> LabourParams:
        if self.host_low_skill_share + self.host_high_skill_share > 1.0:
            raise ValueError("host_low_skill_share + host_high_skill_share must not exceed 1")
        return self


class HousingParams(Section):
    """Settlement and the housing market (docs/ODD.md §7.2; sources in §8)."""

    reception_housing_months: int = P(
        0,
        0,
        24,
        "months",
        "months after arrival that asylum seekers live in state reception or communal "
        "accommodation (tenure `reception`), off the rental market, unless decided earlier "
        "(Germany: AsylG §47(1) as of October 2015, initial reception up to 6 months; 18 months "
        "from August 2019; 0 where the state houses no one)",
    )

    host_move_rate: float = P(
        0.0,
        0.0,
        0.05,
        "1/month",
        "share of host renter households who move home within the city each month; they apply "
        "to vacant units at random, take only one their budget passes the arrears test for, and "
        "keep their home until they find one, so the units they leave come free for others "
        "(Germany: about 10 % of households move a year)",
    )
    host_out_migration: float = P(
        0.0,
        0.0,
        2.0,
        "host share per newcomer share",
        "hosts' out-moves from the city in answer to the newcomers living in it (native "
        "out-migration): in the long run the share of host persons who have left is this "
        "times the newcomers' share of residents (those in reception counted). Sá, F. (2015), "
        "'Immigration and House Prices in the UK', Economic Journal 125(587): 1393-1424, "
        "doi:10.1111/ecoj.12158: immigrants equal to 1 % of a local authority's population "
        "lead about 0.9 % of the native population to move elsewhere (0.9); 0 where no "
        "estimate applies (docs/ODD.md section 7.2)",
    )
    host_out_migration_months: float = P(
        12.0,
        1.0,
        60.0,
        "months",
        "mean time in which hosts' out-moves close the gap to the share `host_out_migration` "
        "calls for (a share 1/this of the gap leaves a month); Sá (2015) measures the response "
        "on annual local-authority data, within the year: 12",
    )
    communal_until_decision: bool = Field(
        False,
        description="asylum seekers who leave state reception undecided stay in communal "
        "accommodation that the city runs (tenure `reception`, paid at "
        "`municipal_accommodation_cost`) until their claim is decided, instead of looking for "
        "a home (Germany: AsylG §53(1), 'as a rule' in communal accommodation; false where "
        "claimants house themselves)",
    )

    municipal_accommodation_cost: float = P(
        0.0,
        0.0,
        5000.0,
        "currency/person/month",
        "the city's running cost (rent or lease, operation, staff) of a place in municipal "
        "accommodation for an asylum seeker, refugee or tolerated claimant out of state "
        "reception with no dwelling of their own (no formal or informal home, no kin); it "
        "replaces their housing benefit. Germany: 856 EUR, Hamburg's rent and staff costs per "
        "refugee and month (Hamburger Abendblatt, 'Was kostet ein Fluechtling?', 2016); "
        "0 where the city houses no one (docs/ODD.md section 7.7)",
    )

    rooms_per_unit: float = P(
        2.5, 1.0, 8.0, "rooms", "rooms of the unit a block's rent is quoted for"
    )
    room_shortfall_aversion: float = P(
        3.0, 0.0, 20.0, "weight", "aversion to listings where one would get too few rooms"
    )
    listings_viewed: int = P(20, 1, 200, "listings/month", "listings a seeker hears of in a month")
    application_rounds: int = P(
        10,
        1,
        20,
        "rounds/month",
        "rounds of applications a formal seeker makes in a month (enough rounds that matching "
        "converges: fewer make the market's friction depend on run.scale)",
    )
    word_of_mouth_share: float = P(
        0.9,
        0.0,
        1.0,
        "share",
        "of the listings heard of, share from one's origin community (pattern-calibrated)",
    )
    search_doubled_up: float = P(
        0.15, 0.0, 1.0, "1/month", "chance a doubled-up newcomer household looks for a formal unit"
    )
    search_informal: float = P(
        0.05, 0.0, 1.0, "1/month", "chance an informally housed newcomer household looks for one"
    )
    search_crowded_renter: float = P(
        0.1, 0.0, 1.0, "1/month", "chance an overcrowded newcomer renter looks for more room"
    )
    savings_spread_months: float = P(
        12.0, 1.0, 120.0, "months", "savings count towards rent as if spread over this many months"
    )
    arrears_months_to_notice: int = P(
        2, 1, 24, "months", "months of unpaid rent before eviction can start (BGB §543)"
    )
    max_rent_change: float = P(
        0.02, 0.0, 0.2, "share/month", "largest change of a block's rent in a month"
    )
    rent_reversion: float = P(
        0.03,
        0.0,
        1.0,
        "1/month",
        "share of a rent's gap to its cost-based level closed a month (half-life ~2 years)",
    )
    supply_elasticity: float = P(
        0.8,
        0.0,
        3.0,
        "ratio",
        "long-run change in formal units per unit of rent above its cost-based level (OECD "
        "range 0.2-0.8, Caldera & Johansson 2013; no Colombian estimate of this stock "
        "elasticity was found: docs/ODD.md, 'Grounding of the southern and megacity presets')",
    )
    starts_adjustment_months: float = P(
        4.0,
        1.0,
        120.0,
        "months",
        "time over which builders start the units that close the gap between the stock the "
        "rent calls for and the stock built or being built (Mayer & Somerville 2000: starts "
        "answer a price rise within four quarters; 4 months puts 95 % of them there)",
    )
    informal_response: float = P(
        0.25,
        0.0,
        1.0,
        "1/month",
        "share of the households left without a dwelling who build or find one at the edge a month",
    )
    informal_land_base: float = P(
        0.002,
        0.0,
        0.5,
        "share of formal units",
        "edge land that can be occupied informally where no settlement exists yet",
    )
    informal_rooms_max: int = P(2, 1, 6, "rooms", "an informal dwelling has 1 to this many rooms")
    host_owner_share: float = P(
        0.5, 0.0, 1.0, "share", "formally housed host households who own their home"
    )
    host_income_spread: float = P(
        0.5, 0.0, 1.5, "log units", "standard deviation of log host household income"
    )
    sitting_tenant_burden: float = P(
        0.7,
        0.1,
        1.0,
        "share of max_rent_burden",
        "host tenants' rent at month 0 is at most this share of the largest rent burden",
    )


class GovernanceParams(Section):
    """Decentralisation (competences and resources, two dials) and policy coherence."""

    competences: float = P(
        0.6, 0.0, 1.0, "share", "share of the six service sectors the city runs (the rest: nation)"
    )
    city_sectors: list[str] | None = Field(
        None, description="explicit list of the sectors the city runs (overrides competences)"
    )
    resources: float = P(
        1.0, 0.0, 2.0, "share", "money that follows the city's mandates (transfers, own revenue)"
    )
    own_revenue_share: float = P(
        0.5, 0.0, 1.0, "share", "part of the city's money from own revenue (the rest: transfers)"
    )
    vertical_coherence: float = P(
        0.3, 0.0, 1.0, "score 0-1", "national-local consultation and alignment"
    )
    horizontal_coherence: float = P(
        0.3, 0.0, 1.0, "score 0-1", "coordination across the city's sectors"
    )
    data_quality: float = P(
        0.4, 0.0, 1.0, "share", "irregular and informally housed residents the city's data see"
    )
    planning_lag_months: float = P(
        6.0, 1.0, 60.0, "months", "time for city-run capacity to follow perceived demand"
    )
    national_planning_lag_months: float = P(
        18.0, 1.0, 120.0, "months", "time for nationally run capacity to follow demand"
    )

    @field_validator("city_sectors")
    @classmethod
    def _sectors(cls, value: list[str] | None) -> list[str] | None:
        return _known_sectors(value)


class PoliciesParams(Section):
    """The city's policies; each has a monthly cost drawn from its budget."""

    one_stop_shop: bool = Field(False, description="a single reception desk that refers onwards")
    status_blind_access: bool = Field(
        False, description="city services ask no ID and share no data (a 'firewall')"
    )
    language_support: float = P(0.0, 0.0, 1.0, "level 0-1", "interpreting, translated information")
    credential_fast_track: float = P(
        0.0, 0.0, 1.0, "level 0-1", "fast recognition of foreign diplomas and skills"
    )
    anti_discrimination: float = P(
        0.0, 0.0, 1.0, "level 0-1", "testing, sanctions, awareness against discrimination"
    )
    mediation_culture: float = P(
        0.0, 0.0, 1.0, "level 0-1", "neighbourhood mediation and intercultural programmes"
    )
    migrant_participation: bool = Field(
        False, description="a migrants' council and participatory budget"
    )
    transport_investment: float = P(
        0.0, 0.0, 1.0, "level 0-1", "transit investment to the periphery"
    )
    delivery: Literal["mainstream", "targeted"] = Field(
        "mainstream", description="newcomers served in mainstream services or at dedicated desks"
    )
    targeted_share: float = P(
        0.2, 0.0, 0.8, "share", "capacity reserved for newcomers when delivery is targeted"
    )


class PartnerParams(Section):
    """One partner organisation."""

    name: str = Field("partner", description="a label")
    kind: Literal["civil_society", "diaspora", "employer", "university", "school", "media"] = Field(
        "civil_society", description="what kind of organisation"
    )
    capacity: float = P(0.0, 0.0, 1e7, "cases/month", "cases it can serve a month")
    sectors: list[str] | None = Field(None, description="sectors it serves (default by kind)")
    outreach: float | None = Field(
        None, ge=0.0, le=1.0, description="reach into the hard-to-reach, 0-1 (default by kind)"
    )
    funding: Literal["donor", "city", "national", "own"] = Field(
        "donor", description="who pays; city funding is drawn from the city's budget"
    )
    funding_end_month: int = P(0, 0, 600, "month", "month its funding ends (0 = never)")
    engagement_level: Literal[ENGAGEMENT_LEVELS] = Field(  # type: ignore[valid-type]
        "consult",
        description="the city's engagement with it (seed: Adopter une approche multipartite)",
    )

    @field_validator("sectors")
    @classmethod
    def _sectors(cls, value: list[str] | None) -> list[str] | None:
        return _known_sectors(value)


class RunParams(Section):
    """How long and at what resolution."""

    months: int = P(120, 1, 600, "months", "horizon")
    warmup_months: int = P(
        0,
        0,
        240,
        "months",
        "months run before month 1 with no arrivals and not reported: the city settles into its "
        "own steady state first",
    )
    scale: float = P(1.0, 1.0, 10_000.0, "persons/agent", "people one agent stands for")


class Scenario(Section):
    """A complete scenario: city, inflow, national rules, governance, policies, partners, run."""

    city: CityParams = Field(default_factory=CityParams, description="the city")
    inflow: InflowParams = Field(default_factory=InflowParams, description="the arrivals")
    national: NationalParams = Field(default_factory=NationalParams, description="national rules")
    governance: GovernanceParams = Field(
        default_factory=GovernanceParams, description="decentralisation and coherence"
    )
    policies: PoliciesParams = Field(default_factory=PoliciesParams, description="city policies")
    partners: list[PartnerParams] = Field(default_factory=list, description="partner organisations")
    behaviour: BehaviourParams = Field(default_factory=BehaviourParams, description="constants")
    services: ServicesParams = Field(
        default_factory=ServicesParams, description="needs, requests and what serving does"
    )
    planning: PlanningParams = Field(
        default_factory=PlanningParams, description="capacity, staff, places and their lags"
    )
    labour: LabourParams = Field(default_factory=LabourParams, description="the labour market")
    housing: HousingParams = Field(
        default_factory=HousingParams, description="settlement and the housing market"
    )
    run: RunParams = Field(default_factory=RunParams, description="horizon and scale")

    @model_validator(mode="after")
    def _fits_the_run(self) -> Scenario:
        self._check_scale()
        months = self.run.months
        if self.inflow.total > 0 and self.inflow.start_month > months:
            raise KeyedValueError(
                "inflow.start_month",
                f"inflow.start_month {self.inflow.start_month} is after the last month of the run "
                f"(run.months {months}): no one would arrive; start earlier or run longer",
            )
        return self

    def _check_scale(self) -> None:
        """Refuse a ``run.scale`` that leaves too few agents for the mechanisms (one check).

        Any run needs ``MIN_HOST_AGENTS`` host-household agents. Above ``run.scale`` 1 (an agent
        stands for several households) the rental market also needs
        ``MIN_HOST_AGENTS_PER_BLOCK`` host agents per block (vacancies, turnover and rent
        pressure are per-block counts) and co-origin networks and clustering need
        ``MIN_NEWCOMER_AGENTS`` newcomer agents; fewer, and outcomes depend on the scale.

        Raises:
            KeyedValueError: on key ``run.scale``, saying the largest scale that would do.
        """
        scale, hosts, total = self.run.scale, self.city.host_households, self.inflow.total
        blocks = self.city.grid_size**2
        if scale > 1 and 0 < total / scale < MIN_NEWCOMER_AGENTS:
            raise KeyedValueError(
                "run.scale",
                f"run.scale {scale:g} leaves {total / scale:.0f} newcomer agents for inflow.total "
                f"{total} (one agent stands for {scale:g} people); housing, networks and "
                f"clustering need at least {MIN_NEWCOMER_AGENTS} above scale 1: use run.scale "
                f"<= {max(total / MIN_NEWCOMER_AGENTS, 1):.3g}",
            )
        per_block = MIN_HOST_AGENTS_PER_BLOCK if scale > 1 else 0
        need_hosts = max(MIN_HOST_AGENTS, per_block * blocks)
        if hosts / scale < need_hosts:
            raise KeyedValueError(
                "run.scale",
                f"run.scale {scale:g} leaves {hosts / scale:.0f} host-household agents, "
                f"{hosts / scale / blocks:.1f} host agents per block (city.host_households / "
                f"run.scale / city.grid_size^2); the housing market needs at least "
                f"{MIN_HOST_AGENTS} in all and, above scale 1, {MIN_HOST_AGENTS_PER_BLOCK} per "
                f"block: use run.scale <= {max(hosts / need_hosts, 1):.3g} or a smaller "
                "city.grid_size",
            )

    # ------------------------------------------------------------------ reading and writing
    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<dict>") -> Scenario:
        """Validate a nested dictionary, raising :class:`ScenarioError` on the first problem."""
        check_keys(cls, data, source, ())
        try:
            scenario = cls.model_validate(data)
        except ValidationError as exc:
            raise translate_error(cls, exc, source) from None
        return scenario

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Read a scenario file, following ``extends`` chains.

        Raises:
            ScenarioError: missing file, malformed TOML, a cycle of ``extends``, an unknown key, a
                wrong type or an out-of-range value; the message names file, key and range.
        """
        return cls.from_files([path])

    @classmethod
    def from_files(cls, paths: list[str | Path]) -> Scenario:
        """Read a base scenario and overlays, later files overriding earlier ones.

        Each file may itself ``extends`` others. An error names the file that set the bad value.
        """
        data: dict[str, Any] = {}
        origin: dict[str, str] = {}
        for path in paths:
            layer, where = _load_chain(Path(path), ())
            data = _merge(data, layer)
            origin.update(where)
        try:
            return cls.from_dict(data, str(paths[-1]))
        except ScenarioError as exc:
            source = _origin_of(exc.key, origin) or exc.source
            raise ScenarioError(source, exc.key, exc.reason) from None

    @classmethod
    def from_toml_string(cls, text: str, source: str = "<string>") -> Scenario:
        """Read a scenario from TOML text (``extends`` is resolved from the working directory)."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(source, "", f"malformed TOML: {exc}") from None
        bases = data.pop("extends", None)
        for base in reversed(_as_list(bases, source)):
            data = _merge(_load_chain(Path(base), ())[0], data)
        return cls.from_dict(data, source)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain nested data (JSON- and TOML-ready)."""
        return self.model_dump(mode="json")

    def to_toml(self) -> str:
        """The complete scenario as TOML text; ``from_toml_string(s.to_toml()) == s``."""
        return tomli_w.dumps(self.model_dump(mode="json", exclude_none=True))

    def with_overrides(self, overrides: dict[str, Any], source: str = "overrides") -> Scenario:
        """A copy with dotted keys replaced, e.g. ``{"inflow.total": 5000}``; validated.

        An item of a list is named by its index: ``{"partners.0.engagement_level": "empower"}``.
        """
        data = self.to_dict()
        for key, value in overrides.items():
            parts = key.split(".")
            node: Any = data
            for i, part in enumerate(parts[:-1]):
                if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                    child = node[int(part)]
                else:
                    child = node.get(part) if isinstance(node, dict) else None
                if isinstance(child, list) and parts[i + 1].isdigit():
                    node = child
                    continue
                if not isinstance(child, dict):
                    _unknown(type(self), ".".join(parts[: i + 1]), source)
                node = child
            if parts[-1] not in node:
                _unknown(type(self), key, source)
            node[parts[-1]] = value
        return type(self).from_dict(data, source)

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """Every parameter: dotted key, unit, range, default and meaning (for docs and the CLI)."""
        rows: list[dict[str, Any]] = []
        _describe(cls, (), rows)
        return rows


# ---------------------------------------------------------------------- helpers
def _as_list(bases: Any, source: str) -> list[str]:
    if bases is None:
        return []
    if isinstance(bases, str):
        return [bases]
    if isinstance(bases, list) and all(isinstance(b, str) for b in bases):
        return bases
    raise ScenarioError(source, "extends", "must be a path, or a list of paths, to scenario files")


def read_toml(path: Path, what: str = "scenario") -> dict[str, Any]:
    """A TOML file's data; :class:`ScenarioError` if it is missing, malformed or not UTF-8."""
    if not path.is_file():
        raise ScenarioError(str(path), "", f"no such {what} file")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), "", f"malformed TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ScenarioError(str(path), "", "not a UTF-8 text file") from None


def _load_chain(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, str]]:
    """A file's data merged over what it extends, and which file set each dotted key."""
    resolved = path.resolve()
    if resolved in seen:
        chain = " -> ".join(str(p) for p in (*seen, resolved))
        raise ScenarioError(str(path), "extends", f"a cycle of 'extends': {chain}")
    data = read_toml(path, "scenario")
    bases = _as_list(data.pop("extends", None), str(path))
    check_keys(Scenario, data, str(path), ())
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for base in bases:  # several bases: later ones override earlier ones
        if not (path.parent / base).is_file():
            raise ScenarioError(
                str(path), "extends", f"{base!r}: no such scenario file (at {path.parent / base})"
            )
        layer, where = _load_chain(path.parent / base, (*seen, resolved))
        merged = _merge(merged, layer)
        origin.update(where)
    origin.update(dict.fromkeys(_dotted_keys(data), str(path)))
    return _merge(merged, data), origin


def _dotted_keys(data: dict[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        keys.append(dotted)
        if isinstance(value, dict):
            keys.extend(_dotted_keys(value, dotted + "."))
    return keys


def _origin_of(key: str, origin: dict[str, str]) -> str | None:
    """The file that set ``key`` (or its closest enclosing table)."""
    parts = key.replace("[", ".").split(".")
    for end in range(len(parts), 0, -1):
        found = origin.get(".".join(parts[:end]))
        if found:
            return found
    return None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _sub_model(annotation: Any) -> type[BaseModel] | None:
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _list_model(annotation: Any) -> type[BaseModel] | None:
    """The model class of a ``list[Model]`` field, else None."""
    if get_origin(annotation) is list:
        (inner,) = get_args(annotation)
        return _sub_model(inner)
    return None


def _unknown(model: type[BaseModel], key: str, source: str) -> None:
    names = [row["key"] for row in model.describe()] if hasattr(model, "describe") else []
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise ScenarioError(source, key, f"unknown key{hint}")


def check_keys(model: type[BaseModel], data: Any, source: str, prefix: tuple[str, ...]) -> None:
    """Raise :class:`ScenarioError` for the first key of ``data`` the model does not have."""
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        dotted = ".".join((*prefix, key))
        field = model.model_fields.get(key)
        if field is None:
            names = [".".join((*prefix, name)) for name in model.model_fields] + [
                row["key"] for row in Scenario.describe()
            ]
            close = difflib.get_close_matches(dotted, names, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            allowed = ", ".join(model.model_fields)
            raise ScenarioError(source, dotted, f"unknown key{hint} (allowed here: {allowed})")
        sub = _sub_model(field.annotation)
        if sub is not None:
            if not isinstance(value, dict):
                raise ScenarioError(source, dotted, "must be a table of keys, not a single value")
            check_keys(sub, value, source, (*prefix, key))
        item = _list_model(field.annotation)
        if item is not None and isinstance(value, list):
            for i, element in enumerate(value):
                if not isinstance(element, dict):
                    raise ScenarioError(source, f"{dotted}[{i}]", "must be a table of keys")
                check_keys(item, element, source, (*prefix, f"{key}[{i}]"))


def _field_at(model: type[BaseModel] | None, loc: tuple[Any, ...]):
    field = None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            break
        field = model.model_fields[part]
        model = _sub_model(field.annotation) or _list_model(field.annotation)
    return field


def _range_text(field: Any) -> str:
    lo = hi = None
    for meta in field.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    extra = field.json_schema_extra or {}
    unit = extra.get("unit", "") if isinstance(extra, dict) else ""
    if lo is None and hi is None:
        return ""
    if hi is None:
        return f" (allowed: at least {lo:g} {unit})".replace(" )", ")")
    if lo is None:
        return f" (allowed: at most {hi:g} {unit})".replace(" )", ")")
    return f" (allowed range {lo:g} to {hi:g} {unit})".replace(" )", ")")


def translate_error(model: type[BaseModel], exc: ValidationError, source: str) -> ScenarioError:
    """Turn pydantic's first error into one clear message: file, key, value, allowed range."""
    err = exc.errors()[0]
    loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
    key = ".".join(str(p) for p in loc if isinstance(p, str))
    for p in loc:
        if isinstance(p, int):
            head, _, tail = key.partition(".")
            key = f"{head}[{p}]" + (f".{tail}" if tail else "")
            break
    original = (err.get("ctx") or {}).get("error")
    if isinstance(original, KeyedValueError):
        key = f"{key}.{original.key}" if key else original.key
        loc = (*loc, *original.key.split("."))
    field = _field_at(model, loc)
    reason = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        reason = "missing: this key is required"
    elif err["type"] == "finite_number":
        reason = f"got {err['input']!r}: not a number (nan and inf are not allowed)"
    elif "input" in err and err["type"] not in ("value_error",):
        shown = err["input"]
        text = repr(shown) if not isinstance(shown, dict | list) else type(shown).__name__
        reason = f"got {text if len(text) <= 60 else text[:57] + '...'}: {reason}"
    if field is not None:
        reason += _range_text(field)
        if field.description:
            reason += f" — {field.description}"
    return ScenarioError(source, key, reason)


def _describe(
    model: type[BaseModel],
    prefix: tuple[str, ...],
    rows: list[dict[str, Any]],
    parent: tuple[str, str] = ("", ""),
    defaults: BaseModel | None = None,
) -> None:
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        sub = _sub_model(field.annotation)
        if sub is not None:
            inherited = (str(extra.get("unit", "")), field.description or "")
            default = (
                getattr(defaults, name)
                if defaults is not None
                else field.get_default(call_default_factory=True)
            )
            _describe(sub, (*prefix, name), rows, inherited if inherited[0] else parent, default)
            continue
        lo = hi = None
        for meta in field.metadata:
            lo = getattr(meta, "ge", lo)
            hi = getattr(meta, "le", hi)
        meaning = field.description or ""
        if parent[0] and not extra.get("unit"):
            meaning = f"{meaning}: {parent[1]}" if meaning else parent[1]
        rows.append(
            {
                "key": ".".join((*prefix, name)),
                "unit": extra.get("unit", "") or parent[0],
                "min": lo,
                "max": hi,
                "default": getattr(defaults, name)
                if defaults is not None
                else field.get_default(call_default_factory=True),
                "choices": _choices(field.annotation),
                "meaning": meaning,
            }
        )


def _choices(annotation: Any) -> list[Any] | None:
    """The allowed values of a Literal or bool field, else None."""
    if annotation is bool:
        return [True, False]
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    return None
