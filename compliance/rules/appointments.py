"""Selection, appointment, replacement and filing of the members (二(四), 五(一))."""

from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teams.models import Membership

from .common import (
    MEMBER_FIELDS,
    active_members,
    active_teams,
    member_finding,
    team_finding,
)
from .engine import team_fields
from .registry import ERROR, MEMBER, TEAM, WARNING, Rule, register


@register
class NotInPostByDeadline(Rule):
    """由派驻县（市、区）因村选人组队，2018年6月底前全部到岗到位。(二(四))

    Teams in post on the day whose in-post deadline (the team's own, else its
    term's) has come: the team itself arrived by the deadline, and so did every
    planned member (全部到岗到位: every member, not only the minimum head count).
    Arriving late is the breach, not an exemption. A member who took over from
    another (``replaces``) is a replacement, not a planned member, and is not late.
    """

    code = "NOT_IN_POST_BY_DEADLINE"
    clause = "二(四)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("到岗期限时未全部到岗")

    def findings(self):
        ctx = self.ctx
        late_member = Q(memberships__start_date__gt=F("deadline")) & Q(
            memberships__replaces__isnull=True
        )
        rows = (
            active_teams(ctx)
            .annotate(deadline=Coalesce("in_post_deadline", "term__in_post_deadline"))
            .filter(deadline__lte=ctx.as_of)
            .annotate(
                late=Count("memberships", filter=late_member),
                last_arrival=Max("memberships__start_date", filter=late_member),
            )
            .filter(Q(start_date__gt=F("deadline")) | Q(late__gt=0))
            .values(
                "id", "start_date", "deadline", "late", "last_arrival", *team_fields()
            )
        )
        for row in rows:
            yield team_finding(self, ctx, row, self._message(ctx, row))

    @staticmethod
    def _message(ctx, row) -> str:
        values = {
            "team": ctx.team_label(row),
            "deadline": row["deadline"].isoformat(),
            "start": row["start_date"].isoformat(),
            "n": row["late"],
            "last": row["last_arrival"].isoformat() if row["last_arrival"] else "",
        }
        if row["start_date"] > row["deadline"]:
            return (
                _(
                    "%(team)s于%(start)s才派驻，晚于到岗期限%(deadline)s"
                    "（应于到岗期限前全部到岗到位）"
                )
                % values
            )
        return (
            _(
                "%(team)s有%(n)d名队员在到岗期限%(deadline)s后才到岗（最晚%(last)s），"
                "应于到岗期限前全部到岗到位"
            )
            % values
        )


APPOINTMENT_STEPS = (
    ("proposed_on", gettext_lazy("派出单位党委（党组）研究提出人选")),
    ("reviewed_on", gettext_lazy("同级机关工委审核把关")),
    ("appointed_on", gettext_lazy("县委组织部办理任职手续")),
)


@register
class AppointmentIncomplete(Rule):
    """派出单位党委（党组）研究提出人选，报同级党委直属机关工作委员会审核把关……驻村工作队队员
    任职手续，由派驻县（市、区）党委组织部门办理。(二(四))

    Members in post on the day missing a step's date (or dated after the day).
    """

    code = "APPOINTMENT_INCOMPLETE"
    clause = "二(四)"
    severity = ERROR
    object_type = MEMBER
    title = gettext_lazy("选派程序不完整")

    def findings(self):
        ctx = self.ctx
        missing = Q()
        for field, _label in APPOINTMENT_STEPS:
            missing |= Q(**{f"{field}__isnull": True}) | Q(
                **{f"{field}__gt": ctx.as_of}
            )
        rows = (
            active_members(ctx)
            .filter(missing)
            .values(*MEMBER_FIELDS, *(field for field, _label in APPOINTMENT_STEPS))
        )
        for row in rows:
            gaps = "、".join(
                str(label)
                for field, label in APPOINTMENT_STEPS
                if row[field] is None or row[field] > ctx.as_of
            )
            yield member_finding(
                self,
                ctx,
                row,
                _("%(team)s队员%(name)s的选派程序不完整，缺少：%(steps)s")
                % {
                    "team": ctx.team_label(row, "team__"),
                    "name": row["person__name"],
                    "steps": gaps,
                },
            )


@register
class UnfitNotReplaced(Rule):
    """驻村工作队队员能力素质不适应的，派出单位要限期调整撤换。(二(四))

    A member the county marked unfit, whose replacement deadline has passed, and who
    was not replaced by then: no successor recorded, or still serving after the
    deadline.
    """

    code = "UNFIT_NOT_REPLACED"
    clause = "二(四)"
    severity = ERROR
    object_type = MEMBER
    title = gettext_lazy("不适应队员未按期撤换")

    def findings(self):
        ctx = self.ctx
        rows = (
            Membership.objects.order_by()
            .filter(ctx.village_q("team__village__"))
            .filter(
                unfit_marked_on__isnull=False,
                replacement_deadline__isnull=False,
                replacement_deadline__lt=ctx.as_of,
            )
            .filter(
                Q(replaced_by__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gt=F("replacement_deadline"))
            )
            .values(
                *MEMBER_FIELDS, "unit__name", "unfit_marked_on", "replacement_deadline"
            )
        )
        for row in rows:
            yield member_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s队员%(name)s于%(marked)s被认定能力素质不适应，派出单位"
                    "%(unit)s应在%(deadline)s前调整撤换，至今未按期撤换"
                )
                % {
                    "team": ctx.team_label(row, "team__"),
                    "name": row["person__name"],
                    "marked": row["unfit_marked_on"].isoformat(),
                    "unit": row["unit__name"],
                    "deadline": row["replacement_deadline"].isoformat(),
                },
            )


@register
class NotFiled(Rule):
    """各级党委直属机关工作委员会对本级选派的驻村工作队队员实行备案管理，登记在册、抓到人头。(五(一))

    Members in post on the day with no filing date on or before the day.
    """

    code = "NOT_FILED"
    clause = "五(一)"
    severity = WARNING
    object_type = MEMBER
    title = gettext_lazy("队员未在机关工委备案")

    def findings(self):
        ctx = self.ctx
        rows = (
            active_members(ctx)
            .filter(Q(filed_on__isnull=True) | Q(filed_on__gt=ctx.as_of))
            .values(*MEMBER_FIELDS, "unit__name", "unit__work_committee__name")
        )
        for row in rows:
            committee = row["unit__work_committee__name"] or _(
                "%(unit)s所属的机关工委（单位未登记所属机关工委）"
            ) % {"unit": row["unit__name"]}
            yield member_finding(
                self,
                ctx,
                row,
                _("%(team)s队员%(name)s未在%(committee)s备案")
                % {
                    "team": ctx.team_label(row, "team__"),
                    "name": row["person__name"],
                    "committee": committee,
                },
            )
