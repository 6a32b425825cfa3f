"""Coverage of the villages and size of the teams (一(二), 二(三))."""

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teams import figures
from teams.models import Team
from villages.models import Village
from zhucun.queries import active_on

from .common import (
    VILLAGE_FIELDS,
    active_teams,
    team_finding,
    village_finding,
)
from .engine import team_fields
from .registry import ERROR, TEAM, VILLAGE, Rule, register


@register
class VillageWithoutTeam(Rule):
    """实现全省11501个建档立卡贫困村一村一队。(一(二) 坚持尽锐出战、全面覆盖)

    Every registered poor village has a team in post on the day.
    """

    code = "VILLAGE_WITHOUT_TEAM"
    clause = "一(二)"
    severity = ERROR
    object_type = VILLAGE
    title = gettext_lazy("贫困村没有驻村工作队")

    def findings(self):
        ctx = self.ctx
        in_post = Team.objects.filter(active_on(ctx.as_of), village=OuterRef("pk"))
        rows = (
            Village.objects.order_by()
            .filter(ctx.village_q(), is_registered_poor=True)
            .filter(~Exists(in_post))
            .values(*VILLAGE_FIELDS)
        )
        for row in rows:
            label = ctx.village_label(
                row["county_id"], row["township__name"], row["name"]
            )
            yield village_finding(
                self,
                ctx,
                row,
                _(
                    "%(village)s是建档立卡贫困村，%(day)s没有在驻的驻村工作队（应一村一队）"
                )
                % {"village": label, "day": ctx.as_of.isoformat()},
            )


@register
class VillageMultipleTeams(Rule):
    """实现全省11501个建档立卡贫困村一村一队。(一(二))

    No village has more than one team in post on the day.
    """

    code = "VILLAGE_MULTIPLE_TEAMS"
    clause = "一(二)"
    severity = ERROR
    object_type = VILLAGE
    title = gettext_lazy("一个村有多支驻村工作队")

    def findings(self):
        ctx = self.ctx
        rows = (
            Village.objects.order_by()
            .filter(ctx.village_q())
            .annotate(
                teams_in_post=Count("teams", filter=active_on(ctx.as_of, "teams__"))
            )
            .filter(teams_in_post__gt=1)
            .values(*VILLAGE_FIELDS, "teams_in_post")
        )
        for row in rows:
            label = ctx.village_label(
                row["county_id"], row["township__name"], row["name"]
            )
            yield village_finding(
                self,
                ctx,
                row,
                _("%(village)s同时有%(n)d支在驻的驻村工作队，应一村一队")
                % {"village": label, "n": row["teams_in_post"]},
            )


def _handover_days(term_start: datetime.date, term_deadline: datetime.date) -> int:
    """Days a term gives its teams to arrive: the handover a village may wait."""
    return (term_deadline - term_start).days


@register
class ExitedVillageTeamWithdrawn(Rule):
    """脱贫攻坚期内，贫困村退出的，驻村工作队不得撤离，帮扶力度不能削弱。(一(二))

    A village that exited must have a team on every day of the campaign (until
    ``CAMPAIGN_END``). A team of an exited village (exited in or before the year
    the team ended) that left before the campaign's end is a finding unless
    another team of the village took over: in post on the day after it left, or
    arriving within the successor's term's in-post window (its start to its
    in-post deadline). A team that ends with its term is no exception: without a
    next-term team taking over it is a finding too. The day is judged once the
    window the leaving team's own term gives has passed.
    """

    code = "EXITED_VILLAGE_TEAM_WITHDRAWN"
    clause = "一(二)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("退出村的驻村工作队撤离后无队接续")

    def findings(self):
        ctx = self.ctx
        campaign_end = ctx.thresholds.campaign_end
        left = (
            Team.objects.order_by()
            .filter(
                ctx.village_q("village__"),
                village__actual_exit_year__isnull=False,
                village__actual_exit_year__lte=ExtractYear("end_date"),
                end_date__isnull=False,
                end_date__lt=ctx.as_of,
            )
            .filter(end_date__lt=campaign_end)
        )
        rows = list(
            left.values(
                "id",
                "village_id",
                "start_date",
                "end_date",
                "term__start_date",
                "term__end_date",
                "term__in_post_deadline",
                "village__actual_exit_year",
                *team_fields(),
            )
        )
        if not rows:
            return
        others = defaultdict(list)
        for other in Team.objects.filter(
            village_id__in=left.values("village_id")
        ).values(
            "id",
            "village_id",
            "start_date",
            "end_date",
            "term__start_date",
            "term__in_post_deadline",
        ):
            others[other["village_id"]].append(other)
        for row in rows:
            gap_from = row["end_date"] + datetime.timedelta(days=1)
            window = _handover_days(
                row["term__start_date"], row["term__in_post_deadline"]
            )
            if ctx.as_of <= gap_from + datetime.timedelta(days=window):
                continue  # a successor may still arrive in time
            if any(
                _takes_over(other, row["id"], gap_from)
                for other in others[row["village_id"]]
            ):
                continue
            yield team_finding(self, ctx, row, self._message(ctx, row, campaign_end))

    @staticmethod
    def _message(ctx, row, campaign_end) -> str:
        values = {
            "team": ctx.team_label(row),
            "exit": row["village__actual_exit_year"],
            "end": row["end_date"].isoformat(),
            "term_end": row["term__end_date"].isoformat(),
            "campaign_end": campaign_end.isoformat(),
        }
        if row["end_date"] >= row["term__end_date"]:
            return (
                _(
                    "%(team)s所驻村已于%(exit)d年退出，工作队于%(end)s随期满撤离，"
                    "没有下一期驻村工作队接续；脱贫攻坚期（至%(campaign_end)s）内"
                    "贫困村退出的，驻村工作队不得撤离"
                )
                % values
            )
        return (
            _(
                "%(team)s所驻村已于%(exit)d年退出，工作队却于%(end)s撤离，"
                "早于期满（%(term_end)s）和脱贫攻坚期结束（%(campaign_end)s），"
                "且没有工作队接续；脱贫攻坚期内贫困村退出的，驻村工作队不得撤离"
            )
            % values
        )


def _takes_over(other: dict, team_id: int, gap_from: datetime.date) -> bool:
    """Whether ``other`` took the village over from the team that left."""
    if other["id"] == team_id:
        return False
    if other["end_date"] is not None and other["end_date"] < gap_from:
        return False  # it had left before
    window = _handover_days(other["term__start_date"], other["term__in_post_deadline"])
    return other["start_date"] <= gap_from + datetime.timedelta(days=window)


@register
class TeamTooSmall(Rule):
    """每个驻村工作队不少于3人（含第一书记）。(一(二) 坚持县级统筹、精准选派)

    Members in post on the day; 凉山州 is judged by ``LIANGSHAN_TEAM_SIZE`` instead.
    """

    code = "TEAM_TOO_SMALL"
    clause = "一(二)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("工作队人数不足")

    def findings(self):
        ctx = self.ctx
        least = ctx.thresholds.team_min_members
        # "Short on the day" is the team list's and the dashboards' own definition.
        rows = (
            figures.short_teams(
                active_teams(ctx).exclude(
                    village__county_id__in=ctx.liangshan_county_ids
                ),
                ctx.as_of,
                ctx.thresholds,
            )
            .annotate(size=F("members"))
            .values("id", "size", *team_fields())
        )
        for row in rows:
            yield team_finding(
                self,
                ctx,
                row,
                _("%(team)s仅有%(n)d名在岗队员，少于%(least)d人（含第一书记）")
                % {"team": ctx.team_label(row), "n": row["size"], "least": least},
            )


@register
class LiangshanTeamSize(Rule):
    """针对凉山州脱贫攻坚的特殊困难，驻村工作队队员可增配到每村4至7人（含第一书记）。(二(三))

    In 凉山州 (codes 5134xx) a team has ``LIANGSHAN_MIN_MEMBERS`` to
    ``LIANGSHAN_MAX_MEMBERS`` members in post on the day; this replaces
    ``TEAM_TOO_SMALL`` there. The policy's 可增配 is a permission, not a floor: the
    lower bound is the province's setting, and the message says so.
    """

    code = "LIANGSHAN_TEAM_SIZE"
    clause = "二(三)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("凉山州工作队人数不符合要求")

    def findings(self):
        ctx = self.ctx
        least = ctx.thresholds.liangshan_min_members
        most = ctx.thresholds.liangshan_max_members
        # Below the minimum is ``teams.figures``' "short"; above 7 is this rule's own.
        rows = (
            figures.with_staffing(
                active_teams(ctx).filter(
                    village__county_id__in=ctx.liangshan_county_ids
                ),
                ctx.as_of,
                ctx.thresholds,
            )
            .filter(figures.short_of_members(ctx.as_of) | Q(members__gt=most))
            .annotate(size=F("members"))
            .values("id", "size", *team_fields())
        )
        for row in rows:
            yield team_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s现有%(n)d名在岗队员，凉山州工作队应为%(least)d至%(most)d人"
                    "（含第一书记）；文件原文是“可增配到每村4至7人”，下限%(least)d人"
                    "是本省的设定，不是文件的硬性要求"
                )
                % {
                    "team": ctx.team_label(row),
                    "n": row["size"],
                    "least": least,
                    "most": most,
                },
            )
