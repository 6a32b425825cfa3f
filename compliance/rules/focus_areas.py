"""Make-up of the teams in late-exit villages and in 凉山州 (二(三))."""

from django.db.models import Case, Count, F, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teams.models import Membership, Unit
from villages.models import Region
from zhucun.queries import active_on

from .common import FS, active_members, active_teams, members_on, team_finding
from .engine import team_fields
from .registry import TEAM, WARNING, Rule, register

# 2018年及以后退出的贫困村 (二(三)).
LATE_EXIT_FROM_YEAR = 2018
# Units below county level: those of level 乡（镇）级, or located in a township.
HIGHER_UNIT_REGION_LEVELS = (
    Region.Level.PROVINCE,
    Region.Level.PREFECTURE,
    Region.Level.COUNTY,
)
HIGHER_UNIT_LEVELS = tuple(v for v in Unit.Level.values if v != Unit.Level.TOWNSHIP)


@register
class LateExitVillageComposition(Rule):
    """2018年及以后退出的贫困村，驻村工作队队员原则上应以定点帮扶、对口帮扶等方面选派的县级以上
    各级机关、国有企业、事业单位人员为主。(二(三))

    Teams in post whose village exited in 2018 or later (or has not exited): more
    than half of the members in post come from units above township level (a unit
    located in a township, such as a 乡镇人民政府, is below county level).
    """

    code = "LATE_EXIT_VILLAGE_COMPOSITION"
    clause = "二(三)"
    severity = WARNING
    object_type = TEAM
    title = gettext_lazy("2018年后退出村的队员不以县级以上单位为主")

    def findings(self):
        ctx = self.ctx
        higher = Q(
            memberships__unit__region__level__in=HIGHER_UNIT_REGION_LEVELS,
            memberships__unit__level__in=HIGHER_UNIT_LEVELS,
        )
        rows = (
            active_teams(ctx)
            .filter(
                Q(village__actual_exit_year__isnull=True)
                | Q(village__actual_exit_year__gte=LATE_EXIT_FROM_YEAR)
            )
            .annotate(
                size=Count("memberships", filter=members_on(ctx.as_of)),
                higher=Count("memberships", filter=members_on(ctx.as_of) & higher),
            )
            .alias(double_higher=F("higher") * 2)
            .filter(size__gt=0, double_higher__lte=F("size"))
            .values("id", "size", "higher", "village__actual_exit_year", *team_fields())
        )
        for row in rows:
            exited = row["village__actual_exit_year"]
            yield team_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s所驻村%(exit)s，队员原则上应以县级以上机关、国有企业、"
                    "事业单位人员为主；现有%(n)d人中来自县级以上单位的仅%(higher)d人"
                )
                % {
                    "team": ctx.team_label(row),
                    "exit": _("%d年退出") % exited if exited else _("尚未退出"),
                    "n": row["size"],
                    "higher": row["higher"],
                },
            )


@register
class LiangshanExtraSector(Rule):
    """凉山州……驻村工作队队员可增配到每村4至7人（含第一书记），增配人员主要从全省教育、公安、
    司法、农业、林业、卫生计生等行业系统选派。(二(三))

    In 凉山州, the members in post beyond the first ``TEAM_MIN_MEMBERS`` (the first
    secretary first, then by start date) are the added ones; more than half of them
    come from the listed sectors.
    """

    code = "LIANGSHAN_EXTRA_SECTOR"
    clause = "二(三)"
    severity = WARNING
    object_type = TEAM
    title = gettext_lazy("凉山州增配队员不以指定行业为主")

    def findings(self):
        ctx = self.ctx
        base = ctx.thresholds.team_min_members
        order = Window(
            RowNumber(),
            partition_by=[F("team_id")],
            order_by=[
                Case(When(role=FS, then=Value(0)), default=Value(1)).asc(),
                F("start_date").asc(),
                F("id").asc(),
            ],
        )
        rows = (
            active_members(ctx)
            .filter(
                active_on(ctx.as_of, "team__"),
                team__village__county_id__in=ctx.liangshan_county_ids,
            )
            .annotate(place=order)
            .filter(place__gt=base)
            .values("team_id", "sector", *team_fields("team__"))
        )
        listed = set(Membership.LIANGSHAN_SECTORS)
        teams: dict[int, dict] = {}
        for row in rows:
            team = teams.setdefault(
                row["team_id"], {"row": row, "extra": 0, "listed": 0}
            )
            team["extra"] += 1
            team["listed"] += row["sector"] in listed
        for team_id, team in teams.items():
            if team["listed"] * 2 > team["extra"]:
                continue
            row = team["row"]
            yield self.finding(
                object_id=team_id,
                label=ctx.team_label(row, "team__"),
                county_code=ctx.county_code(row["team__village__county_id"]),
                message=_(
                    "%(team)s增配队员（第%(from)d人起）%(extra)d人，其中来自教育、公安、司法、"
                    "农业、林业、卫生计生系统的%(listed)d人，增配人员应主要从这些行业系统选派"
                )
                % {
                    "team": ctx.team_label(row, "team__"),
                    "from": base + 1,
                    "extra": team["extra"],
                    "listed": team["listed"],
                },
            )
