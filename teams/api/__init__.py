"""API of units, pairings, people, teams and memberships under /api/v1/.

Reads come from ``teams.selectors``. Writes validate their body (``teams.api_writes``),
find the rows they name through the selectors (outside the user's scope: 404 for
the row written, a field error for a row named in the body), call one service of
``teams.services`` and read the row back through its selector.

``units``: units and pairings; ``people``: people (and the audited reveal), teams
and memberships.
"""

from .people import MembershipViewSet, PersonViewSet, TeamViewSet
from .units import PairingViewSet, UnitViewSet

__all__ = [
    "MembershipViewSet",
    "PairingViewSet",
    "PersonViewSet",
    "TeamViewSet",
    "UnitViewSet",
]
