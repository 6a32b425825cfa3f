"""Writes of part 二, readable as ``teams.services.X``.

``roster``: units, pairings, people, teams, memberships and the audited reveal of
personal data; ``appointment``: 二(四)'s appointment steps and the follow-up
records (insurance, the unfit mark, the replacement).
"""

from .appointment import (
    Step,
    membership_insure,
    membership_mark_unfit,
    membership_record_step,
    membership_replace,
)
from .roster import (
    PERSON_FIELDS,
    UNIT_FIELDS,
    membership_create,
    membership_end,
    pairing_create,
    pairing_update,
    person_create,
    person_reveal_personal_data,
    person_update,
    team_create,
    unit_create,
    unit_update,
)

__all__ = [
    "PERSON_FIELDS",
    "UNIT_FIELDS",
    "Step",
    "membership_create",
    "membership_end",
    "membership_insure",
    "membership_mark_unfit",
    "membership_record_step",
    "membership_replace",
    "pairing_create",
    "pairing_update",
    "person_create",
    "person_reveal_personal_data",
    "person_update",
    "team_create",
    "unit_create",
    "unit_update",
]
