"""Access rules of the compliance snapshot: its runs and its findings."""

from django.db.models import Q

from teams.access import about_units
from zhucun.access import Rule, path_rule


def _run_rule() -> Rule:
    """Runs of the user's region, of the regions above it and below it.

    A run above the region (the province's nightly one) is what dates the
    findings the user sees; a unit or committee sees the province's runs.
    """

    def region(path: str) -> Q:
        codes = path.strip("/").split("/")
        above = [
            "".join(f"{code}/" for code in codes[:n]) for n in range(1, len(codes))
        ]
        return (
            Q(region__isnull=True)
            | Q(region__path__startswith=path)
            | Q(region__path__in=above)
        )

    return Rule(
        region=region,
        unit=lambda unit_id: Q(region__isnull=True),
        committee=lambda committee_id: Q(region__isnull=True),
    )


def _finding_rule() -> Rule:
    """Findings under the region's path; for a unit or committee, about its own.

    A unit (or a committee's units) sees the findings about itself and about its
    dispatched members (a member finding's ``object_id`` is the membership's id).
    """
    return Rule(
        region=path_rule("path"),
        unit=lambda unit_id: about_units(Q(pk=unit_id), Q(unit_id=unit_id)),
        committee=lambda committee_id: about_units(
            Q(work_committee_id=committee_id), Q(unit__work_committee_id=committee_id)
        ),
    )


def rules() -> dict[str, Rule]:
    return {
        "compliance.compliancerun": _run_rule(),
        "compliance.findingrecord": _finding_rule(),
    }
