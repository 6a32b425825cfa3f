"""The members of a team: first secretary, leader, staff, term and party relation (一(二))."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teams.models import Membership, Person
from zhucun.queries import active_on

from .common import (
    FS,
    MEMBER_FIELDS,
    active_members,
    active_teams,
    member_finding,
    members_on,
    team_finding,
)
from .engine import team_fields
from .registry import ERROR, MEMBER, TEAM, WARNING, Rule, register

# A leader is whoever is marked 队长 (the first secretary too, when 兼任队长).
LEADER = Q(is_leader=True) | Q(role=Membership.Role.LEADER)


@register
class NoFirstSecretary(Rule):
    """每个驻村工作队不少于3人（含第一书记），第一书记原则上兼任队长。(一(二))

    A team in post has exactly one first secretary in post on the day.
    """

    code = "NO_FIRST_SECRETARY"
    clause = "一(二)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("工作队没有（或有多名）第一书记")

    def findings(self):
        ctx = self.ctx
        rows = (
            active_teams(ctx)
            .annotate(
                secretaries=Count(
                    "memberships",
                    filter=members_on(ctx.as_of) & Q(memberships__role=FS),
                )
            )
            .exclude(secretaries=1)
            .values("id", "secretaries", *team_fields())
        )
        for row in rows:
            if row["secretaries"] == 0:
                message = _("%(team)s没有在岗的第一书记") % {
                    "team": ctx.team_label(row)
                }
            else:
                message = _("%(team)s有%(n)d名在岗的第一书记，应为1名") % {
                    "team": ctx.team_label(row),
                    "n": row["secretaries"],
                }
            yield team_finding(self, ctx, row, message)


@register
class LeaderNotQualified(Rule):
    """第一书记不适宜兼任驻村工作队队长的，原则上应明确处科级干部或处科级后备干部担任。(二(四))

    The leader (队长) in post is the first secretary, or else a 处级/科级 cadre or a
    处科级 reserve cadre (一(二): 第一书记原则上兼任队长). A team in post without a
    leader is a finding too.
    """

    code = "LEADER_NOT_QUALIFIED"
    clause = "一(二), 二(四)"
    # 原则上: the policy allows exceptions, so a breach is a warning (second edition).
    severity = WARNING
    object_type = TEAM
    title = gettext_lazy("队长不符合条件或没有队长")

    def findings(self):
        ctx = self.ctx
        leaderless = (
            active_teams(ctx)
            .annotate(
                leaders=Count(
                    "memberships",
                    filter=members_on(ctx.as_of)
                    & (
                        Q(memberships__is_leader=True)
                        | Q(memberships__role=Membership.Role.LEADER)
                    ),
                )
            )
            .filter(leaders=0)
            .values("id", *team_fields())
        )
        for row in leaderless:
            yield team_finding(
                self,
                ctx,
                row,
                _("%(team)s没有明确在岗的队长") % {"team": ctx.team_label(row)},
            )
        unqualified = (
            active_members(ctx)
            .filter(LEADER, active_on(ctx.as_of, "team__"))
            .exclude(role=FS)
            .exclude(person__rank__in=Person.QUALIFIED_LEADER_RANKS)
            .values("team_id", "person__name", "person__rank", *team_fields("team__"))
        )
        ranks = dict(Person.Rank.choices)
        for row in unqualified:
            yield self.finding(
                object_id=row["team_id"],
                label=ctx.team_label(row, "team__"),
                county_code=ctx.county_code(row["team__village__county_id"]),
                message=_(
                    "%(team)s队长%(name)s不是第一书记，职级为“%(rank)s”，"
                    "应由处科级干部或处科级后备干部担任"
                )
                % {
                    "team": ctx.team_label(row, "team__"),
                    "name": row["person__name"],
                    "rank": ranks.get(row["person__rank"], row["person__rank"]),
                },
            )


@register
class MemberNotOnStaff(Rule):
    """选派人员原则上应为在编在岗干部职工。(一(二))

    Members in post on the day whose person is not marked 在编在岗.
    """

    code = "MEMBER_NOT_ON_STAFF"
    clause = "一(二)"
    severity = WARNING
    object_type = MEMBER
    title = gettext_lazy("队员不是在编在岗干部")

    def findings(self):
        ctx = self.ctx
        rows = active_members(ctx).filter(person__on_staff=False).values(*MEMBER_FIELDS)
        for row in rows:
            yield member_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s队员%(name)s不是在编在岗干部职工（选派人员原则上应在编在岗）"
                )
                % {"team": ctx.team_label(row, "team__"), "name": row["person__name"]},
            )


@register
class TermNotTwoYears(Rule):
    """驻村工作队每期驻村时间为2年。(一(二) 坚持脱产驻村、接续帮扶)

    A team in post with no end date, or whose dates do not span ``TERM_YEARS`` years
    (from its start to the day before the same date ``TERM_YEARS`` years on, give or
    take a month for the day the team was sent).
    """

    code = "TERM_NOT_TWO_YEARS"
    clause = "一(二)"
    severity = WARNING
    object_type = TEAM
    title = gettext_lazy("驻村期不是2年")

    SLACK_DAYS = 31

    def findings(self):
        ctx = self.ctx
        years = ctx.thresholds.term_years
        rows = active_teams(ctx).values("id", "start_date", "end_date", *team_fields())
        for row in rows:
            start, end = row["start_date"], row["end_date"]
            if end is None:
                yield team_finding(
                    self,
                    ctx,
                    row,
                    _(
                        "%(team)s自%(start)s派驻，未设撤离日期；每期驻村时间应为%(years)d年"
                    )
                    % {
                        "team": ctx.team_label(row),
                        "start": start.isoformat(),
                        "years": years,
                    },
                )
                continue
            planned_end = _add_years(start, years).toordinal() - 1
            if abs(end.toordinal() - planned_end) <= self.SLACK_DAYS:
                continue
            months = round((end.toordinal() - start.toordinal() + 1) / 30.44)
            yield team_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s驻村期为%(start)s至%(end)s（约%(months)d个月），"
                    "每期驻村时间应为%(years)d年"
                )
                % {
                    "team": ctx.team_label(row),
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "months": months,
                    "years": years,
                },
            )


def _add_years(day, years: int):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@register
class PartyRelationNotTransferred(Rule):
    """驻村期间，驻村工作队队员不承担原单位工作，党员组织关系转接到所驻贫困村。(一(二))

    Party members (中共党员, 预备党员) in post on the day whose organisational relation
    has no transfer date on or before the day.
    """

    code = "PARTY_RELATION_NOT_TRANSFERRED"
    clause = "一(二)"
    severity = WARNING
    object_type = MEMBER
    title = gettext_lazy("党员组织关系未转接到村")

    def findings(self):
        ctx = self.ctx
        rows = (
            active_members(ctx)
            .filter(person__political_status__in=Person.PARTY_STATUSES)
            .filter(
                Q(party_relation_transferred_on__isnull=True)
                | Q(party_relation_transferred_on__gt=ctx.as_of)
            )
            .values(*MEMBER_FIELDS)
        )
        for row in rows:
            yield member_finding(
                self,
                ctx,
                row,
                _("%(team)s党员队员%(name)s的党组织关系尚未转接到所驻村")
                % {"team": ctx.team_label(row, "team__"), "name": row["person__name"]},
            )
