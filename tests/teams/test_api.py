"""The read-only API of units, people, teams and memberships under /api/v1/."""

import datetime

import pytest
from rest_framework.test import APIClient

from teams.models import Membership, Unit
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    TeamFactory,
    TermFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    county,
)
from zhucun.api_tokens import api_token_issue

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/units/",
    "/api/v1/people/",
    "/api/v1/teams/",
    "/api/v1/memberships/",
]


@pytest.fixture
def user(province_user):
    return province_user


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def village_in(county_code: str, **kwargs):
    return VillageFactory(
        township=TownshipFactory(parent=county(county_code)), **kwargs
    )


def ids(response) -> list[int]:
    return sorted(row["id"] for row in response.json()["results"])


# --- units ------------------------------------------------------------------


def test_units_list_and_detail(api):
    unit = UnitFactory(
        name="昭觉县农业农村局",
        level=Unit.Level.COUNTY,
        unit_type=Unit.Type.PARTY_GOVERNMENT,
        region=county("513431"),
        staff_count=60,
    )

    listed = api.get("/api/v1/units/")
    detail = api.get(f"/api/v1/units/{unit.pk}/")

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [unit.pk]
    row = detail.json()
    assert detail.status_code == 200
    assert row["name"] == "昭觉县农业农村局"
    assert (row["level"], row["level_display"]) == ("county", "县（市、区）级")
    assert (row["unit_type"], row["unit_type_display"]) == ("party_gov", "党政机关")
    assert row["region"] == {"id": unit.region_id, "code": "513431", "name": "昭觉县"}
    assert row["staff_count"] == 60
    assert row["work_committee"] is None


def test_units_filter_by_region_and_level(api):
    zhaojue = UnitFactory(region=county("513431"))
    butuo = UnitFactory(region=county("513429"))
    neijiang = UnitFactory(region=county("511002"))
    provincial = UnitFactory(region=county("510000"), level=Unit.Level.PROVINCIAL_DEPT)

    in_liangshan = api.get("/api/v1/units/", {"region": "513400"})
    in_zhaojue = api.get("/api/v1/units/", {"region": "513431"})
    in_neijiang_shizhong = api.get("/api/v1/units/", {"region": "511002"})
    in_leshan_shizhong = api.get("/api/v1/units/", {"region": "511102"})
    provincial_level = api.get("/api/v1/units/", {"level": "provincial_dept"})

    assert ids(in_liangshan) == sorted([zhaojue.pk, butuo.pk])
    assert ids(in_zhaojue) == [zhaojue.pk]
    assert ids(in_neijiang_shizhong) == [neijiang.pk]
    assert ids(in_leshan_shizhong) == []
    assert ids(provincial_level) == [provincial.pk]


@pytest.mark.parametrize("rows", [3, 10])
def test_units_list_query_count_does_not_grow_with_rows(
    api, django_assert_num_queries, rows
):
    UnitFactory.create_batch(rows, fixed_point_county=county("513431"))

    with django_assert_num_queries(3):
        response = api.get("/api/v1/units/")

    assert len(response.json()["results"]) == rows


# --- people -----------------------------------------------------------------


def test_people_are_listed_with_id_number_and_phone_masked(api):
    person = PersonFactory(name="张三", phone="13812345678")

    listed = api.get("/api/v1/people/")
    detail = api.get(f"/api/v1/people/{person.pk}/")

    assert listed.status_code == detail.status_code == 200
    [row] = listed.json()["results"]
    assert row == detail.json()
    assert row["id"] == person.pk
    assert row["name"] == "张三"
    number = person.id_number
    assert row["id_number"] == "*" * 14 + number[-4:]
    assert row["phone"] == "*******5678"
    assert number not in listed.content.decode()
    assert "13812345678" not in detail.content.decode()
    assert row["gender_display"] == "男"
    assert row["political_status_display"] == "中共党员"
    assert row["rank_display"] == "科级"
    assert row["unit"] == {"id": person.unit_id, "name": person.unit.name}


def test_people_filter_by_region_through_memberships_or_unit(api):
    provincial = UnitFactory(region=county("510000"), level=Unit.Level.PROVINCIAL_DEPT)
    stationed = PersonFactory(unit=provincial)
    MembershipFactory(person=stationed, team=TeamFactory(village=village_in("513431")))
    local = PersonFactory(unit=UnitFactory(region=county("513431")))
    elsewhere = PersonFactory(unit=UnitFactory(region=county("511002")))
    MembershipFactory(person=elsewhere, team=TeamFactory(village=village_in("511002")))
    twice = PersonFactory(unit=provincial)
    first = MembershipFactory(
        person=twice,
        team=TeamFactory(village=village_in("513431")),
        end_date=datetime.date(2019, 5, 31),
    )
    MembershipFactory(
        person=twice,
        team=TeamFactory(village=village_in("513432")),
        start_date=first.end_date + datetime.timedelta(days=1),
    )

    in_zhaojue = api.get("/api/v1/people/", {"region": "513431"})
    in_liangshan = api.get("/api/v1/people/", {"region": "513400"})
    in_neijiang = api.get("/api/v1/people/", {"region": "511000"})

    assert ids(in_zhaojue) == sorted([stationed.pk, local.pk, twice.pk])
    assert ids(in_liangshan) == sorted([stationed.pk, local.pk, twice.pk])
    assert in_liangshan.json()["count"] == 3
    assert ids(in_neijiang) == [elsewhere.pk]


@pytest.mark.parametrize("rows", [3, 10])
def test_people_list_query_count_does_not_grow_with_rows(
    api, django_assert_num_queries, rows
):
    PersonFactory.create_batch(rows)

    with django_assert_num_queries(3):
        response = api.get("/api/v1/people/")

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [3, 10])
def test_people_region_filter_query_count_does_not_grow_with_rows(
    api, django_assert_num_queries, rows
):
    MembershipFactory.create_batch(rows)

    with django_assert_num_queries(4):
        response = api.get("/api/v1/people/", {"region": "513431"})

    assert response.json()["count"] == rows


# --- teams ------------------------------------------------------------------


def test_teams_list_and_detail_name_the_village_and_its_county(api):
    team = TeamFactory(village=village_in("511002", name="团结村"), name="")

    listed = api.get("/api/v1/teams/")
    detail = api.get(f"/api/v1/teams/{team.pk}/")

    assert listed.status_code == detail.status_code == 200
    [row] = listed.json()["results"]
    assert row == detail.json()
    assert row["id"] == team.pk
    assert row["display_name"] == "团结村驻村工作队"
    assert row["village"] == {
        "id": team.village_id,
        "code": None,
        "name": "团结村",
    }
    assert row["county"]["code"] == "511002"
    assert row["township"]["code"] == team.village.township.code
    assert row["term"] == {"id": team.term_id, "name": "2018—2020年驻村期"}
    assert row["start_date"] == "2018-06-01"


def test_teams_filter_by_prefecture_county_and_township(api):
    zhaojue = TeamFactory(village=village_in("513431"))
    butuo = TeamFactory(village=village_in("513429"))
    neijiang = TeamFactory(village=village_in("511002"))
    leshan = TeamFactory(village=village_in("511102"))

    by_prefecture = api.get("/api/v1/teams/", {"region": "513400"})
    by_county = api.get("/api/v1/teams/", {"region": "513429"})
    by_township = api.get("/api/v1/teams/", {"region": zhaojue.village.township.code})
    neijiang_shizhong = api.get("/api/v1/teams/", {"region": "511002"})
    leshan_shizhong = api.get("/api/v1/teams/", {"region": "511102"})

    assert ids(by_prefecture) == sorted([zhaojue.pk, butuo.pk])
    assert ids(by_county) == [butuo.pk]
    assert ids(by_township) == [zhaojue.pk]
    assert ids(neijiang_shizhong) == [neijiang.pk]
    assert ids(leshan_shizhong) == [leshan.pk]


def test_teams_filter_by_term_and_active_on(api):
    term_2018 = TermFactory()
    term_2020 = TermFactory(
        name="2020—2022年驻村期",
        start_date=datetime.date(2020, 6, 1),
        end_date=datetime.date(2022, 5, 31),
        in_post_deadline=datetime.date(2020, 6, 30),
    )
    village = village_in("513431")
    old = TeamFactory(village=village, term=term_2018)
    new = TeamFactory(village=village, term=term_2020)
    withdrawn = TeamFactory(term=term_2018, end_date=datetime.date(2018, 12, 31))

    by_term = api.get("/api/v1/teams/", {"term": term_2020.pk})
    on_2019 = api.get("/api/v1/teams/", {"active_on": "2019-03-01"})
    on_last_day = api.get("/api/v1/teams/", {"active_on": "2018-12-31"})

    assert ids(by_term) == [new.pk]
    assert ids(on_2019) == [old.pk]
    assert ids(on_last_day) == sorted([old.pk, withdrawn.pk])


def test_teams_bad_active_on_is_400_in_the_error_shape(api):
    response = api.get("/api/v1/teams/", {"active_on": "2019-13-45"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert list(body["fields"]) == ["active_on"]


@pytest.mark.parametrize("rows", [3, 10])
def test_teams_list_query_count_does_not_grow_with_rows(
    api, django_assert_num_queries, rows
):
    TeamFactory.create_batch(rows)

    with django_assert_num_queries(3):
        response = api.get("/api/v1/teams/")

    assert len(response.json()["results"]) == rows


# --- memberships ------------------------------------------------------------


def test_memberships_list_and_detail_show_roles_by_name(api):
    team = TeamFactory(village=village_in("513431", name="解放村"))
    membership = MembershipFactory(
        team=team,
        role=Membership.Role.FIRST_SECRETARY,
        is_leader=True,
        person=PersonFactory(name="李四"),
    )

    listed = api.get("/api/v1/memberships/")
    detail = api.get(f"/api/v1/memberships/{membership.pk}/")

    assert listed.status_code == detail.status_code == 200
    [row] = listed.json()["results"]
    assert row == detail.json()
    assert row["id"] == membership.pk
    assert (row["role"], row["role_display"]) == ("first_secretary", "第一书记")
    assert row["is_leader"] is True
    assert row["person"] == {"id": membership.person_id, "name": "李四"}
    assert row["team"] == {"id": team.pk, "name": "解放村驻村工作队"}
    assert row["village"]["name"] == "解放村"
    assert row["county"]["code"] == "513431"
    assert row["unit"]["id"] == membership.unit_id
    assert row["is_appointed"] is True
    assert row["sector_display"] == "其他"


def test_memberships_filter_by_role_active_on_region_and_team(api):
    team = TeamFactory(village=village_in("513431"))
    secretary = MembershipFactory(team=team, role=Membership.Role.FIRST_SECRETARY)
    member = MembershipFactory(team=team)
    left = MembershipFactory(team=team, end_date=datetime.date(2018, 12, 31))
    neijiang = MembershipFactory(team=TeamFactory(village=village_in("511002")))

    secretaries = api.get("/api/v1/memberships/", {"role": "first_secretary"})
    on_2019 = api.get(
        "/api/v1/memberships/", {"active_on": "2019-01-01", "region": "513400"}
    )
    in_neijiang = api.get("/api/v1/memberships/", {"region": "511000"})
    of_team = api.get("/api/v1/memberships/", {"team": team.pk})

    assert ids(secretaries) == [secretary.pk]
    assert ids(on_2019) == sorted([secretary.pk, member.pk])
    assert ids(in_neijiang) == [neijiang.pk]
    assert ids(of_team) == sorted([secretary.pk, member.pk, left.pk])


def test_memberships_unknown_role_is_400(api):
    response = api.get("/api/v1/memberships/", {"role": "captain"})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["role"]


@pytest.mark.parametrize("rows", [3, 10])
def test_memberships_list_query_count_does_not_grow_with_rows(
    api, django_assert_num_queries, rows
):
    MembershipFactory.create_batch(rows)

    with django_assert_num_queries(3):
        response = api.get("/api/v1/memberships/")

    assert len(response.json()["results"]) == rows


# --- shared behaviour -------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_unknown_region_is_404_with_a_chinese_message(api, url):
    response = api.get(url, {"region": "519999"})

    assert response.status_code == 404
    assert response.json()["message"] == "记录不存在或不在您的管辖范围内。"


@pytest.mark.parametrize("url", LISTS)
def test_anonymous_requests_are_refused(url):
    MembershipFactory()

    response = APIClient().get(url)

    assert response.status_code in (401, 403)
    assert "results" not in response.json()


@pytest.mark.parametrize("url", LISTS)
def test_token_authentication_lists(user, url):
    MembershipFactory()
    _token, key = api_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(url)

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize("url", LISTS)
def test_detail_of_a_missing_or_malformed_id_is_404(api, url):
    assert api.get(f"{url}999999/").status_code == 404
    assert api.get(f"{url}abc/").status_code == 404
