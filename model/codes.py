"""The model's vocabularies, declared once as enums.

Each enum gives the integer codes stored in the population's columns (``mig.status == Status.
IRREGULAR``), the names the scenario schema accepts and the agent views print. The name tuples
(``STATUSES``, ``SECTORS``...) are derived from the enums, in code order.
"""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    """Legal status of an international newcomer (citizens are always ``REGULAR``)."""

    REGULAR = 0
    ASYLUM_PENDING = 1
    PROTECTED = 2
    IRREGULAR = 3


class Origin(IntEnum):
    """Where a newcomer comes from."""

    INTERNATIONAL = 0
    INTERNAL = 1
    DISPLACED = 2
    RETURNEE = 3


class Intention(IntEnum):
    """What a newcomer means to do on arrival."""

    TRANSIT = 0
    TEMPORARY = 1
    SETTLE = 2


class AgeBand(IntEnum):
    """Age band of a newcomer adult (drawn on arrival from the profile's shares)."""

    YOUTH = 0  # 18-29
    ADULT = 1  # 30-59
    ELDERLY = 2  # 60 and over


# bands of working age (in the labour force, on the course line): those below ELDERLY
WORKING_AGE_BANDS = AgeBand.ELDERLY


class Employment(IntEnum):
    """A person's work this month."""

    NONE = 0
    INFORMAL = 1
    FORMAL = 2


class Tenure(IntEnum):
    """How a household is housed."""

    OWNER = 0
    FORMAL_RENTER = 1
    INFORMAL = 2
    DOUBLED_UP = 3
    UNHOUSED = 4
    RECEPTION = 5  # state reception or communal accommodation: off the rental market


class Sector(IntEnum):
    """A service sector (the columns of the needs and queue arrays)."""

    HEALTH = 0
    EDUCATION = 1
    HOUSING_ASSISTANCE = 2
    EMPLOYMENT_SKILLS = 3
    RECEPTION = 4
    LEGAL_AID = 5


class Engagement(IntEnum):
    """The city's engagement with a partner (seed: Adopter une approche multipartite)."""

    INFORM = 0
    CONSULT = 1
    INVOLVE = 2
    COLLABORATE = 3
    EMPOWER = 4


class Skill(IntEnum):
    """A newcomer's skill level (``migrants.skill``)."""

    LOW = 0
    MID = 1
    HIGH = 2


def names(vocabulary: type[IntEnum]) -> tuple[str, ...]:
    """The lower-case names of an enum's members, in code order."""
    return tuple(member.name.lower() for member in sorted(vocabulary))


STATUSES = names(Status)
ORIGINS = names(Origin)
INTENTIONS = names(Intention)
EMPLOYMENTS = names(Employment)
TENURES = names(Tenure)
SECTORS = names(Sector)
SKILLS = names(Skill)
SEXES = ("male", "female")  # indexed by ``migrants.female``
ENGAGEMENT_LEVELS = names(Engagement)
N_SECTORS = len(Sector)
