"""Duties of the teams (三)."""

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import TargetItem, TargetLetter
from attendance.models import HouseholdVisit
from teams.models import Team
from villages.models import PRIORITY_HOUSEHOLD, Household
from zhucun.periods import Quarter, last_completed_quarter
from zhucun.queries import SubqueryCount, active_on, throughout

from .common import team_finding
from .engine import Context, team_fields
from .registry import ERROR, TEAM, WARNING, Rule, register

# Names of unvisited households shown in a message before "等".
NAMES_SHOWN = 5


def quarter_teams(ctx: Context, first: datetime.date, last: datetime.date):
    """Teams in the region in post for the whole quarter [first, last].

    A team that arrived or left during the quarter is not judged for it.
    """
    return Team.objects.order_by().filter(
        throughout(first, last), ctx.village_q("village__"), start_date__lte=ctx.as_of
    )


def unvisited_households(teams, quarter: Quarter):
    """Households of the teams' villages with no visit dated in the quarter.

    A set-based anti-join: the database checks each household against the
    quarter's visits once, whatever the number of teams.
    """
    visits = HouseholdVisit.objects.filter(
        household=OuterRef("pk"),
        visited_on__gte=quarter.first,
        visited_on__lte=quarter.last,
    )
    return (
        Household.objects.order_by()
        .filter(village__in=teams.values("village_id"))
        .filter(~Exists(visits))
    )


@register
class HouseholdsNotAllVisited(Rule):
    """每季度走遍派驻村内所有农户。(三(四) 为民办事服务)

    The last quarter completed by the day, for teams in post all that quarter: every
    household recorded for the village has a visit dated in the quarter (by the
    village's team). A village whose registered 户数 is above zero but has no
    household list cannot be judged: that is a warning, never silence (the one
    warning also stands for ``PRIORITY_HOUSEHOLD_NOT_VISITED``).
    """

    code = "HOUSEHOLDS_NOT_ALL_VISITED"
    clause = "三(四)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("本季度未走遍所有农户")

    def findings(self):
        ctx = self.ctx
        quarter = last_completed_quarter(ctx.as_of)
        teams = quarter_teams(ctx, quarter.first, quarter.last)
        yield from self._without_household_list(teams, quarter)
        unvisited = dict(
            unvisited_households(teams, quarter)
            .values("village_id")
            .annotate(n=Count("id"))
            .values_list("village_id", "n")
        )
        if not unvisited:
            return
        households = SubqueryCount(
            Household.objects.filter(village=OuterRef("village_id")).values("id")
        )
        rows = (
            teams.filter(village_id__in=list(unvisited))
            .annotate(households=households)
            .values("id", "village_id", "households", *team_fields())
        )
        for row in rows:
            missing = unvisited[row["village_id"]]
            yield team_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s%(quarter)s走访%(visited)d户，全村%(households)d户中有"
                    "%(missing)d户未走访（每季度应走遍所有农户）"
                )
                % {
                    "team": ctx.team_label(row),
                    "quarter": quarter.display,
                    "visited": row["households"] - missing,
                    "households": row["households"],
                    "missing": missing,
                },
                period=quarter.code,
            )

    def _without_household_list(self, teams, quarter: Quarter):
        """Teams whose village counts households (户数) but lists none."""
        ctx = self.ctx
        listed = Household.objects.filter(village=OuterRef("village_id"))
        rows = (
            teams.filter(village__household_count__gt=0)
            .filter(~Exists(listed))
            .values("id", "village__household_count", *team_fields())
        )
        for row in rows:
            yield team_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s所驻村登记%(n)d户，但没有农户名单，无法核对%(quarter)s"
                    "走访（每季度应走遍所有农户，必访户必访）；请导入农户名单"
                )
                % {
                    "team": ctx.team_label(row),
                    "n": row["village__household_count"],
                    "quarter": quarter.display,
                },
                period=quarter.code,
                severity=WARNING,
            )


@register
class PriorityHouseholdNotVisited(Rule):
    """党员家庭必访、困难家庭必访、危重病人家庭必访、空巢老人及留守儿童家庭必访。(三(四))

    The last quarter completed by the day, for teams in post all that quarter: each
    household flagged 党员家庭 / 困难家庭 / 危重病人家庭 / 空巢老人及留守儿童家庭 has
    a visit dated in the quarter. One finding per team, naming the households. A
    village without a household list is ``HOUSEHOLDS_NOT_ALL_VISITED``'s warning.
    """

    code = "PRIORITY_HOUSEHOLD_NOT_VISITED"
    clause = "三(四)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("必访户本季度未走访")

    def findings(self):
        ctx = self.ctx
        quarter = last_completed_quarter(ctx.as_of)
        teams = quarter_teams(ctx, quarter.first, quarter.last)
        missed = unvisited_households(teams, quarter).filter(PRIORITY_HOUSEHOLD)
        unvisited = defaultdict(list)
        for village_id, name in missed.order_by("village_id", "id").values_list(
            "village_id", "head_name"
        ):
            unvisited[village_id].append(name)
        if not unvisited:
            return
        team_rows = defaultdict(list)
        for row in teams.filter(village_id__in=list(unvisited)).values(
            "id", "village_id", *team_fields()
        ):
            team_rows[row["village_id"]].append(row)
        for village_id, names in unvisited.items():
            shown = "、".join(names[:NAMES_SHOWN])
            if len(names) > NAMES_SHOWN:
                shown += _("等")
            for row in team_rows[village_id]:
                yield team_finding(
                    self,
                    ctx,
                    row,
                    _(
                        "%(team)s%(quarter)s有%(n)d户必访户未走访：%(names)s"
                        "（党员家庭、困难家庭、危重病人家庭、空巢老人及留守儿童家庭必访）"
                    )
                    % {
                        "team": ctx.team_label(row),
                        "quarter": quarter.display,
                        "n": len(names),
                        "names": shown,
                    },
                    period=quarter.code,
                )


@register
class NoTargetLetter(Rule):
    """县（市、区）每年年初……采取签订目标责任书等形式予以明确……驻村工作队根据目标责任书细化工作
    举措，采取"清单制＋责任制"方式，逐项推动落地落实。(三)

    The year judged is the day's year once its first quarter is over (else the year
    before). Teams in post on the day that were in post by the end of that year's
    first quarter have the year's letter, signed by then, with at least one
    checklist item and every item assigned to a member. Teams that arrived later in
    the year are not judged for it.
    """

    code = "NO_TARGET_LETTER"
    clause = "三"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("没有年度目标责任书或清单未落实到人")

    def findings(self):
        ctx = self.ctx
        year = ctx.as_of.year
        if ctx.as_of < datetime.date(year, 3, 31):
            year -= 1
        deadline = datetime.date(year, 3, 31)
        letter = TargetLetter.objects.filter(team=OuterRef("pk"), year=year)
        items = TargetItem.objects.filter(
            letter__team=OuterRef("pk"), letter__year=year
        )
        rows = (
            Team.objects.order_by()
            .filter(
                active_on(ctx.as_of),
                ctx.village_q("village__"),
                start_date__lte=deadline,
            )
            .annotate(
                signed_on=Subquery(letter.values("signed_on")[:1]),
                items=SubqueryCount(items.values("id")),
                unassigned=SubqueryCount(
                    items.filter(responsible__isnull=True).values("id")
                ),
            )
            .filter(
                Q(signed_on__isnull=True)
                | Q(signed_on__gt=deadline)
                | Q(items=0)
                | Q(unassigned__gt=0)
            )
            .values("id", "signed_on", "items", "unassigned", *team_fields())
        )
        for row in rows:
            problems = []
            if row["signed_on"] is None:
                problems.append(
                    _("没有%(year)d年目标责任书（应在%(deadline)s前签订）")
                    % {"year": year, "deadline": deadline.isoformat()}
                )
            else:
                if row["signed_on"] > deadline:
                    problems.append(
                        _("%(year)d年目标责任书于%(signed)s签订，晚于第一季度末")
                        % {"year": year, "signed": row["signed_on"].isoformat()}
                    )
                if row["items"] == 0:
                    problems.append(_("目标责任书未列出任务清单（清单制）"))
                elif row["unassigned"]:
                    problems.append(
                        _("%(n)d项目标任务未明确责任人（责任制）")
                        % {"n": row["unassigned"]}
                    )
            yield team_finding(
                self,
                ctx,
                row,
                _("%(team)s：%(problems)s")
                % {"team": ctx.team_label(row), "problems": "；".join(problems)},
                period=str(year),
            )
