"""Writes of part 四 beside the grid: household visits, reports, meetings, inbox."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import HouseholdVisit, LeaderMeeting, Reminder, TeamReport
from teams.models import Membership, Team
from villages.models import Household, Region
from zhucun import clock
from zhucun.audit import audit_record, diff, snapshot
from zhucun.periods import Quarter
from zhucun.queries import active_on, overlapping


def _county_code(team: Team) -> str:
    return team.village.county.code


@transaction.atomic
def household_visit_create(
    *,
    user,
    team: Team,
    household: Household,
    membership: Membership,
    visited_on: datetime.date,
    notes: str = "",
) -> HouseholdVisit:
    """Log a member's visit to a household of the team's village (入户走访)."""
    team = Team.objects.select_related("village__county").get(pk=team.pk)
    errors: dict[str, str] = {}
    if household.village_id != team.village_id:
        errors["household"] = _("该农户不在%(village)s，不是本工作队的走访对象。") % {
            "village": team.village.name
        }
    if membership.team_id != team.pk:
        errors["membership"] = _("%(name)s不是本工作队的队员。") % {
            "name": membership.person.name
        }
    elif not (
        membership.start_date <= visited_on
        and (membership.end_date is None or membership.end_date >= visited_on)
    ):
        errors["membership"] = _("%(name)s在%(date)s不在驻村期内。") % {
            "name": membership.person.name,
            "date": visited_on.isoformat(),
        }
    if visited_on > clock.today():
        errors["visited_on"] = _("走访日期不能晚于今天。")
    elif visited_on < team.start_date or (
        team.end_date is not None and visited_on > team.end_date
    ):
        errors["visited_on"] = _("走访日期不在工作队的派驻期内。")
    notes = (notes or "").strip()
    if len(notes) > 500:
        errors["notes"] = _("走访情况不能超过500个字。")
    if errors:
        raise ValidationError(errors)
    if HouseholdVisit.objects.filter(
        household=household, membership=membership, visited_on=visited_on
    ).exists():
        raise ValidationError(
            {
                "household": _("%(name)s当天对该户的走访已经记录过了。")
                % {"name": membership.person.name}
            }
        )
    visit = HouseholdVisit.objects.create(
        team=team,
        household=household,
        membership=membership,
        visited_on=visited_on,
        notes=notes,
    )
    audit_record(
        action="create",
        instance=visit,
        changes=diff(
            {},
            snapshot(
                visit,
                ("team_id", "household_id", "membership_id", "visited_on", "notes"),
            ),
        ),
        county_code=_county_code(team),
        user=user,
    )
    return visit


_REPORT_FIELDS = ("thinking", "work", "study", "submitted_on")


@transaction.atomic
def team_report_submit(
    *,
    user,
    team: Team,
    quarter: Quarter,
    thinking: str,
    work: str,
    study: str,
    submitted_on: datetime.date | None = None,
) -> TeamReport:
    """File (or correct) a team's quarterly report on 思想、工作、学习 to the county."""
    team = Team.objects.select_related("village__county").get(pk=team.pk)
    today = clock.today()
    submitted_on = submitted_on or today
    texts = {"thinking": thinking, "work": work, "study": study}
    errors: dict[str, str] = {}
    for field, text in texts.items():
        texts[field] = (text or "").strip()
        if not texts[field]:
            errors[field] = _("请填写%(what)s。") % {
                "what": TeamReport._meta.get_field(field).verbose_name
            }
    if quarter.first > today:
        errors["quarter"] = _("%(quarter)s还没有开始，不能报告。") % {
            "quarter": quarter.display
        }
    elif not Team.objects.filter(
        overlapping(quarter.first, quarter.last), pk=team.pk
    ).exists():
        errors["quarter"] = _("该工作队%(quarter)s不在派驻期内。") % {
            "quarter": quarter.display
        }
    if submitted_on > today:
        errors["submitted_on"] = _("报告日期不能晚于今天。")
    elif submitted_on < quarter.first:
        errors["submitted_on"] = _("报告日期不能早于该季度开始。")
    if errors:
        raise ValidationError(errors)
    report = (
        TeamReport.objects.select_for_update()
        .filter(team=team, year=quarter.year, quarter=quarter.number)
        .first()
    )
    if report is None:
        report = TeamReport.objects.create(
            team=team,
            year=quarter.year,
            quarter=quarter.number,
            submitted_on=submitted_on,
            **texts,
        )
        audit_record(
            action="create",
            instance=report,
            changes=diff({}, snapshot(report, ("team_id", "year", "quarter"))),
            county_code=_county_code(team),
            user=user,
        )
        return report
    before = snapshot(report, _REPORT_FIELDS)
    for field, text in texts.items():
        setattr(report, field, text)
    report.submitted_on = submitted_on
    report.save(update_fields=list(_REPORT_FIELDS))
    changes = diff(before, snapshot(report, _REPORT_FIELDS))
    if changes:
        audit_record(
            action="update",
            instance=report,
            changes=changes,
            county_code=_county_code(team),
            user=user,
        )
    return report


@transaction.atomic
def leader_meeting_create(
    *,
    user,
    county: Region,
    held_on: datetime.date,
    minutes: str,
    attendees: Iterable[Membership] = (),
) -> LeaderMeeting:
    """Record a county's team-leader meeting (驻村工作队队长会议) and who attended."""
    errors: dict[str, str] = {}
    if county.level != Region.Level.COUNTY:
        errors["county"] = _("队长会议由县（市、区）召开，请选择县。")
    if held_on > clock.today():
        errors["held_on"] = _("会议日期不能晚于今天。")
    elif held_on < datetime.date(2014, 1, 1):
        errors["held_on"] = _("会议日期不能早于2014年。")
    minutes = (minutes or "").strip()
    if not minutes:
        errors["minutes"] = _("请填写会议纪要。")
    attendees = list(attendees)
    ids = {m.pk for m in attendees}
    if ids and not errors:
        present = set(
            Membership.objects.filter(
                active_on(held_on),
                pk__in=ids,
                team__village__county=county,
            ).values_list("pk", flat=True)
        )
        strangers = [m.person.name for m in attendees if m.pk not in present]
        if strangers:
            errors["attendees"] = _(
                "%(names)s在会议当天不是本县驻村工作队的在任队员。"
            ) % {"names": "、".join(strangers)}
    if errors:
        raise ValidationError(errors)
    meeting = LeaderMeeting.objects.create(
        county=county, held_on=held_on, minutes=minutes
    )
    meeting.attendees.set(sorted(ids))
    audit_record(
        action="create",
        instance=meeting,
        changes=diff(
            {},
            {
                **snapshot(meeting, ("county_id", "held_on")),
                "attendees": sorted(ids),
            },
        ),
        county_code=county.code,
        user=user,
    )
    return meeting


# --- The inbox -----------------------------------------------------------------


@transaction.atomic
def reminders_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own unread reminders read (all of them when ``ids`` is None).

    Not audited: it is the state of a personal inbox, not a record of the policy.
    """
    unread = Reminder.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
