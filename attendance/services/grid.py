"""Writes of part 四's monthly grid: save, submit and reopen a township's month.

Concurrency: a township's month is stood for by its ``AttendanceSubmission`` row.
Every grid save and every submit or reopen locks that row first
(``select_for_update``), so a save cannot slip in between a submit's check and its
write, and two clerks saving the same month queue instead of interleaving.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import (
    AttendanceSubmission,
    MonthlyAttendance,
)
from attendance.write_rules import locked_month_refusals
from teams.models import Membership
from villages.models import Region
from zhucun import clock
from zhucun.access import scoped, user_scope
from zhucun.audit import audit_record, audit_records, diff, snapshot
from zhucun.models import UserScope
from zhucun.periods import (
    days_in_month,
    month_display,
    month_last_day,
    month_of,
)
from zhucun.queries import overlapping
from zhucun.write_rules import raise_refusals

DAY_FIELDS = ("in_post_days", "leave_days", "trip_days")
VALUE_FIELDS = (*DAY_FIELDS, "remark")
_FIELD_LABELS = {
    "in_post_days": "在岗天数",
    "leave_days": "请假天数",
    "trip_days": "公务外出天数",
    "remark": "备注",
}
_SUBMISSION_FIELDS = (
    "submitted_at",
    "submitted_by_id",
    "first_submitted_at",
    "reopened_reason",
)
REMARK_MAX = 200


def field_label(name: str) -> str:
    return _(_FIELD_LABELS[name])


# --- The monthly grid ---------------------------------------------------------


@dataclass(frozen=True)
class GridEntry:
    """One member's row of the grid as typed (None = left blank)."""

    membership_id: int
    in_post_days: int | None = None
    leave_days: int | None = None
    trip_days: int | None = None
    remark: str = ""

    @property
    def blank(self) -> bool:
        return (
            self.in_post_days is None
            and self.leave_days is None
            and self.trip_days is None
            and not self.remark.strip()
        )


@dataclass(frozen=True)
class GridSaveResult:
    created: int
    updated: int
    unchanged: int


def grid_key(membership_id: int, field: str) -> str:
    """The error key of one cell: ``"<membership id>.<field>"``."""
    return f"{membership_id}.{field}"


def township_members(township: Region, month: datetime.date) -> QuerySet[Membership]:
    """Memberships of the township's teams in force at any time in the month."""
    return Membership.objects.filter(
        overlapping(month, month_last_day(month)), team__village__township=township
    )


def _lock_month(township: Region, month: datetime.date) -> AttendanceSubmission:
    """The township's month row, created open if missing, locked for this transaction.

    Two queries whatever happens: an insert that a present row turns into nothing,
    and the locking read.
    """
    AttendanceSubmission.objects.bulk_create(
        [AttendanceSubmission(township=township, month=month)], ignore_conflicts=True
    )
    return AttendanceSubmission.objects.select_for_update().get(
        township=township, month=month
    )


def _refuse_future(month: datetime.date) -> None:
    if month > month_of(clock.today()):
        raise ValidationError(
            {
                "month": _("%(month)s还没有到，不能录入或报送考勤。")
                % {"month": month_display(month)}
            }
        )


def _refuse_locked(submission: AttendanceSubmission) -> None:
    """The locked-month rule (attendance.write_rules) on the row read under lock."""
    raise_refusals(
        locked_month_refusals(
            [(submission, submission.township_id, submission.month)],
            submissions=[submission],
        )
    )


def _check_entry(entry: GridEntry, name: str, days: int, month_label: str) -> dict:
    """Errors of one typed row, keyed by cell."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(grid_key(entry.membership_id, field), []).append(message)

    for field in DAY_FIELDS:
        value = getattr(entry, field)
        if value is None:
            continue
        if value < 0:
            add(
                field,
                _("%(name)s的%(field)s不能是负数。")
                % {"name": name, "field": field_label(field)},
            )
        elif value > days:
            add(
                field,
                _("%(name)s的%(field)s（%(value)d天）超过%(month)s的%(days)d天。")
                % {
                    "name": name,
                    "field": field_label(field),
                    "value": value,
                    "month": month_label,
                    "days": days,
                },
            )
    if entry.in_post_days is None and not entry.blank:
        add(
            "in_post_days",
            _("%(name)s的在岗天数未填写（没有在岗请填0）。") % {"name": name},
        )
    total = sum(getattr(entry, f) or 0 for f in DAY_FIELDS)
    if not errors and total > days:
        add(
            "in_post_days",
            _(
                "%(name)s的在岗、请假、公务外出天数合计%(total)d天，"
                "超过%(month)s的%(days)d天。"
            )
            % {"name": name, "total": total, "month": month_label, "days": days},
        )
    if len(entry.remark) > REMARK_MAX:
        add(
            "remark",
            _("%(name)s的备注超过%(max)d个字。") % {"name": name, "max": REMARK_MAX},
        )
    return errors


@transaction.atomic
def attendance_grid_save(
    *,
    user,
    township: Region,
    month: datetime.date,
    entries: Sequence[GridEntry],
) -> GridSaveResult:
    """Save a township's month of attendance in one go (an upsert: saving twice is harmless).

    A fixed number of queries whatever the number of members: lock the month, read
    the members and their stored rows, write the changed rows with one upsert and
    their audit entries with one insert.
    """
    month = month_of(month)
    _refuse_future(month)
    submission = _lock_month(township, month)
    _refuse_locked(submission)
    members = {
        m.pk: m
        for m in scoped(user, township_members(township, month)).select_related(
            "person"
        )
    }
    label = month_display(month)
    errors, seen, wanted = _grid_check(entries, members, days_in_month(month), label)
    stored = {
        a.membership_id: a
        for a in MonthlyAttendance.objects.filter(
            membership_id__in=sorted(seen), month=month
        )
    }
    _grid_check_cleared(wanted, stored, members, errors)
    if errors:
        raise ValidationError(errors)
    county_code = township.parent.code if township.parent_id else ""
    writes, audits, unchanged = _grid_changes(wanted, stored, month)
    if writes:
        _grid_write(writes, audits, members, label, county_code, user=user)
    created = sum(1 for action, _r, _c in audits if action == "create")
    return GridSaveResult(
        created=created, updated=len(audits) - created, unchanged=unchanged
    )


def _grid_check(
    entries: Sequence[GridEntry], members: dict, days: int, label: str
) -> tuple[dict[str, list[str]], set[int], list[GridEntry]]:
    """Check each row of the grid: (errors, membership ids seen, rows to save)."""
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    wanted: list[GridEntry] = []
    for entry in entries:
        member = members.get(entry.membership_id)
        if member is None:
            errors.setdefault(grid_key(entry.membership_id, "in_post_days"), []).append(
                _("编号%(id)s的队员不在该乡（镇）%(month)s的驻村队员名单中。")
                % {"id": entry.membership_id, "month": label}
            )
            continue
        if entry.membership_id in seen:
            errors.setdefault(grid_key(entry.membership_id, "in_post_days"), []).append(
                _("%(name)s的考勤重复提交了两行。") % {"name": member.person.name}
            )
            continue
        seen.add(entry.membership_id)
        errors.update(_check_entry(entry, member.person.name, days, label))
        wanted.append(entry)
    return errors, seen, wanted


def _grid_check_cleared(
    wanted: list[GridEntry], stored: dict, members: dict, errors: dict
) -> None:
    """Add an error for each stored row the grid would clear."""
    for entry in wanted:
        if entry.blank and entry.membership_id in stored:
            errors.setdefault(grid_key(entry.membership_id, "in_post_days"), []).append(
                _("%(name)s已录入的考勤不能清空，没有在岗请填0。")
                % {"name": members[entry.membership_id].person.name}
            )


def _grid_changes(
    wanted: list[GridEntry], stored: dict, month: datetime.date
) -> tuple[list[MonthlyAttendance], list[tuple[str, MonthlyAttendance, dict]], int]:
    """The rows to write, their audit (action, row, changes) and the unchanged count."""
    # Every written row is a new object, the stored ones too: one INSERT … ON
    # CONFLICT DO UPDATE then writes them all (objects with a pk would be sent in
    # a second statement), and returns each row's id.
    writes: list[MonthlyAttendance] = []
    audits: list[tuple[str, MonthlyAttendance, dict]] = []
    unchanged = 0
    for entry in wanted:
        if entry.blank:
            continue
        values = {
            "in_post_days": entry.in_post_days,
            "leave_days": entry.leave_days or 0,
            "trip_days": entry.trip_days or 0,
            "remark": entry.remark.strip(),
        }
        current = stored.get(entry.membership_id)
        changes = diff(snapshot(current, VALUE_FIELDS) if current else {}, values)
        if current is not None and not changes:
            unchanged += 1
            continue
        row = MonthlyAttendance(
            membership_id=entry.membership_id, month=month, **values
        )
        writes.append(row)
        audits.append(("update" if current else "create", row, changes))
    return writes, audits, unchanged


def _grid_write(
    writes: list[MonthlyAttendance],
    audits: list[tuple[str, MonthlyAttendance, dict]],
    members: dict,
    label: str,
    county_code: str,
    *,
    user,
) -> None:
    """Upsert the changed rows in one statement and audit them in one insert."""
    MonthlyAttendance.objects.bulk_create(
        writes,
        update_conflicts=True,
        unique_fields=["membership", "month"],
        update_fields=list(VALUE_FIELDS),
    )
    audit_records(
        [
            {
                "action": action,
                "model": MonthlyAttendance._meta.label_lower,
                "object_id": str(row.pk),
                "object_repr": (f"{members[row.membership_id].person.name} {label}")[
                    :200
                ],
                "county_code": county_code,
                "changes": changes,
            }
            for action, row, changes in audits
        ],
        user=user,
    )


@transaction.atomic
def attendance_submit(
    *, user, township: Region, month: datetime.date
) -> AttendanceSubmission:
    """Submit (报送) a township's month: it is locked until the county reopens it."""
    month = month_of(month)
    _refuse_future(month)
    submission = _lock_month(township, month)
    _refuse_locked(submission)
    missing = list(
        township_members(township, month)
        .exclude(attendance__month=month)
        .order_by("person__name")
        .values_list("person__name", flat=True)
    )
    if missing:
        shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
        raise ValidationError(
            {
                "month": _(
                    "还有%(n)d名队员%(month)s的考勤未录入（%(names)s），"
                    "全部录入后才能报送。"
                )
                % {"n": len(missing), "month": month_display(month), "names": shown}
            }
        )
    before = snapshot(submission, _SUBMISSION_FIELDS)
    now = timezone.now()
    submission.submitted_at = now
    submission.submitted_by = user if getattr(user, "pk", None) else None
    if submission.first_submitted_at is None:
        submission.first_submitted_at = now
    submission.save(
        update_fields=["submitted_at", "submitted_by", "first_submitted_at"]
    )
    audit_record(
        action="update",
        instance=submission,
        changes=diff(before, snapshot(submission, _SUBMISSION_FIELDS)),
        county_code=township.parent.code if township.parent_id else "",
        user=user,
    )
    return submission


def may_reopen(user) -> bool:
    """The county's organisation department reopens a submitted month (not the township)."""
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    scope = user_scope(user)
    return (
        scope is not None
        and scope.role == UserScope.Role.COUNTY
        and user.has_perm("attendance.change_attendancesubmission")
    )


@transaction.atomic
def attendance_reopen(
    *, user, township: Region, month: datetime.date, reason: str
) -> AttendanceSubmission:
    """Reopen (退回) a submitted month for correction, with the reason (audited)."""
    if not may_reopen(user):
        raise PermissionDenied(_("只有县委组织部可以退回已报送的考勤。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因。")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("退回原因不能超过200个字。")})
    month = month_of(month)
    submission = (
        AttendanceSubmission.objects.select_for_update()
        .filter(township=township, month=month)
        .first()
    )
    if submission is None or submission.submitted_at is None:
        raise ValidationError(
            {
                "month": _("%(month)s的考勤尚未报送，无需退回。")
                % {"month": month_display(month)}
            }
        )
    before = snapshot(submission, _SUBMISSION_FIELDS)
    submission.submitted_at = None
    submission.submitted_by = None
    submission.reopened_reason = reason
    submission.save(update_fields=["submitted_at", "submitted_by", "reopened_reason"])
    audit_record(
        action="update",
        instance=submission,
        changes=diff(before, snapshot(submission, _SUBMISSION_FIELDS)),
        county_code=township.parent.code if township.parent_id else "",
        user=user,
    )
    return submission
