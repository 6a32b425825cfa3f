"""One definition of each staffing figure: teams in post, a team's status, short teams.

"Teams in post" (在驻工作队) are ``in_post``: the home page, the dashboards'
counts and summary table, the county page, the covered villages (驻村覆盖率) and
the team list's default filter read it.

"Team short of members" (人数不足) is a team in post on the day with fewer
members in post than the policy minimum (一(二): 3; 二(三): 4 in 凉山州, read
from ``zhucun.policy.Thresholds``). The team list and its export, the county
workbench, the dashboards' counts and summary table, the team page and the
compliance rules ``TEAM_TOO_SMALL`` / ``LIANGSHAN_TEAM_SIZE`` all read these
functions, so they count the same teams on the same day.

A team that has ended is not judged on today's staffing: its status says why it
is no longer in post. There is no withdrawal field on ``Team``: a team whose
撤离日期 falls before its term's end was withdrawn (已撤回); one that left on or
after it served its term out (已期满).
"""

import datetime

from django.db import models
from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from teams.models import Membership
from villages.models import LIANGSHAN_CODE
from zhucun.policy import Thresholds
from zhucun.queries import SubqueryCount, active_on

LIANGSHAN_PREFIX = LIANGSHAN_CODE[:4]


class TeamStatus(models.TextChoices):
    """Where a team stands on a day (the team list's 状态 column)."""

    IN_POST = "in_post", _("在驻")
    ENDED = "ended", _("已期满")
    WITHDRAWN = "withdrawn", _("已撤回")
    NOT_STARTED = "not_started", _("待派驻")


def in_post(day: datetime.date, prefix: str = "") -> Q:
    """Teams in post on ``day``: sent on or before it, not yet left (no end: staying)."""
    return active_on(day, prefix)


def member_in_post(day: datetime.date) -> Q:
    """Memberships in post on ``day``: in force that day, on a team in post.

    The home page's 在任队员 and the dashboards' members (the sum of each team's
    ``members_in_post``) count the same people.
    """
    return active_on(day) & in_post(day, "team__")


def team_status(day: datetime.date) -> Case:
    """A team's ``TeamStatus`` on ``day``, as an annotation (needs no join but term)."""
    return Case(
        When(start_date__gt=day, then=Value(TeamStatus.NOT_STARTED)),
        When(in_post(day), then=Value(TeamStatus.IN_POST)),
        When(end_date__lt=F("term__end_date"), then=Value(TeamStatus.WITHDRAWN)),
        default=Value(TeamStatus.ENDED),
        output_field=models.CharField(),
    )


def is_liangshan(prefix: str = "") -> Q:
    """Teams (or rows reaching a team's village via ``prefix``) in 凉山州."""
    return Q(**{f"{prefix}village__county__code__startswith": LIANGSHAN_PREFIX})


def members_in_post(day: datetime.date) -> SubqueryCount:
    """The number of a team's memberships in force on ``day`` (an annotation)."""
    return SubqueryCount(
        Membership.objects.filter(active_on(day), team=OuterRef("pk")).values("id")
    )


def minimum_members(thresholds: Thresholds | None = None) -> Case:
    """The policy minimum of a team: 4 in 凉山州 (二(三)), 3 elsewhere (一(二))."""
    rules = thresholds or Thresholds.from_settings()
    return Case(
        When(is_liangshan(), then=Value(rules.liangshan_min_members)),
        default=Value(rules.team_min_members),
        output_field=IntegerField(),
    )


def with_staffing(
    teams: QuerySet, day: datetime.date, thresholds: Thresholds | None = None
) -> QuerySet:
    """Annotate ``members`` (in post on ``day``), ``least``, ``status`` and ``short``."""
    return teams.annotate(
        members=members_in_post(day),
        least=minimum_members(thresholds),
        status=team_status(day),
    ).annotate(
        short=Case(
            When(short_of_members(day), then=Value(True)),
            default=Value(False),
            output_field=models.BooleanField(),
        )
    )


def short_of_members(day: datetime.date) -> Q:
    """Teams short of members on ``day`` (on a queryset ``with_staffing``).

    Only a team in post is judged: an ended or withdrawn team has no members
    today and is not short, it is over.
    """
    return in_post(day) & Q(members__lt=F("least"))


def short_teams(
    teams: QuerySet, day: datetime.date, thresholds: Thresholds | None = None
) -> QuerySet:
    """The teams of ``teams`` short of members on ``day``."""
    return with_staffing(teams, day, thresholds).filter(short_of_members(day))


def minimum_for(*, liangshan: bool, thresholds: Thresholds | None = None) -> int:
    """The policy minimum of one team, for a page that holds the team already."""
    rules = thresholds or Thresholds.from_settings()
    return rules.liangshan_min_members if liangshan else rules.team_min_members
