"""One rule, one answer: each membership rule refuses the same bad write the same way
on every path (the page, the API, the admin, the roster import command), and
nothing is written.

Each test is one rule, parametrised over the paths that can express the write;
the expected message is written out here, so a path with its own wording fails.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from teams.models import Membership, Person
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    TeamFactory,
    TermFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    WorkCommitteeFactory,
)
from tests.workbook_helpers import error_lines, run, table, write_xlsx
from villages.models import Region
from zhucun.models import AuditEntry

D = datetime.date
PROPOSE = "/teams/appointments/propose/"


@pytest.fixture(autouse=True)
def today(settings):
    settings.ZHUCUN_TODAY = D(2022, 12, 20)


@pytest.fixture
def world(db, scoped_user, django_user_model, tmp_path):
    """Two 昭觉县 villages with 2021-term teams, a unit under a committee, the users."""
    term = TermFactory(
        name="2021—2023年驻村期",
        start_date=D(2021, 6, 1),
        end_date=D(2023, 5, 31),
        in_post_deadline=D(2021, 6, 30),
    )
    township = TownshipFactory(name="四开乡", parent=Region.objects.get(code="513431"))
    committee = WorkCommitteeFactory()
    unit = UnitFactory(name="四川省某某厅", work_committee=committee)
    superuser = django_user_model.objects.create_superuser(
        "kezhang", "kezhang@example.com", "an-unguessable-pass"
    )
    return SimpleNamespace(
        tmp_path=tmp_path,
        term=term,
        unit=unit,
        a=TeamFactory(
            village=VillageFactory(township=township, name="好谷村"), term=term
        ),
        b=TeamFactory(
            village=VillageFactory(township=township, name="洒洛村"), term=term
        ),
        county_user=scoped_user("county", "513431", "zhaojue"),
        committee_user=scoped_user("committee", committee.name, "gongwei"),
        superuser=superuser,
    )


def _person(world, name="张三", **fields) -> Person:
    return PersonFactory(name=name, unit=world.unit, **fields)


def _member(world, team, start, end=None, **fields) -> Membership:
    return MembershipFactory(
        team=team,
        person=_person(world, name=fields.pop("name", "李四")),
        start_date=start,
        end_date=end if end is not None else team.end_date,
        **fields,
    )


# --- the paths: each writes one membership and answers the messages it got ----------


def _form_errors(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


def _api_errors(response) -> list[str]:
    assert response.status_code == 400, response.content
    return [m for messages in response.json()["fields"].values() for m in messages]


def via_page(world, client, *, person, team, role, start, end=None):
    if end is not None:
        pytest.skip("the proposal page takes the team's end date")
    client.force_login(world.county_user)
    response = client.post(
        PROPOSE,
        {
            "team": team.pk,
            "person": person.pk,
            "role": role,
            "sector": "other",
            "unit": world.unit.pk,
            "start_date": start,
            "proposed_on": "2021-05-20",
        },
    )
    assert response.status_code == 400
    return _form_errors(response.context["form"])


def via_api(world, client, *, person, team, role, start, end=None):
    api = APIClient()
    api.force_authenticate(world.county_user)
    body = {
        "person": person.pk,
        "team": team.pk,
        "role": role,
        "unit": world.unit.pk,
        "start_date": start,
    }
    if end is not None:
        body["end_date"] = end
    return _api_errors(api.post("/api/v1/memberships/", body, format="json"))


def via_admin(world, client, *, person, team, role, start, end=None):
    client.force_login(world.superuser)
    response = client.post(
        reverse("admin:teams_membership_add"),
        {
            "person": person.pk,
            "team": team.pk,
            "role": role,
            "unit": world.unit.pk,
            "sector": "other",
            "start_date": start,
            "end_date": end or "",
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    return _form_errors(response.context["adminform"].form)


_ROLE_LABELS = {"member": "队员", "first_secretary": "第一书记"}


def via_import(world, client, *, person, team, role, start, end=None, **cells):
    village = team.village
    row = {
        "市（州）": village.county.parent.name,
        "县（市、区）": village.county.name,
        "乡（镇）": village.township.name,
        "村": village.name,
        "姓名": person.name,
        "身份证号码": person.id_number,
        "派出单位": world.unit.name,
        "驻村职务": _ROLE_LABELS[role],
        "驻村起始时间": start,
        "驻村结束时间": end,
        **cells,
    }
    path = write_xlsx(
        world.tmp_path / "roster.xlsx", table("roster", [row], title="花名册")
    )
    code, output = run("import_xlsx", "roster", path, "--user", "zhaojue")
    assert code == 1, output
    # The import shows each message with the cell as typed (masked if personal).
    return [
        re.sub(r"（填写的是：[^）]*）$", "", message)
        for _row, _column, message in error_lines(output)
    ]


PATHS = {"page": via_page, "api": via_api, "admin": via_admin, "import": via_import}


def _refused_everywhere(world, client, path, expected, **write):
    """The write through ``path`` gets ``expected`` and writes nothing."""
    memberships, audit = Membership.objects.count(), AuditEntry.objects.count()
    messages = PATHS[path](world, client, **write)
    assert expected in messages
    assert Membership.objects.count() == memberships
    assert AuditEntry.objects.count() == audit


# --- one rule each ----------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_one_person_serves_on_one_team_at_a_time(world, client, path):
    serving = _member(world, world.b, D(2021, 6, 1), name="王五")
    _refused_everywhere(
        world,
        client,
        path,
        "该干部已在洒洛村驻村（2021-06-01起），同一时间只能在一个工作队。",
        person=serving.person,
        team=world.a,
        role="member",
        start="2022-01-01",
    )


@pytest.mark.parametrize("path", PATHS)
def test_a_team_has_one_first_secretary_at_a_time(world, client, path):
    _member(world, world.a, D(2021, 6, 1), role="first_secretary")
    _refused_everywhere(
        world,
        client,
        path,
        "该工作队已有第一书记（2021-06-01起），一个工作队只能有一名第一书记。",
        person=_person(world),
        team=world.a,
        role="first_secretary",
        start="2022-01-01",
    )


@pytest.mark.parametrize("path", PATHS)
def test_liangshan_cap_holds_on_every_day_not_only_the_start(world, client, path):
    """7 members from 2022-12-01: an 8th back-dated to 2021-06-01 breaks it then."""
    for n in range(7):
        _member(world, world.a, D(2022, 12, 1), name=f"队员{n}")
    _refused_everywhere(
        world,
        client,
        path,
        "凉山州工作队最多7人，好谷村工作队在2022-12-01将有8人。",
        person=_person(world),
        team=world.a,
        role="member",
        start="2021-06-01",
    )


TERM_MESSAGE = "驻村时间应在好谷村工作队的派驻期内（2021-06-01至2023-05-31）。"


@pytest.mark.parametrize("path", ["page", "api", "admin"])
def test_a_membership_starts_within_its_teams_term(world, client, path):
    """POST /api/v1/memberships/ with start_date 2035-01-01 on a 2021 team was a 201."""
    _refused_everywhere(
        world,
        client,
        path,
        TERM_MESSAGE,
        person=_person(world),
        team=world.a,
        role="member",
        start="2035-01-01",
    )


@pytest.mark.parametrize("path", ["api", "admin", "import"])
def test_a_membership_ends_within_its_teams_term(world, client, path):
    _refused_everywhere(
        world,
        client,
        path,
        TERM_MESSAGE,
        person=_person(world),
        team=world.a,
        role="member",
        start="2021-06-01",
        end="2035-01-01",
    )


def test_the_liangshan_sweep_counts_members_who_leave_before_the_peak(world):
    """Members who leave make room: 7 on any day is fine, however many in the term."""
    from teams.services import membership_create

    for n in range(7):
        _member(world, world.a, D(2021, 6, 1), end=D(2022, 5, 31), name=f"甲{n}")
    for n in range(6):
        _member(world, world.a, D(2022, 6, 1), name=f"乙{n}")
    person = _person(world)
    membership_create(
        person=person,
        team=world.a,
        role="member",
        unit=world.unit,
        start_date=D(2022, 6, 1),
        end_date=world.a.end_date,
    )
    assert Membership.objects.filter(team=world.a).count() == 14


# --- 联系电话 ------------------------------------------------------------------------

PHONE_MESSAGE = (
    "联系电话格式不正确：应为11位手机号码（如13812345678），"
    "或带区号的固定电话（如028-12345678，可加分机号）。"
)


def _phone_api(world, client, person):
    api = APIClient()
    api.force_authenticate(world.county_user)
    return _api_errors(
        api.patch(f"/api/v1/people/{person.pk}/", {"phone": "12345"}, format="json")
    )


def _phone_admin(world, client, person):
    client.force_login(world.superuser)
    response = client.post(
        reverse("admin:teams_person_change", args=[person.pk]),
        {
            "name": person.name,
            "political_status": person.political_status,
            "unit": person.unit_id,
            "rank": person.rank,
            "on_staff": "on",
            "new_phone": "12345",
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    return _form_errors(response.context["adminform"].form)


def _phone_import(world, client, person):
    return via_import(
        world,
        client,
        person=person,
        team=world.a,
        role="member",
        start="2021-06-01",
        联系电话="12345",
    )


@pytest.mark.parametrize("path", [_phone_api, _phone_admin, _phone_import])
def test_a_phone_is_a_mobile_or_a_landline_with_area_code(world, client, path):
    person = _person(world, phone="13812345678")
    audit = AuditEntry.objects.count()
    assert PHONE_MESSAGE in path(world, client, person)
    person.refresh_from_db()
    assert person.phone == "13812345678"
    assert AuditEntry.objects.count() == audit
    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13812345678", True),
        ("138-1234-5678", True),
        ("+86 138 1234 5678", True),
        ("028-12345678", True),
        ("0834 123 4567", True),
        ("028-12345678-123", True),
        ("12345", False),
        ("12812345678", False),
        ("028-123456", False),
        ("call me", False),
    ],
)
def test_the_phone_rule(phone, ok):
    from django.core.exceptions import ValidationError

    from zhucun.id_numbers import validate_phone

    if ok:
        validate_phone(phone)
    else:
        with pytest.raises(ValidationError, match="联系电话格式不正确"):
            validate_phone(phone)


# --- 召回调整: the replacement ---------------------------------------------------------


@pytest.fixture
def unfit(world):
    """徐秀佳, a member of 好谷村's team, found unfit."""
    return _member(
        world,
        world.a,
        D(2021, 6, 1),
        name="徐秀佳",
        unfit_marked_on=D(2022, 11, 1),
        replacement_deadline=D(2022, 12, 31),
    )


def _replace_page(world, client, old, person):
    client.force_login(world.county_user)
    response = client.post(
        reverse("teams:appointment-replace", args=[old.pk]),
        {
            "person": person.pk,
            "start_date": "2022-12-10",
            "proposed_on": "2022-12-05",
            "confirm": "on",
        },
    )
    assert response.status_code == 400
    return _form_errors(response.context["form"])


def _replace_api(world, client, old, person):
    api = APIClient()
    api.force_authenticate(world.county_user)
    return _api_errors(
        api.post(
            f"/api/v1/memberships/{old.pk}/replace/",
            {"person": person.pk, "unit": world.unit.pk, "start_date": "2022-12-10"},
            format="json",
        )
    )


REPLACEMENTS = {
    "herself": (
        lambda world, unfit: unfit,
        "接替人员不能是被接替的队员本人（徐秀佳）。",
    ),
    "serving in the term": (
        lambda world, unfit: _member(
            world, world.b, D(2021, 6, 1), end=D(2022, 3, 31), name="赵六"
        ),
        "赵六在2021—2023年驻村期已在洒洛村驻村（2021-06-01起），不能作为接替人员。",
    ),
    "found unfit in the term": (
        lambda world, unfit: _member(
            world,
            world.b,
            D(2021, 6, 1),
            end=D(2022, 3, 31),
            name="钱七",
            unfit_marked_on=D(2022, 1, 5),
        ),
        "钱七在2021—2023年驻村期已被认定不适应，不能作为接替人员。",
    ),
}


@pytest.mark.parametrize("case", REPLACEMENTS)
@pytest.mark.parametrize("path", [_replace_page, _replace_api])
def test_a_replacement_is_someone_else_free_and_fit(world, client, unfit, path, case):
    make, expected = REPLACEMENTS[case]
    candidate = make(world, unfit).person
    memberships, audit = Membership.objects.count(), AuditEntry.objects.count()
    assert expected in path(world, client, unfit, candidate)
    unfit.refresh_from_db()
    assert (unfit.end_date, unfit.replaced_by) == (D(2023, 5, 31), None)
    assert Membership.objects.count() == memberships
    assert AuditEntry.objects.count() == audit


def _step_page(world, client, membership, step, user):
    client.force_login(user)
    response = client.post(
        reverse("teams:appointment-step", args=[membership.pk, step]),
        {"on": "2022-12-20"},
    )
    assert response.status_code == 400
    return _form_errors(response.context["form"])


def _step_api(world, client, membership, step, user):
    api = APIClient()
    api.force_authenticate(user)
    return _api_errors(
        api.post(
            f"/api/v1/memberships/{membership.pk}/steps/",
            {"step": step, "on": "2022-12-20"},
            format="json",
        )
    )


STEP_FIELDS = {
    "propose": "proposed_on",
    "review": "reviewed_on",
    "appoint": "appointed_on",
    "file": "filed_on",
}
# step → the steps already done, the user who records it
CHAIN = {
    "propose": ((), "county_user"),
    "review": (("proposed_on",), "committee_user"),
    "appoint": (("proposed_on", "reviewed_on"), "county_user"),
    "file": (("proposed_on", "reviewed_on", "appointed_on"), "committee_user"),
}


@pytest.mark.parametrize("step", CHAIN)
@pytest.mark.parametrize("path", [_step_page, _step_api])
def test_a_self_replacement_written_before_the_rule_does_not_advance(
    world, client, unfit, path, step
):
    """徐秀佳 replaced by 徐秀佳: no step of the chain takes it further."""
    done, user = CHAIN[step]
    Membership.objects.filter(pk=unfit.pk).update(end_date=D(2022, 12, 9))
    again = MembershipFactory(
        team=world.a,
        person=unfit.person,
        unit=world.unit,
        start_date=D(2022, 12, 10),
        end_date=world.a.end_date,
        **{
            f: D(2022, 12, 5) if f in done else None
            for f in ("proposed_on", "reviewed_on", "appointed_on")
        },
    )
    Membership.objects.filter(pk=unfit.pk).update(replaced_by=again)
    audit = AuditEntry.objects.count()
    messages = path(world, client, again, step, getattr(world, user))
    assert "接替人员不能是被接替的队员本人（徐秀佳）。" in messages
    again.refresh_from_db()
    assert getattr(again, STEP_FIELDS[step]) is None
    assert AuditEntry.objects.count() == audit


def test_the_rules_read_a_sheet_in_the_same_number_of_queries_as_one_row(world):
    """The importer judges a sheet set-based: 30 rows cost what 3 rows cost."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_id_number

    villages = [world.a.village, world.b.village]

    def import_rows(count: int, name: str) -> int:
        rows = [
            {
                "市（州）": "凉山彝族自治州",
                "县（市、区）": "昭觉县",
                "乡（镇）": "四开乡",
                "村": villages[n % 2].name,
                "姓名": f"{name}{n}",
                "身份证号码": make_id_number(),
                "派出单位": world.unit.name,
                "驻村职务": "队员",
                "驻村起始时间": f"2021-{6 + n // 6:02d}-01",
                "驻村结束时间": f"2021-{6 + n // 6:02d}-28",
            }
            for n in range(count)
        ]
        path = write_xlsx(
            world.tmp_path / f"{name}.xlsx", table("roster", rows, title="花名册")
        )
        with CaptureQueriesContext(connection) as queries:
            code, output = run("import_xlsx", "roster", path, "--user", "zhaojue")
        assert code == 0, output
        return len(queries)

    assert import_rows(3, "甲") == import_rows(30, "乙")
