"""The deterministic demo province (``manage.py seed_demo``).

Synthetic townships, villages, units, people, teams and a year and a half of duties
on Sichuan's real prefectures and counties, with deliberate breaches of every rule
of rules.md (``DELIBERATE_CASES``). The same seed always writes the same rows; the
demo stands on ``AS_OF`` (2022-12-31).
"""

from .cases import DELIBERATE_CASES, MIN_VILLAGES
from .dates import AS_OF, TERM_2018, TERM_2021
from .geography import FULL_SIZE
from .province import DEFAULT_SEED, SeedRefused, count_rows, seed_province

__all__ = [
    "AS_OF",
    "DEFAULT_SEED",
    "DELIBERATE_CASES",
    "FULL_SIZE",
    "MIN_VILLAGES",
    "TERM_2018",
    "TERM_2021",
    "SeedRefused",
    "count_rows",
    "seed_province",
]
