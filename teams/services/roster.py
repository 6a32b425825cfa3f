"""Writes for units, pairings, people, teams and memberships.

Concurrency: appointing to a team locks the team row (select_for_update) so that
two clerks cannot both take a Liangshan team past its maximum; the person row is
locked too so that one person cannot be put on two teams at once. Locks are taken
person first, then team, always in that order.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from teams.models import Membership, Pairing, Person, Team, Term, Unit, WorkCommittee
from teams.write_rules import Proposal, membership_refusals, team_facts
from villages.models import Region, Village
from zhucun.audit import audit_record, diff, snapshot
from zhucun.id_numbers import parse_id_number
from zhucun.roles import can_view_full_personal_data
from zhucun.write_rules import raise_refusals

PERSON_FIELDS = (
    "name",
    "ethnicity",
    "political_status",
    "unit_id",
    "current_post",
    "rank",
    "on_staff",
    "phone",
    "is_midlevel_without_grassroots",
    "is_progressive_trainee",
    "is_reserve_cadre",
    "is_selected_graduate",
)


UNIT_FIELDS = (
    "name",
    "level",
    "unit_type",
    "region_id",
    "staff_count",
    "work_committee_id",
    "fixed_point_county_id",
    "deep_poverty_link_county_id",
    "principal_head",
)
# The relations a caller passes by object; the trail records their ids.
_UNIT_RELATIONS = (
    "region",
    "work_committee",
    "fixed_point_county",
    "deep_poverty_link_county",
)


def _county_code_of_region(region: Region | None) -> str:
    """The code of the county a region is or lies in; "" above county level."""
    if region is None:
        return ""
    if region.level == Region.Level.COUNTY:
        return region.code
    if region.level == Region.Level.TOWNSHIP:
        return region.parent.code
    return ""


def _check_unit_counties(unit: Unit) -> None:
    errors = {}
    for field in ("fixed_point_county", "deep_poverty_link_county"):
        county = getattr(unit, field)
        if county is not None and county.level != Region.Level.COUNTY:
            errors[field] = _("“%(name)s”不是县（市、区）。") % {"name": county.name}
    if errors:
        raise ValidationError(errors)


def _set_unit_fields(unit: Unit, fields: dict) -> None:
    for name, value in fields.items():
        if name not in UNIT_FIELDS and name not in _UNIT_RELATIONS:
            raise TypeError(f"unknown unit field: {name}")
        setattr(unit, name, value.strip() if name == "name" else value)


@transaction.atomic
def unit_create(
    *,
    name: str,
    level: str,
    unit_type: str,
    region: Region,
    work_committee: WorkCommittee | None = None,
    user=None,
    **fields,
) -> Unit:
    """Register a dispatching unit (派出单位) in the shared directory."""
    unit = Unit(level=level, unit_type=unit_type, region=region)
    _set_unit_fields(unit, {"name": name, "work_committee": work_committee, **fields})
    _check_unit_counties(unit)
    unit.full_clean()
    unit.save()
    audit_record(
        action="create",
        instance=unit,
        changes=diff({}, snapshot(unit, UNIT_FIELDS)),
        county_code=_county_code_of_region(region),
        user=user,
    )
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, user=None, **fields) -> Unit:
    """Change a unit's details (name, level, staff size, committee, linked counties)."""
    before = snapshot(unit, UNIT_FIELDS)
    _set_unit_fields(unit, fields)
    _check_unit_counties(unit)
    unit.full_clean()
    unit.save()
    changes = diff(before, snapshot(unit, UNIT_FIELDS))
    if changes:
        audit_record(
            action="update",
            instance=unit,
            changes=changes,
            county_code=_county_code_of_region(unit.region),
            user=user,
        )
    return unit


def _check_pairing(pairing: Pairing) -> None:
    errors = {}
    for field in ("assisting_county", "assisted_county"):
        county = getattr(pairing, field)
        if county.level != Region.Level.COUNTY:
            errors[field] = _("“%(name)s”不是县（市、区）。") % {"name": county.name}
    if not errors and pairing.assisting_county_id == pairing.assisted_county_id:
        errors["assisted_county"] = _("帮扶县和受援县不能是同一个县。")
    if (
        not errors
        and Pairing.objects.filter(
            assisting_county=pairing.assisting_county,
            assisted_county=pairing.assisted_county,
        )
        .exclude(pk=pairing.pk)
        .exists()
    ):
        errors["assisted_county"] = _("这一对口帮扶关系已存在。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pairing_create(
    *, assisting_county: Region, assisted_county: Region, user=None
) -> Pairing:
    """Record that one county assists another (对口帮扶)."""
    pairing = Pairing(
        assisting_county=assisting_county, assisted_county=assisted_county
    )
    _check_pairing(pairing)
    pairing.full_clean()
    pairing.save()
    audit_record(
        action="create",
        instance=pairing,
        changes=diff(
            {}, snapshot(pairing, ("assisting_county_id", "assisted_county_id"))
        ),
        county_code=assisted_county.code,
        user=user,
    )
    return pairing


@transaction.atomic
def pairing_update(
    *,
    pairing: Pairing,
    assisting_county: Region | None = None,
    assisted_county: Region | None = None,
    user=None,
) -> Pairing:
    """Change either county of a pairing."""
    fields = ("assisting_county_id", "assisted_county_id")
    before = snapshot(pairing, fields)
    if assisting_county is not None:
        pairing.assisting_county = assisting_county
    if assisted_county is not None:
        pairing.assisted_county = assisted_county
    _check_pairing(pairing)
    pairing.full_clean()
    pairing.save()
    changes = diff(before, snapshot(pairing, fields))
    if changes:
        audit_record(
            action="update",
            instance=pairing,
            changes=changes,
            county_code=pairing.assisted_county.code,
            user=user,
        )
    return pairing


@transaction.atomic
def person_create(*, id_number: str, name: str, user=None, **fields) -> Person:
    """Register a cadre; birth date and gender come from the 身份证号码."""
    try:
        facts = parse_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    if Person.objects.filter(id_number=facts.number).exists():
        raise ValidationError({"id_number": _("该身份证号码的干部已存在。")})
    person = Person(
        id_number=facts.number,
        name=name.strip(),
        birth_date=facts.birth_date,
        gender=facts.gender,
        **fields,
    )
    person.full_clean()
    person.save()
    audit_record(
        action="create",
        instance=person,
        changes=diff({}, snapshot(person, ("id_number", *PERSON_FIELDS))),
        user=user,
    )
    return person


@transaction.atomic
def person_update(*, person: Person, user=None, **fields) -> Person:
    """Change a cadre's details (the 身份证号码 itself is not changed here)."""
    before = snapshot(person, PERSON_FIELDS)
    for name, value in fields.items():
        if name not in PERSON_FIELDS and name != "unit":
            raise TypeError(f"unknown person field: {name}")
        setattr(person, name, value)
    person.full_clean()
    person.save()
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    if changes:
        audit_record(action="update", instance=person, changes=changes, user=user)
    return person


@transaction.atomic
def team_create(
    *,
    village: Village,
    term: Term,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    name: str = "",
    user=None,
) -> Team:
    """Send a team to a village for a term (一村一队)."""
    if Team.objects.filter(village=village, term=term).exists():
        raise ValidationError(
            {
                "village": _("%(village)s在%(term)s已有驻村工作队。")
                % {"village": village.name, "term": term.name}
            }
        )
    team = Team(
        village=village,
        term=term,
        name=name or f"{village.name}驻村工作队",
        start_date=start_date or term.start_date,
        end_date=end_date if end_date is not None else term.end_date,
        in_post_deadline=term.in_post_deadline,
    )
    team.full_clean()
    team.save()
    audit_record(
        action="create", instance=team, county_code=village.county.code, user=user
    )
    return team


@transaction.atomic
def membership_create(
    *,
    person: Person,
    team: Team,
    role: str,
    unit: Unit,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    is_leader: bool = False,
    sector: str = Membership.Sector.OTHER,
    user=None,
    **steps,
) -> Membership:
    """Put a person on a team, under the membership rules of ``teams.write_rules``.

    The same rules judge a roster import's whole sheet, so the refusal reads the
    same on every path.
    """
    # Lock order: person, then team (see module docstring).
    Person.objects.select_for_update().get(pk=person.pk)
    team = (
        Team.objects.select_for_update()
        .select_related("village__county")
        .get(pk=team.pk)
    )
    raise_refusals(
        membership_refusals(
            [
                Proposal(
                    item=None,
                    person=person.pk,
                    team=team_facts(team),
                    role=role,
                    start=start_date,
                    end=end_date,
                )
            ]
        )
    )
    membership = Membership(
        person=person,
        team=team,
        role=role,
        unit=unit,
        start_date=start_date,
        end_date=end_date,
        is_leader=is_leader or role == Membership.Role.LEADER,
        sector=sector,
        **steps,
    )
    membership.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ValidationError(
            {"person": _("该干部在此期间已有其他驻村任职（数据库约束）。")}
        ) from None
    audit_record(
        action="create",
        instance=membership,
        changes=diff(
            {},
            snapshot(
                membership, ("person_id", "team_id", "role", "start_date", "end_date")
            ),
        ),
        county_code=team.village.county.code,
        user=user,
    )
    return membership


@transaction.atomic
def membership_end(
    *, membership: Membership, end_date: datetime.date, user=None
) -> Membership:
    """End a person's service on a team."""
    if end_date < membership.start_date:
        raise ValidationError({"end_date": _("驻村结束时间不能早于驻村起始时间。")})
    before = snapshot(membership, ("end_date",))
    membership.end_date = end_date
    membership.save(update_fields=["end_date"])
    audit_record(
        action="update",
        instance=membership,
        changes=diff(before, snapshot(membership, ("end_date",))),
        county_code=membership.team.village.county.code,
        user=user,
    )
    return membership


@transaction.atomic
def person_reveal_personal_data(
    *, user, person: Person, reason: str = ""
) -> dict[str, str]:
    """Return a person's full 身份证号码, phone and birth date, recording who looked and why.

    The birth date is digits 7-14 of the number: it goes out with the whole number
    only, never beside a masked one.
    """
    from django.core.exceptions import PermissionDenied

    if not can_view_full_personal_data(user):
        raise PermissionDenied(_("您没有查看完整个人信息的权限。"))
    audit_record(
        action="reveal",
        instance=person,
        changes={
            "fields": ["id_number", "phone", "birth_date"],
            "reason": reason[:200],
        },
        user=user,
        county_code=_county_code_of_person(person),
    )
    return {
        "id_number": person.id_number,
        "phone": person.phone,
        "birth_date": person.birth_date,
    }


def _county_code_of_person(person: Person) -> str:
    membership = (
        Membership.objects.filter(person=person)
        .order_by("-start_date")
        .values_list("team__village__county__code", flat=True)
        .first()
    )
    return membership or ""
