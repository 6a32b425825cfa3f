"""Quarterly team reports and county leader meetings."""

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet

from attendance.models import LeaderMeeting, TeamReport
from teams.models import Membership, Team
from villages.models import Region
from zhucun import clock
from zhucun.access import scoped
from zhucun.periods import Quarter
from zhucun.queries import SubqueryCount, overlapping

from .places import region_scope
from .visits import _quarter_teams


def report_status(
    *, user, quarter: Quarter, region: Region | None = None, missing: bool = False
) -> QuerySet[Team]:
    """Teams of the quarter, each with its report (``report_id``, ``report_on``)."""
    teams = _quarter_teams(user, quarter)
    if region is not None:
        teams = teams.filter(village__township__path__startswith=region.path)
    # One LEFT JOIN: a team has at most one report a quarter (report_unique).
    teams = teams.annotate(
        report=FilteredRelation(
            "reports",
            condition=Q(reports__year=quarter.year, reports__quarter=quarter.number),
        ),
        report_id=F("report__id"),
        report_on=F("report__submitted_on"),
    )
    if missing:
        teams = teams.filter(report_id__isnull=True)
    return teams.select_related("village__township", "village__county").order_by(
        "village__township__code", "village__name", "id"
    )


def team_report_of(*, team: Team, quarter: Quarter) -> TeamReport | None:
    """The team's report of the quarter, if filed (the team is already in scope)."""
    return TeamReport.objects.filter(
        team=team, year=quarter.year, quarter=quarter.number
    ).first()


def report_get(*, user, pk: int) -> TeamReport:
    """One report in scope; raises TeamReport.DoesNotExist."""
    return scoped(
        user,
        TeamReport.objects.select_related(
            "team__village__township", "team__village__county"
        ),
    ).get(pk=pk)


def meeting_status(
    *, user, quarter: Quarter, region: Region | None = None, missing: bool = False
) -> QuerySet[Region]:
    """Counties with teams in the quarter, each with its meetings of the quarter.

    Two queries: the counties (with the meeting count), then their meetings.
    """
    teams = Team.objects.filter(
        overlapping(quarter.first, quarter.last),
        start_date__lte=clock.today(),
        village__county=OuterRef("pk"),
    )
    in_quarter = Q(held_on__gte=quarter.first, held_on__lte=quarter.last)
    meetings = LeaderMeeting.objects.filter(in_quarter, county=OuterRef("pk"))
    counties = region_scope(
        user, Region.objects.filter(level=Region.Level.COUNTY)
    ).filter(Exists(teams))
    if region is not None:
        counties = counties.filter(path__startswith=region.path)
    counties = counties.annotate(meeting_count=SubqueryCount(meetings.values("id")))
    if missing:
        counties = counties.filter(meeting_count=0)
    return counties.select_related("parent").order_by("code")


def quarter_meetings(*, county_ids, quarter: Quarter) -> dict[int, list[LeaderMeeting]]:
    """The quarter's meetings of the given counties, by county, with attendee counts."""
    found: dict[int, list[LeaderMeeting]] = {}
    for meeting in (
        LeaderMeeting.objects.filter(
            county_id__in=list(county_ids),
            held_on__gte=quarter.first,
            held_on__lte=quarter.last,
        )
        .annotate(attendee_count=Count("attendees"))
        .order_by("held_on", "id")
    ):
        found.setdefault(meeting.county_id, []).append(meeting)
    return found


def meeting_get(*, user, pk: int) -> LeaderMeeting:
    """One meeting in scope; raises LeaderMeeting.DoesNotExist."""
    return scoped(user, LeaderMeeting.objects.select_related("county__parent")).get(
        pk=pk
    )


def meeting_candidates(*, county: Region, quarter: Quarter) -> QuerySet[Membership]:
    """Team leaders and first secretaries of the county in force in the quarter."""
    return (
        Membership.objects.filter(
            overlapping(quarter.first, quarter.last),
            Q(is_leader=True)
            | Q(role__in=[Membership.Role.LEADER, Membership.Role.FIRST_SECRETARY]),
            team__village__county=county,
        )
        .select_related("person", "team__village__township")
        .order_by("team__village__township__code", "team__village__name", "role")
    )
