"""Writes of 二(四)'s appointment steps and the follow-up records of a membership."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teams.models import Membership, Person, Unit
from teams.services.roster import membership_create, membership_end
from teams.write_rules import Replacement, replacement_refusals
from villages.models import Region
from zhucun.access import user_scope
from zhucun.audit import audit_record, diff, snapshot
from zhucun.write_rules import raise_refusals

# 单位党委推荐 (proposed_on) → 机关工委审核 (reviewed_on) → 县委组织部选派
# (appointed_on); then 备案 (filed_on, by the unit's 机关工委), the party relation
# transfer, the accident insurance, and — when a member does not fit — the
# county's unfit mark with a replacement deadline, closed by the replacement.


class Step:
    """Names of the steps a user can record on a membership."""

    PROPOSE = "propose"
    REVIEW = "review"
    APPOINT = "appoint"
    FILE = "file"
    TRANSFER_PARTY = "transfer_party"


# step → (field, the step that must come first, the roles that may record it)
_STEPS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    Step.PROPOSE: ("proposed_on", None, ("unit", "county")),
    Step.REVIEW: ("reviewed_on", "proposed_on", ("committee",)),
    Step.APPOINT: ("appointed_on", "reviewed_on", ("county",)),
    Step.FILE: ("filed_on", "appointed_on", ("committee",)),
    Step.TRANSFER_PARTY: (
        "party_relation_transferred_on",
        None,
        ("county", "township"),
    ),
}
# The steps of the appointment chain proper, at each of which a replacement is
# judged again (a replacement written before the rule must not advance).
_CHAIN = (Step.PROPOSE, Step.REVIEW, Step.APPOINT, Step.FILE)
_STEP_NAMES = {
    "proposed_on": _("单位党委推荐"),
    "reviewed_on": _("机关工委审核"),
    "appointed_on": _("县委组织部选派"),
    "filed_on": _("备案"),
    "party_relation_transferred_on": _("党组织关系转接"),
}


def _require_role(user, roles: tuple[str, ...]) -> None:
    if user is None or user.is_superuser:
        return
    scope = user_scope(user)
    if scope is None or scope.role not in roles:
        raise PermissionDenied(_("您的角色不能办理这一环节。"))


def _check_replacement(membership: Membership) -> None:
    """If ``membership`` replaces someone, the replacement rules still hold."""
    replaced = (
        Membership.objects.filter(replaced_by=membership)
        .select_related("team__term")
        .first()
    )
    if replaced is not None:
        raise_refusals(
            replacement_refusals(
                [
                    Replacement(
                        item=None,
                        replaced=replaced,
                        person=membership.person,
                        membership=membership.pk,
                    )
                ]
            )
        )


def _county_code(membership: Membership) -> str:
    return (
        Region.objects.filter(county_villages__teams__memberships=membership)
        .values_list("code", flat=True)
        .first()
        or ""
    )


@transaction.atomic
def membership_record_step(
    *, membership: Membership, step: str, on: datetime.date, user=None
) -> Membership:
    """Record one appointment step (推荐、审核、选派、备案、党组织关系转接) on its date."""
    if step not in _STEPS:
        raise ValidationError(
            {"step": _("未知的办理环节“%(step)s”。") % {"step": step}}
        )
    field, before_field, roles = _STEPS[step]
    _require_role(user, roles)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if step == Step.TRANSFER_PARTY and not membership.person.is_party_member:
        raise ValidationError({"step": _("该干部不是党员，无需转接党组织关系。")})
    if before_field and getattr(membership, before_field) is None:
        raise ValidationError(
            {
                "step": _("须先完成“%(before)s”，才能办理“%(step)s”。")
                % {"before": _STEP_NAMES[before_field], "step": _STEP_NAMES[field]}
            }
        )
    if step in _CHAIN:
        _check_replacement(membership)
    if before_field and on < getattr(membership, before_field):
        raise ValidationError(
            {
                "on": _("“%(step)s”日期不能早于“%(before)s”日期（%(date)s）。")
                % {
                    "step": _STEP_NAMES[field],
                    "before": _STEP_NAMES[before_field],
                    "date": getattr(membership, before_field),
                }
            }
        )
    before = snapshot(membership, (field,))
    setattr(membership, field, on)
    membership.save(update_fields=[field])
    audit_record(
        action="update",
        instance=membership,
        changes=diff(before, snapshot(membership, (field,))),
        county_code=_county_code(membership),
        user=user,
    )
    return membership


@transaction.atomic
def membership_insure(
    *, membership: Membership, until: datetime.date, user=None
) -> Membership:
    """Record the member's personal accident insurance (五(二)) and its end date."""
    _require_role(user, ("county", "unit"))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    before = snapshot(membership, ("insured_until",))
    membership.insured_until = until
    membership.save(update_fields=["insured_until"])
    audit_record(
        action="update",
        instance=membership,
        changes=diff(before, snapshot(membership, ("insured_until",))),
        county_code=_county_code(membership),
        user=user,
    )
    return membership


@transaction.atomic
def membership_mark_unfit(
    *, membership: Membership, on: datetime.date, deadline: datetime.date, user=None
) -> Membership:
    """The county marks a member unfit (能力素质不适应) and sets the replacement deadline."""
    _require_role(user, ("county",))
    if deadline < on:
        raise ValidationError({"deadline": _("召回调整期限不能早于认定日期。")})
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    fields = ("unfit_marked_on", "replacement_deadline")
    before = snapshot(membership, fields)
    membership.unfit_marked_on, membership.replacement_deadline = on, deadline
    membership.save(update_fields=list(fields))
    audit_record(
        action="update",
        instance=membership,
        changes=diff(before, snapshot(membership, fields)),
        county_code=_county_code(membership),
        user=user,
    )
    return membership


@transaction.atomic
def membership_replace(
    *,
    membership: Membership,
    person: Person,
    unit: Unit,
    start_date: datetime.date,
    proposed_on: datetime.date | None = None,
    user=None,
) -> Membership:
    """The unit replaces an unfit member: end the old membership, start the new one.

    ``proposed_on`` is the date of the unit's recommendation of the replacement
    (default: its start date), from which its review and appointment follow.
    """
    _require_role(user, ("county", "unit"))
    old = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("team__term")
        .get(pk=membership.pk)
    )
    if old.unfit_marked_on is None:
        raise ValidationError(
            {"membership": _("只有被认定不适应的队员才需要召回调整。")}
        )
    if old.replaced_by_id is not None:
        raise ValidationError({"membership": _("该队员已被接替。")})
    if start_date <= old.start_date:
        raise ValidationError({"start_date": _("接替人员的驻村起始时间应晚于原队员。")})
    raise_refusals(
        replacement_refusals([Replacement(item=None, replaced=old, person=person)])
    )
    proposed_on = proposed_on or start_date
    if proposed_on < old.unfit_marked_on:
        raise ValidationError(
            {"proposed_on": _("推荐接替人员的日期不能早于认定不适应的日期。")}
        )
    membership_end(
        membership=old, end_date=start_date - datetime.timedelta(days=1), user=user
    )
    new = membership_create(
        person=person,
        team=old.team,
        role=old.role,
        unit=unit,
        start_date=start_date,
        end_date=old.team.end_date,
        is_leader=old.is_leader,
        sector=old.sector,
        proposed_on=proposed_on,
        user=user,
    )
    before = snapshot(old, ("replaced_by_id",))
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    audit_record(
        action="update",
        instance=old,
        changes=diff(before, snapshot(old, ("replaced_by_id",))),
        county_code=_county_code(old),
        user=user,
    )
    return new
