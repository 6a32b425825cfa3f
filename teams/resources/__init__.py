"""The 派出单位 (units) and 驻村工作队队员花名册 (roster) workbooks.

``units``: the units' columns and importer; ``roster``: the roster's columns;
``roster_import``: the roster's importer (its rules are in that module's docstring).
"""

from .roster import ROLE_LABELS, RosterResource
from .roster_import import RosterImporter
from .units import UnitImporter, UnitResource

__all__ = [
    "ROLE_LABELS",
    "RosterImporter",
    "RosterResource",
    "UnitImporter",
    "UnitResource",
]
