"""Writes for grades (四(三)), target letters (三) and training (四(二)).

Concurrency: a 优秀 grade is checked against its county's 20% cap after locking the
county's Region row (select_for_update), the one row that stands for "this county's
grades"; every grading in the county waits for it, so two clerks cannot both take
the last place under the cap.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.models import (
    Assessment,
    TargetItem,
    TargetLetter,
    TrainingEvent,
    TrainingRecord,
)
from assessments.write_rules import ProposedGrade, excellent_cap_refusals
from teams.models import Membership, Person, Team
from villages.models import Region
from zhucun import clock
from zhucun.audit import audit_record, diff, snapshot
from zhucun.formats import days_text
from zhucun.periods import year_bounds, year_refusals
from zhucun.queries import overlapping
from zhucun.write_rules import raise_refusals

ASSESSMENT_FIELDS = (
    "person_id",
    "membership_id",
    "kind",
    "year",
    "grade",
    "villager_score",
    "cadre_score",
)


def _served_in(membership: Membership, year: int) -> bool:
    first, last = year_bounds(year)
    return membership.start_date <= last and (
        membership.end_date is None or membership.end_date >= first
    )


@transaction.atomic
def assessment_grade(
    *,
    membership: Membership,
    year: int,
    grade: str,
    kind: str = Assessment.Kind.ANNUAL,
    villager_score: Decimal | None = None,
    cadre_score: Decimal | None = None,
    user=None,
) -> Assessment:
    """Grade a member for a year, refusing 优秀 beyond the county's 20% cap.

    The cap (四(三)) applies to annual grades of members other than first
    secretaries: floor(EXCELLENT_CAP_RATIO × the people who served on the county's
    teams that year, first secretaries excluded), counted as the
    ``EXCELLENT_OVER_CAP`` rule counts.
    """
    if grade not in Assessment.Grade.values:
        raise ValidationError({"grade": _("考核等次只能是优秀、称职或不称职。")})
    if kind not in Assessment.Kind.values:
        raise ValidationError({"kind": _("考核类型只能是年度考核或期满考核。")})
    raise_refusals(year_refusals([(membership, year)]))
    membership = Membership.objects.select_related(
        "person", "team__village__county"
    ).get(pk=membership.pk)
    county = membership.team.village.county
    if not _served_in(membership, year):
        raise ValidationError(
            {
                "year": _(
                    "%(name)s在%(year)d年未在该驻村工作队任职，不能评定该年度等次。"
                )
                % {"name": membership.person.name, "year": year}
            }
        )
    # The lock that serialises every grading of this county (see module docstring):
    # taken before counting, so the count below cannot go stale before we write.
    Region.objects.select_for_update().get(pk=county.pk)
    if (
        grade == Assessment.Grade.EXCELLENT
        and kind == Assessment.Kind.ANNUAL
        and membership.role != Membership.Role.FIRST_SECRETARY
    ):
        _check_cap(membership=membership, county=county, year=year)
    assessment = Assessment.objects.filter(
        person=membership.person, year=year, kind=kind
    ).first()
    created = assessment is None
    if created:
        assessment = Assessment(person=membership.person, year=year, kind=kind)
        before = {}
    else:
        before = snapshot(assessment, ASSESSMENT_FIELDS)
    assessment.membership = membership
    assessment.grade = grade
    assessment.villager_score = villager_score
    assessment.cadre_score = cadre_score
    assessment.full_clean()
    assessment.save()
    changes = diff(before, snapshot(assessment, ASSESSMENT_FIELDS))
    if created or changes:
        audit_record(
            action="create" if created else "update",
            instance=assessment,
            changes=changes,
            county_code=county.code,
            user=user,
        )
    return assessment


def _check_cap(*, membership: Membership, county: Region, year: int) -> None:
    """The 20% cap (assessments.write_rules) for this one grade."""
    grade = ProposedGrade(
        item=membership,
        person_id=membership.person_id,
        county_id=county.pk,
        county_name=county.name,
        year=year,
        counts=True,
    )
    raise_refusals(excellent_cap_refusals([grade]))


# --- the yearly cycle: target letters (三) and training (四(二)) ----------------------

TARGET_LETTER_FIELDS = ("team_id", "year", "signed_on")
TARGET_ITEM_FIELDS = ("letter_id", "content", "responsible_id", "status", "evidence")
TRAINING_EVENT_FIELDS = ("name", "level", "start_date", "days")
TRAINING_RECORD_FIELDS = ("event_id", "person_id", "days")


def _team_county_code(team_id: int) -> str:
    return (
        Team.objects.filter(pk=team_id)
        .values_list("village__county__code", flat=True)
        .first()
        or ""
    )


def _check_letter_dates(*, team: Team, year: int, signed_on: datetime.date) -> None:
    raise_refusals(year_refusals([(team, year)]))
    first, last = year_bounds(year)
    if not Team.objects.filter(overlapping(first, last), pk=team.pk).exists():
        raise ValidationError(
            {
                "year": _(
                    "%(team)s在%(year)d年不在驻村期内，不能签订该年度目标责任书。"
                )
                % {"team": team, "year": year}
            }
        )
    if signed_on.year != year:
        raise ValidationError(
            {
                "signed_on": _("%(year)d年目标责任书的签订日期应在%(year)d年内。")
                % {"year": year}
            }
        )
    if signed_on > clock.today():
        raise ValidationError({"signed_on": _("签订日期不能晚于今天。")})


@transaction.atomic
def target_letter_create(
    *, team: Team, year: int, signed_on: datetime.date, user=None
) -> TargetLetter:
    """Sign a team's target responsibility letter (目标责任书) for a year."""
    _check_letter_dates(team=team, year=year, signed_on=signed_on)
    if TargetLetter.objects.filter(team=team, year=year).exists():
        raise ValidationError(
            {
                "team": _("%(team)s已有%(year)d年目标责任书。")
                % {"team": team, "year": year}
            }
        )
    letter = TargetLetter(team=team, year=year, signed_on=signed_on)
    letter.full_clean()
    letter.save()
    audit_record(
        action="create",
        instance=letter,
        changes=diff({}, snapshot(letter, TARGET_LETTER_FIELDS)),
        county_code=_team_county_code(team.pk),
        user=user,
    )
    return letter


@transaction.atomic
def target_letter_update(
    *, letter: TargetLetter, signed_on: datetime.date, user=None
) -> TargetLetter:
    """Correct the date a letter was signed."""
    before = snapshot(letter, TARGET_LETTER_FIELDS)
    _check_letter_dates(team=letter.team, year=letter.year, signed_on=signed_on)
    letter.signed_on = signed_on
    letter.full_clean()
    letter.save()
    changes = diff(before, snapshot(letter, TARGET_LETTER_FIELDS))
    if changes:
        audit_record(
            action="update",
            instance=letter,
            changes=changes,
            county_code=_team_county_code(letter.team_id),
            user=user,
        )
    return letter


def _check_responsible(letter: TargetLetter, responsible: Membership | None) -> None:
    if responsible is None:
        return
    first, last = year_bounds(letter.year)
    serving = Membership.objects.filter(
        overlapping(first, last), pk=responsible.pk, team_id=letter.team_id
    )
    if not serving.exists():
        raise ValidationError(
            {
                "responsible": _("责任人应为该工作队%(year)d年在任的队员。")
                % {"year": letter.year}
            }
        )


def _check_progress(status: str, evidence: str) -> None:
    if status not in TargetItem.Status.values:
        raise ValidationError({"status": _("进度只能是未开始、推进中或已完成。")})
    if status == TargetItem.Status.DONE and not evidence.strip():
        raise ValidationError({"evidence": _("标记为已完成时，请填写佐证材料。")})


def _save_item(item: TargetItem, before: dict, user) -> TargetItem:
    item.full_clean()
    item.save()
    changes = diff(before, snapshot(item, TARGET_ITEM_FIELDS))
    if changes or not before:
        audit_record(
            action="update" if before else "create",
            instance=item,
            changes=changes,
            county_code=_team_county_code(item.letter.team_id),
            user=user,
        )
    return item


@transaction.atomic
def target_item_add(
    *,
    letter: TargetLetter,
    content: str,
    responsible: Membership | None,
    status: str = TargetItem.Status.PLANNED,
    evidence: str = "",
    user=None,
) -> TargetItem:
    """Add a checklist item (清单制) to a letter, assigned to a member (责任制)."""
    _check_responsible(letter, responsible)
    _check_progress(status, evidence)
    item = TargetItem(
        letter=letter,
        content=content.strip(),
        responsible=responsible,
        status=status,
        evidence=evidence.strip(),
    )
    return _save_item(item, {}, user)


@transaction.atomic
def target_item_update(
    *,
    item: TargetItem,
    content: str,
    responsible: Membership | None,
    user=None,
) -> TargetItem:
    """Reword an item or assign it to another member."""
    before = snapshot(item, TARGET_ITEM_FIELDS)
    _check_responsible(item.letter, responsible)
    item.content = content.strip()
    item.responsible = responsible
    return _save_item(item, before, user)


@transaction.atomic
def target_item_progress(
    *, item: TargetItem, status: str, evidence: str, user=None
) -> TargetItem:
    """Record a team's progress on an item: its status and the evidence note."""
    before = snapshot(item, TARGET_ITEM_FIELDS)
    _check_progress(status, evidence)
    item.status = status
    item.evidence = evidence.strip()
    return _save_item(item, before, user)


@transaction.atomic
def target_item_delete(*, item: TargetItem, user=None) -> None:
    """Remove an item entered by mistake."""
    before = snapshot(item, TARGET_ITEM_FIELDS)
    audit_record(
        action="delete",
        instance=item,
        changes=diff(before, dict.fromkeys(before)),
        county_code=_team_county_code(item.letter.team_id),
        user=user,
    )
    item.delete()


@transaction.atomic
def training_event_create(
    *,
    name: str,
    level: str,
    start_date: datetime.date,
    days: Decimal,
    user=None,
) -> TrainingEvent:
    """Register a training course (省级/市级/县级)."""
    event = TrainingEvent(
        name=name.strip(), level=level, start_date=start_date, days=Decimal(days)
    )
    event.full_clean()
    event.save()
    audit_record(
        action="create",
        instance=event,
        changes=diff({}, snapshot(event, TRAINING_EVENT_FIELDS)),
        user=user,
    )
    return event


def _counties_of(people: list[Person], on: datetime.date) -> dict[int, str]:
    """person_id → the county code of the team they served on ``on`` (or last)."""
    codes: dict[int, tuple] = {}
    rows = Membership.objects.filter(person__in=people).values_list(
        "person_id", "start_date", "end_date", "team__village__county__code"
    )
    for person_id, start, end, code in rows:
        serving = start <= on and (end is None or end >= on)
        key = (serving, start)
        if person_id not in codes or key > codes[person_id][0]:
            codes[person_id] = (key, code)
    return {person_id: code for person_id, (_key, code) in codes.items()}


@transaction.atomic
def training_attendance_add(
    *,
    event: TrainingEvent,
    people: list[Person],
    days: Decimal | None = None,
    user=None,
) -> list[TrainingRecord]:
    """Record people as attending a course; those already on it are left as they are.

    ``days`` defaults to the course's length and cannot exceed it.
    """
    days = event.days if days is None else Decimal(days)
    if days <= 0 or days > event.days:
        raise ValidationError(
            {
                "days": _("参训天数应大于0且不超过培训班的%(days)s天。")
                % {"days": days_text(event.days)}
            }
        )
    attending = set(
        TrainingRecord.objects.filter(event=event, person__in=people).values_list(
            "person_id", flat=True
        )
    )
    counties = _counties_of(people, event.start_date)
    created = []
    for person in people:
        if person.pk in attending:
            continue
        attending.add(person.pk)
        record = TrainingRecord(event=event, person=person, days=days)
        record.full_clean(validate_unique=False)
        record.save()
        audit_record(
            action="create",
            instance=record,
            changes=diff({}, snapshot(record, TRAINING_RECORD_FIELDS)),
            county_code=counties.get(person.pk, ""),
            user=user,
        )
        created.append(record)
    return created


@transaction.atomic
def training_attendance_remove(*, record: TrainingRecord, user=None) -> None:
    """Take a person off a course they did not attend."""
    before = snapshot(record, TRAINING_RECORD_FIELDS)
    code = _counties_of([record.person], record.event.start_date).get(
        record.person_id, ""
    )
    audit_record(
        action="delete",
        instance=record,
        changes=diff(before, dict.fromkeys(before)),
        county_code=code,
        user=user,
    )
    record.delete()
