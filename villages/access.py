"""Access rules of regions and households, and of the audit trail (by county code).

Registered into ``zhucun.access`` by ``VillagesConfig.ready()``. A village's rule
is registered by ``teams`` (a unit reaches villages through its members).
"""

from django.db.models import Q

from villages.models import Region
from zhucun.access import Rule, path_rule


def _audit_region(path: str) -> Q:
    counties = Region.objects.filter(path__startswith=path, level=Region.Level.COUNTY)
    return Q(county_code__in=counties.values("code"))


def rules() -> dict[str, Rule]:
    return {
        "villages.region": Rule(everyone=True),
        "villages.household": Rule(region=path_rule("village__township__path")),
        # The audit trail records a county code; regions know which are below.
        "zhucun.auditentry": Rule(region=_audit_region),
    }
