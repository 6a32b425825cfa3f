"""The directory pages: the units list and unit page, the people list."""

import datetime

import pytest

from teams.models import Unit
from tests.assessments.yearly_factories import workbook_rows
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    TeamFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    WorkCommitteeFactory,
    make_id_number,
)
from tests.teams.test_import_roster import consistent
from tests.workbook_helpers import run
from villages.models import Region

D = datetime.date
ZHAOJUE, LESHAN = "513431", "511102"  # 昭觉县 (Liangshan), 乐山市市中区
TODAY = D(2019, 6, 1)  # the 2018—2020 term is in post


@pytest.fixture
def today(settings):
    settings.ZHUCUN_TODAY = TODAY
    return TODAY


@pytest.fixture
def clerk(client, scoped_user, today):
    """昭觉县's organisation department, logged in."""
    user = scoped_user("county", ZHAOJUE)
    client.force_login(user)
    return user


@pytest.fixture
def leshan_clerk(scoped_user, today):
    return scoped_user("county", LESHAN)


def _leshan_team():
    township = TownshipFactory(parent=Region.objects.get(code=LESHAN))
    return TeamFactory(village=VillageFactory(township=township, name="乐山村"))


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()[:500]
    return [row.name for row in response.context["page"]]


def _flat(response) -> list[str]:
    return [str(v) for row in workbook_rows(response) for v in row]


# --- units -------------------------------------------------------------------------


def test_the_unit_list_searches_filters_and_sorts(client, clerk):
    UnitFactory(name="昭觉县教育局", staff_count=300)
    UnitFactory(name="昭觉县人民医院", unit_type=Unit.Type.HOSPITAL, staff_count=100)
    UnitFactory(
        name="四川省某某厅",
        level=Unit.Level.PROVINCIAL_DEPT,
        region=Region.objects.get(code="510000"),
        staff_count=200,
    )

    assert _names(client.get("/teams/units/", {"q": "教育"})) == ["昭觉县教育局"]
    assert _names(client.get("/teams/units/", {"unit_type": "hospital"})) == [
        "昭觉县人民医院"
    ]
    assert _names(client.get("/teams/units/", {"level": "provincial_dept"})) == [
        "四川省某某厅"
    ]
    assert sorted(_names(client.get("/teams/units/", {"region": ZHAOJUE}))) == [
        "昭觉县人民医院",
        "昭觉县教育局",
    ]
    assert _names(client.get("/teams/units/", {"sort": "-staff"})) == [
        "昭觉县教育局",
        "四川省某某厅",
        "昭觉县人民医院",
    ]
    assert client.get("/teams/units/", {"sort": "staff_count"}).status_code == 400


def test_a_unit_s_serving_count_holds_only_members_in_the_user_s_scope(
    client, clerk, leshan_clerk
):
    unit = UnitFactory(name="四川省某某厅")
    MembershipFactory(unit=unit, person__unit=unit)
    MembershipFactory(unit=unit, person__unit=unit)
    MembershipFactory(unit=unit, person__unit=unit, team=_leshan_team())

    (row,) = client.get("/teams/units/", {"q": "某某厅"}).context["page"]
    assert row.serving == 2

    # The directory of units is shared (zhucun/access.py); who a unit sent is not.
    client.force_login(leshan_clerk)
    (row,) = client.get("/teams/units/", {"q": "某某厅"}).context["page"]
    assert row.serving == 1


def test_the_unit_list_reads_in_a_fixed_number_of_queries(
    client, clerk, django_assert_num_queries
):
    committee = WorkCommitteeFactory()

    def add(n):
        for _ in range(n):
            unit = UnitFactory(
                work_committee=committee,
                fixed_point_county=Region.objects.get(code=ZHAOJUE),
            )
            MembershipFactory(unit=unit, person__unit=unit)

    add(3)
    with django_assert_num_queries(12):
        client.get("/teams/units/", {"sort": "serving"})
    add(3)
    with django_assert_num_queries(12):
        response = client.get("/teams/units/", {"sort": "serving"})
    assert len(response.context["page"]) == 6


def test_the_unit_export_holds_the_filtered_units_and_imports_back_unchanged(
    client, clerk, tmp_path
):
    committee = WorkCommitteeFactory()
    UnitFactory(
        name="甲医院",
        unit_type=Unit.Type.HOSPITAL,
        work_committee=committee,
        fixed_point_county=Region.objects.get(code=ZHAOJUE),
    )
    UnitFactory(name="乙医院", unit_type=Unit.Type.HOSPITAL)
    UnitFactory(name="丙局")

    response = client.get("/teams/units/", {"unit_type": "hospital", "format": "xlsx"})

    flat = _flat(response)
    assert "甲医院" in flat and "乙医院" in flat and "丙局" not in flat
    assert "单位名称" in flat
    path = tmp_path / "units.xlsx"
    path.write_bytes(response.content)
    code, output = run("import_xlsx", "units", path)
    assert code == 0, output
    assert "created=0 updated=0 unchanged=2 rejected=0" in output


def test_the_unit_page_lists_its_members_in_post_with_links_to_their_records(
    client, clerk
):
    unit = UnitFactory(name="四川省某某厅")
    serving = MembershipFactory(
        unit=unit, person__unit=unit, person__name="在驻干部", role="first_secretary"
    )
    MembershipFactory(
        unit=unit,
        person__unit=unit,
        person__name="已离队干部",
        end_date=D(2019, 1, 31),
    )

    response = client.get(f"/teams/units/{unit.pk}/")

    assert response.status_code == 200
    assert [m.pk for m, _url in response.context["members"]] == [serving.pk]
    body = response.content.decode()
    assert "在驻干部" in body and "已离队干部" not in body
    assert f"/assessments/people/{serving.person_id}/record/" in body
    assert f"/teams/{serving.team_id}/" in body


def test_the_unit_page_shows_another_county_none_of_this_county_s_members(
    client, clerk, leshan_clerk
):
    unit = UnitFactory(name="四川省某某厅")
    MembershipFactory(unit=unit, person__unit=unit, person__name="昭觉的干部")
    client.force_login(leshan_clerk)

    response = client.get(f"/teams/units/{unit.pk}/")

    # The unit itself is in the shared directory; its members in 昭觉县 are not.
    assert response.status_code == 200
    assert response.context["members"] == []
    assert "昭觉的干部" not in response.content.decode()


def test_a_unit_that_does_not_exist_is_404(client, clerk):
    assert client.get("/teams/units/999999/").status_code == 404


def test_the_unit_page_reads_in_a_fixed_number_of_queries(
    client, clerk, django_assert_num_queries
):
    unit = UnitFactory()

    def add(n):
        for _ in range(n):
            MembershipFactory(unit=unit, person__unit=unit)

    add(2)
    with django_assert_num_queries(11):
        client.get(f"/teams/units/{unit.pk}/")
    add(2)
    with django_assert_num_queries(11):
        response = client.get(f"/teams/units/{unit.pk}/")
    assert len(response.context["members"]) == 4


# --- people ------------------------------------------------------------------------


def test_the_people_list_shows_the_county_s_people_and_not_another_county_s(
    client, clerk, leshan_clerk
):
    MembershipFactory(person__name="昭觉的干部")
    MembershipFactory(
        person__name="乐山的干部",
        person__unit__region=Region.objects.get(code=LESHAN),
        team=_leshan_team(),
    )

    assert _names(client.get("/teams/people/")) == ["昭觉的干部"]

    client.force_login(leshan_clerk)
    response = client.get("/teams/people/", {"q": "昭觉"})
    assert _names(response) == []
    assert "昭觉的干部" not in response.content.decode()


def test_id_numbers_are_masked_and_names_link_to_the_person_record(client, clerk):
    member = MembershipFactory(person__name="张三")
    number = member.person.id_number

    body = client.get("/teams/people/").content.decode()

    assert number not in body
    assert f"**************{number[-4:]}" in body
    assert f"/assessments/people/{member.person_id}/record/" in body


def test_search_reads_names_and_the_visible_tail_of_the_id_for_everyone(
    client, clerk, scoped_user
):
    one = MembershipFactory(person__name="张三", person__phone="13800001111").person
    MembershipFactory(person__name="李四")

    assert _names(client.get("/teams/people/", {"q": "张"})) == ["张三"]
    assert _names(client.get("/teams/people/", {"q": one.id_number[-4:]})) == ["张三"]
    # The county may see full numbers, so it may search by them.
    assert _names(client.get("/teams/people/", {"q": one.id_number})) == ["张三"]
    assert _names(client.get("/teams/people/", {"q": "00001111"})) == ["张三"]

    # A prefecture clerk sees masked numbers only: the hidden digits and the phone
    # are not searchable, or a search would reveal them.
    client.force_login(scoped_user("prefecture", "513400"))
    assert _names(client.get("/teams/people/", {"q": one.id_number[-4:]})) == ["张三"]
    assert _names(client.get("/teams/people/", {"q": one.id_number})) == []
    assert _names(client.get("/teams/people/", {"q": one.id_number[6:14]})) == []
    assert _names(client.get("/teams/people/", {"q": "00001111"})) == []


def test_the_people_filters_on_staff_serving_now_region_and_unit(client, clerk):
    township = TownshipFactory()
    here = MembershipFactory(person__name="甲", team__village__township=township).person
    MembershipFactory(person__name="乙", person__on_staff=False)
    MembershipFactory(person__name="丙", end_date=D(2019, 1, 31))
    unit = UnitFactory()
    PersonFactory(name="丁", unit=unit)  # works in 昭觉县, never dispatched

    get = client.get
    assert _names(get("/teams/people/", {"on_staff": "false"})) == ["乙"]
    assert _names(get("/teams/people/", {"serving": "true"})) == ["乙", "甲"]
    assert _names(get("/teams/people/", {"serving": "false"})) == ["丁", "丙"]
    assert _names(get("/teams/people/", {"region": township.code})) == ["甲"]
    assert _names(get("/teams/people/", {"unit": unit.pk})) == ["丁"]
    current = get("/teams/people/", {"q": "甲"}).context["rows"][0][2]
    assert [m.person_id for m, _url in current] == [here.pk]


def test_the_people_list_sorts_by_a_whitelisted_column(client, clerk):
    MembershipFactory(person__name="甲", person__birth_date=D(1980, 1, 1))
    MembershipFactory(person__name="乙", person__birth_date=D(1970, 1, 1))
    MembershipFactory(person__name="丙", person__birth_date=D(1990, 1, 1))

    by_name = _names(client.get("/teams/people/", {"sort": "name"}))
    assert _names(client.get("/teams/people/", {"sort": "-name"})) == by_name[::-1]
    # Not by birth date: it is digits 7-14 of the masked 身份证号码.
    assert client.get("/teams/people/", {"sort": "birth"}).status_code == 400
    assert client.get("/teams/people/", {"sort": "id_number"}).status_code == 400


def test_the_people_list_reads_in_a_fixed_number_of_queries(
    client, clerk, django_assert_num_queries
):
    def add(n):
        for _ in range(n):
            MembershipFactory()

    add(3)
    with django_assert_num_queries(13):
        client.get("/teams/people/")
    add(3)
    with django_assert_num_queries(13):
        response = client.get("/teams/people/")
    assert len(response.context["rows"]) == 6
    assert all(current for _p, _id, current in response.context["rows"])


def test_the_people_export_is_the_roster_of_the_filtered_people_and_imports_back(
    client, clerk, tmp_path
):
    team = TeamFactory()
    MembershipFactory(
        team=team, role="first_secretary", is_leader=True, **consistent(name="甲")
    )
    MembershipFactory(
        team=team, **consistent(gender="F", name="乙", phone="13800001111")
    )
    MembershipFactory(team=TeamFactory(), **consistent(name="丙", on_staff=False))

    response = client.get("/teams/people/", {"on_staff": "true", "format": "xlsx"})

    flat = _flat(response)
    assert "甲" in flat and "乙" in flat and "丙" not in flat
    assert "驻村职务" in flat  # the roster's layout
    path = tmp_path / "roster.xlsx"
    path.write_bytes(response.content)
    code, output = run("import_xlsx", "roster", path)
    assert code == 0, output
    assert "created=0 updated=0 unchanged=2 rejected=0" in output


def test_the_people_export_of_another_county_holds_none_of_this_one(
    client, clerk, leshan_clerk
):
    MembershipFactory(person__name="昭觉的干部", person__id_number=make_id_number())
    client.force_login(leshan_clerk)

    assert "昭觉的干部" not in _flat(client.get("/teams/people/", {"format": "xlsx"}))


def test_the_navigation_links_to_units_and_people(client, clerk):
    body = client.get("/teams/people/").content.decode()
    assert 'href="/teams/units/"' in body
    assert 'href="/teams/people/" aria-current="page"' in body
