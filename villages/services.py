"""Writes for regions, villages and households."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from villages.models import Household, Region, Village
from villages.write_rules import VillageCode, village_code_refusals
from zhucun.audit import audit_record, diff, snapshot
from zhucun.periods import year_refusals
from zhucun.write_rules import raise_refusals

VILLAGE_FIELDS = (
    "name",
    "code",
    "is_registered_poor",
    "is_extremely_poor",
    "drug_aids",
    "over_birth_dropout",
    "planned_exit_year",
    "actual_exit_year",
    "household_count",
    "county_leader",
)

HOUSEHOLD_FIELDS = (
    "head_name",
    "member_count",
    "is_party_member_family",
    "is_hardship_family",
    "has_critical_patient",
    "is_empty_nest_or_left_behind",
)


def _check_years(village: Village) -> None:
    """Exit years within the data span (zhucun.periods' one year rule)."""
    raise_refusals(
        [
            *year_refusals(
                [(village, village.planned_exit_year)], field="planned_exit_year"
            ),
            *year_refusals(
                [(village, village.actual_exit_year)], field="actual_exit_year"
            ),
        ]
    )


def _check_code(village: Village, township: Region) -> None:
    """The 村代码 rule (villages.write_rules) for the code the village will hold."""
    if village.code:
        raise_refusals(
            village_code_refusals(
                [VillageCode(village, village.code, township.code, village.pk)]
            )
        )


def _require_township(township: Region) -> None:
    if township.level != Region.Level.TOWNSHIP:
        raise ValidationError(
            {
                "township": _("村必须属于乡（镇），“%(name)s”是%(level)s。")
                % {"name": township.name, "level": township.get_level_display()}
            }
        )


@transaction.atomic
def township_create(*, county: Region, code: str, name: str, user=None) -> Region:
    """Create a township under a county."""
    if county.level != Region.Level.COUNTY:
        raise ValidationError({"county": _("乡（镇）必须属于县（市、区）。")})
    if not code.startswith(county.code[:6]) or len(code) != 9:
        raise ValidationError(
            {
                "code": _("乡（镇）代码应为9位，且以所属县代码%(code)s开头。")
                % {"code": county.code}
            }
        )
    township = Region(
        code=code,
        name=name,
        level=Region.Level.TOWNSHIP,
        parent=county,
        path=Region.build_path(county.path, code),
    )
    township.full_clean()
    township.save()
    audit_record(action="create", instance=township, county_code=county.code, user=user)
    return township


@transaction.atomic
def village_create(*, township: Region, name: str, user=None, **fields) -> Village:
    """Create a village under a township (never directly under a county)."""
    _require_township(township)
    unknown = set(fields) - set(VILLAGE_FIELDS)
    if unknown:
        raise TypeError(f"unknown village fields: {sorted(unknown)}")
    village = Village(
        township=township, county_id=township.parent_id, name=name, **fields
    )
    _check_years(village)
    _check_code(village, township)
    village.full_clean()
    village.save()
    audit_record(
        action="create",
        instance=village,
        changes=diff({}, snapshot(village, VILLAGE_FIELDS)),
        county_code=township.parent.code,
        user=user,
    )
    return village


@transaction.atomic
def village_update(
    *, village: Village, township: Region | None = None, user=None, **fields
) -> Village:
    """Change a village's fields (and, if given, move it to another township)."""
    before = snapshot(village, (*VILLAGE_FIELDS, "township_id"))
    if township is not None:
        _require_township(township)
        village.township = township
        village.county_id = township.parent_id
    for name, value in fields.items():
        if name not in VILLAGE_FIELDS:
            raise TypeError(f"unknown village field: {name}")
        setattr(village, name, value)
    if village.code != before["code"] or village.township_id != before["township_id"]:
        _check_code(village, village.township)
    _check_years(village)
    village.full_clean()
    village.save()
    changes = diff(before, snapshot(village, (*VILLAGE_FIELDS, "township_id")))
    if changes:
        audit_record(
            action="update",
            instance=village,
            changes=changes,
            county_code=village.county.code,
            user=user,
        )
    return village


@transaction.atomic
def household_create(
    *, village: Village, head_name: str, user=None, **fields
) -> Household:
    """Register a household of a village, with its priority flags of 三(四)."""
    unknown = set(fields) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise TypeError(f"unknown household fields: {sorted(unknown)}")
    household = Household(village=village, head_name=head_name.strip(), **fields)
    household.full_clean()
    household.save()
    audit_record(
        action="create",
        instance=household,
        changes=diff({}, snapshot(household, ("village_id", *HOUSEHOLD_FIELDS))),
        county_code=village.county.code,
        user=user,
    )
    return household


@transaction.atomic
def household_update(*, household: Household, user=None, **fields) -> Household:
    """Change a household's head, size or priority flags."""
    before = snapshot(household, HOUSEHOLD_FIELDS)
    for name, value in fields.items():
        if name not in HOUSEHOLD_FIELDS:
            raise TypeError(f"unknown household field: {name}")
        setattr(household, name, value.strip() if name == "head_name" else value)
    household.full_clean()
    household.save()
    changes = diff(before, snapshot(household, HOUSEHOLD_FIELDS))
    if changes:
        audit_record(
            action="update",
            instance=household,
            changes=changes,
            county_code=household.village.county.code,
            user=user,
        )
    return household
