"""Writes for grades (四(三)).

Concurrency: a 优秀 grade is checked against its county's 20% cap after locking the
county's Region row (select_for_update), the one row that stands for "this county's
grades"; every grading in the county waits for it, so two clerks cannot both take
the last place under the cap.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.models import Assessment
from assessments.rules.engine import Thresholds, percent
from assessments.rules.management import cap_counts, excellent_cap
from assessments.rules.periods import year_bounds
from teams.models import Membership
from villages.models import Region
from zhucun.audit import audit_record, diff, snapshot

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
    ratio = Thresholds.from_settings().excellent_cap_ratio
    # This person's own earlier grade (being replaced) does not count against them.
    eligible, graded = cap_counts(
        year, [county.pk], exclude_person_id=membership.person_id
    )
    members = eligible.get(county.pk, 0)
    excellent = graded.get(county.pk, 0)
    cap = excellent_cap(ratio, members)
    if excellent + 1 > cap:
        raise ValidationError(
            {
                "grade": _(
                    "%(county)s%(year)d年度优秀名额已满：已评优秀%(excellent)d人，"
                    "上限%(cap)d人（不含第一书记的队员共%(members)d人的%(ratio)s）"
                )
                % {
                    "county": county.name,
                    "year": year,
                    "excellent": excellent,
                    "cap": cap,
                    "members": members,
                    "ratio": percent(ratio),
                }
            }
        )
