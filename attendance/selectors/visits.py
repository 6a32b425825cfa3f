"""Household visits: the quarter's coverage and the households left unvisited."""

from django.db.models import OuterRef, QuerySet, Subquery

from attendance import figures
from attendance.models import HouseholdVisit
from teams.models import Membership, Team
from villages.models import PRIORITY_HOUSEHOLD, Household, Region
from zhucun import clock
from zhucun.access import scoped
from zhucun.periods import Quarter
from zhucun.queries import SubqueryCount, overlapping


def _quarter_teams(user, quarter: Quarter) -> QuerySet[Team]:
    """Teams in post at any time in the quarter (up to today), in scope."""
    return scoped(
        user, Team.objects.filter(figures.quarter_teams(quarter, clock.today()))
    )


def _visits_in(quarter: Quarter, **conditions) -> QuerySet[HouseholdVisit]:
    return figures.visits_in(quarter).filter(**conditions)


def visit_coverage(
    *,
    user,
    quarter: Quarter,
    region: Region | None = None,
    team_id: int | None = None,
) -> QuerySet[Team]:
    """Teams of the quarter with households, visited households and priority ones.

    Coverage as ``attendance.figures`` defines it: the village's households, and
    those visited in the quarter by any team.

    Each count is a correlated subquery, evaluated for the rows asked for only (a
    page), whatever the size of the province.
    """
    teams = _quarter_teams(user, quarter)
    if region is not None:
        teams = teams.filter(village__township__path__startswith=region.path)
    if team_id is not None:
        teams = teams.filter(pk=team_id)
    households = Household.objects.filter(village=OuterRef("village_id")).values("id")
    visited = Household.objects.filter(
        figures.visited(quarter), village=OuterRef("village_id")
    ).values("id")
    return (
        teams.select_related("village__township", "village__county")
        .annotate(
            households=SubqueryCount(households),
            visited=SubqueryCount(visited),
            priority=SubqueryCount(households.filter(PRIORITY_HOUSEHOLD)),
            priority_visited=SubqueryCount(visited.filter(PRIORITY_HOUSEHOLD)),
        )
        .order_by("village__township__code", "village__name", "id")
    )


def visible_team_get(*, user, pk: int) -> Team:
    """One team in scope; raises Team.DoesNotExist."""
    return scoped(
        user, Team.objects.select_related("village__township", "village__county")
    ).get(pk=pk)


def team_households(*, team: Team, quarter: Quarter) -> QuerySet[Household]:
    """The team's village's households, each with its last visit date of the quarter."""
    last_visit = (
        _visits_in(quarter, household=OuterRef("pk"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    return (
        Household.objects.filter(village_id=team.village_id)
        .annotate(last_visit=Subquery(last_visit))
        .order_by("id")
    )


def team_members_in(*, team: Team, quarter: Quarter) -> QuerySet[Membership]:
    """The team's members in force at any time in the quarter."""
    return (
        Membership.objects.filter(overlapping(quarter.first, quarter.last), team=team)
        .select_related("person")
        .order_by("role", "person__name")
    )


def unvisited_households(
    *,
    user,
    quarter: Quarter,
    region: Region | None = None,
    team_id: int | None = None,
) -> QuerySet[Household]:
    """Households of the quarter's teams' villages with no visit dated in the quarter."""
    teams = _quarter_teams(user, quarter)
    if team_id is not None:
        teams = teams.filter(pk=team_id)
    households = scoped(
        user, Household.objects.filter(village__in=teams.values("village_id"))
    )
    if region is not None:
        households = households.filter(village__township__path__startswith=region.path)
    return (
        households.filter(figures.not_visited(quarter))
        .select_related("village__township", "village__county")
        .order_by("village__township__code", "village__name", "id")
    )
