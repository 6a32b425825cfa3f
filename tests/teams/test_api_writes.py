"""Pairings through the API, and the writes of units, pairings, people and teams.

Writes go through teams.services (audited); a row of another county is 404, a row
of another county named in the body is a field error, a role without the model
permission gets 403; every error is ``{"code", "message", "fields"}`` in Chinese.
"""

import datetime

import pytest
from rest_framework.test import APIClient

from teams.models import Pairing, Person, Team, Unit
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    TeamFactory,
    TermFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    WorkCommitteeFactory,
    county,
    make_id_number,
)
from zhucun.models import AuditEntry

pytestmark = pytest.mark.django_db

ZHAOJUE = "513431"
BUTUO = "513429"
NEIJIANG_SHIZHONG = "511002"
JINJIANG = "510104"  # 成都市锦江区, an assisting county


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def clerk(scoped_user):
    """昭觉县委组织部."""
    return scoped_user("county", ZHAOJUE)


@pytest.fixture
def api(clerk) -> APIClient:
    return _client(clerk)


def _village(code: str = ZHAOJUE, **kwargs):
    return VillageFactory(township=TownshipFactory(parent=county(code)), **kwargs)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return sorted(row["id"] for row in response.json()["results"])


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _refused(response, field: str, status: int = 400) -> str:
    """The error names ``field`` in Chinese, in the API's one shape; return its text."""
    assert response.status_code == status, response.json()
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert _is_chinese(body["message"])
    [message] = body["fields"][field]
    assert _is_chinese(message), message
    return message


def _audit(model: str, action: str) -> AuditEntry:
    return AuditEntry.objects.get(model=model, action=action)


# --- pairings: reads -------------------------------------------------------------


def _pairing(assisting: str, assisted: str) -> Pairing:
    return Pairing.objects.create(
        assisting_county=county(assisting), assisted_county=county(assisted)
    )


def test_pairings_list_and_detail_name_both_counties(api):
    pairing = _pairing(JINJIANG, ZHAOJUE)

    listed = api.get("/api/v1/pairings/")
    detail = api.get(f"/api/v1/pairings/{pairing.pk}/")

    assert listed.status_code == detail.status_code == 200
    [row] = listed.json()["results"]
    assert row == detail.json()
    assert row["assisting_county"]["code"] == JINJIANG
    assert row["assisting_prefecture"]["code"] == "510100"
    assert row["assisted_county"] == {
        "id": pairing.assisted_county_id,
        "code": ZHAOJUE,
        "name": "昭觉县",
    }
    assert row["assisted_prefecture"]["code"] == "513400"


def test_pairings_filter_by_region_on_either_side(province_user):
    api = _client(province_user)
    to_zhaojue = _pairing(JINJIANG, ZHAOJUE)
    to_butuo = _pairing("510105", BUTUO)
    from_neijiang = _pairing(NEIJIANG_SHIZHONG, "513432")

    assert _ids(api.get("/api/v1/pairings/", {"region": "513400"})) == sorted(
        [to_zhaojue.pk, to_butuo.pk, from_neijiang.pk]
    )
    assert _ids(api.get("/api/v1/pairings/", {"region": "510100"})) == sorted(
        [to_zhaojue.pk, to_butuo.pk]
    )
    assert _ids(api.get("/api/v1/pairings/", {"region": "511000"})) == [
        from_neijiang.pk
    ]
    assert _ids(api.get("/api/v1/pairings/", {"assisted": BUTUO})) == [to_butuo.pk]
    assert _ids(api.get("/api/v1/pairings/", {"assisting": "510100"})) == sorted(
        [to_zhaojue.pk, to_butuo.pk]
    )


def test_pairings_of_other_counties_are_not_listed_and_not_found(api, scoped_user):
    mine = _pairing(JINJIANG, ZHAOJUE)
    theirs = _pairing(JINJIANG, BUTUO)
    township = TownshipFactory(parent=county(ZHAOJUE))

    assert _ids(api.get("/api/v1/pairings/")) == [mine.pk]
    assert api.get(f"/api/v1/pairings/{theirs.pk}/").status_code == 404
    assert (
        api.patch(
            f"/api/v1/pairings/{theirs.pk}/",
            {"assisting_county": "510105"},
            format="json",
        ).status_code
        == 404
    )
    # A township is below the pairing's counties: it sees none.
    township_api = _client(scoped_user("township", township.code))
    assert _ids(township_api.get("/api/v1/pairings/")) == []


@pytest.mark.parametrize("rows", [3, 8])
def test_pairings_list_reads_a_fixed_number_of_queries(
    province_user, django_assert_num_queries, rows
):
    assisting = ["510104", "510105", "510106", "510107", "510108", "510112"]
    for n in range(rows):
        _pairing(assisting[n % 6], [ZHAOJUE, BUTUO][n // 6])
    api = _client(province_user)

    # scope, bounded count, page with both counties and their prefectures
    with django_assert_num_queries(3):
        response = api.get("/api/v1/pairings/")

    assert len(response.json()["results"]) == rows


def test_pairing_detail_reads_a_fixed_number_of_queries(api, django_assert_num_queries):
    pairings = [_pairing(code, ZHAOJUE) for code in ("510104", "510105", "510106")]

    with django_assert_num_queries(2):
        response = api.get(f"/api/v1/pairings/{pairings[1].pk}/")

    assert response.json()["id"] == pairings[1].pk


# --- pairings: writes ------------------------------------------------------------


def test_county_records_a_pairing_of_its_own_county_audited(api, clerk):
    response = api.post(
        "/api/v1/pairings/",
        {"assisting_county": JINJIANG, "assisted_county": ZHAOJUE},
        format="json",
    )

    assert response.status_code == 201, response.json()
    pairing = Pairing.objects.get()
    assert response.json()["id"] == pairing.pk
    entry = _audit("teams.pairing", "create")
    assert (entry.object_id, entry.actor, entry.county_code) == (
        str(pairing.pk),
        clerk,
        ZHAOJUE,
    )


def test_county_cannot_record_a_pairing_of_two_other_counties(api):
    response = api.post(
        "/api/v1/pairings/",
        {"assisting_county": JINJIANG, "assisted_county": BUTUO},
        format="json",
    )

    assert "不在您的管辖范围内" in _refused(response, "assisted_county")
    assert not Pairing.objects.exists()


def test_pairing_refusals_name_the_field_in_chinese(api):
    _pairing(JINJIANG, ZHAOJUE)

    itself = api.post(
        "/api/v1/pairings/",
        {"assisting_county": ZHAOJUE, "assisted_county": ZHAOJUE},
        format="json",
    )
    twice = api.post(
        "/api/v1/pairings/",
        {"assisting_county": JINJIANG, "assisted_county": ZHAOJUE},
        format="json",
    )
    unknown = api.post(
        "/api/v1/pairings/",
        {"assisting_county": "519999", "assisted_county": ZHAOJUE},
        format="json",
    )
    prefecture = api.post(
        "/api/v1/pairings/",
        {"assisting_county": "510100", "assisted_county": ZHAOJUE},
        format="json",
    )

    assert "同一个县" in _refused(itself, "assisted_county")
    assert "已存在" in _refused(twice, "assisted_county")
    assert "519999" in _refused(unknown, "assisting_county")
    assert "不是县" in _refused(prefecture, "assisting_county")
    assert Pairing.objects.count() == 1


def test_county_changes_the_assisting_county_of_its_pairing(api):
    pairing = _pairing(JINJIANG, ZHAOJUE)

    response = api.patch(
        f"/api/v1/pairings/{pairing.pk}/",
        {"assisting_county": "510105"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["assisting_county"]["code"] == "510105"
    entry = _audit("teams.pairing", "update")
    assert entry.changes == {
        "assisting_county_id": [county(JINJIANG).pk, county("510105").pk]
    }


# --- units -------------------------------------------------------------------------


def test_county_registers_a_unit_of_its_county_audited(api, clerk):
    committee = WorkCommitteeFactory(region=county(ZHAOJUE), level="county")

    response = api.post(
        "/api/v1/units/",
        {
            "name": "昭觉县农业农村局",
            "level": "county",
            "unit_type": "party_gov",
            "region": ZHAOJUE,
            "staff_count": 45,
            "work_committee": committee.pk,
            "fixed_point_county": BUTUO,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    unit = Unit.objects.get(name="昭觉县农业农村局")
    row = response.json()
    assert row["id"] == unit.pk
    assert row["region"]["code"] == ZHAOJUE
    assert row["work_committee"] == {"id": committee.pk, "name": committee.name}
    assert row["fixed_point_county"]["code"] == BUTUO
    entry = _audit("teams.unit", "create")
    assert (entry.object_id, entry.actor, entry.county_code) == (
        str(unit.pk),
        clerk,
        ZHAOJUE,
    )
    assert entry.changes["staff_count"] == [None, 45]


def test_county_cannot_register_a_unit_in_another_county(api):
    response = api.post(
        "/api/v1/units/",
        {
            "name": "内江某局",
            "level": "county",
            "unit_type": "party_gov",
            "region": NEIJIANG_SHIZHONG,
        },
        format="json",
    )

    assert "不在您的管辖范围内" in _refused(response, "region")
    assert not Unit.objects.exists()


def test_unit_validation_errors_name_the_field_in_chinese(api):
    UnitFactory(name="昭觉县教育局")
    base = {"level": "county", "unit_type": "party_gov", "region": ZHAOJUE}

    twice = api.post("/api/v1/units/", {**base, "name": "昭觉县教育局"}, format="json")
    bad_level = api.post(
        "/api/v1/units/", {**base, "name": "甲", "level": "village"}, format="json"
    )
    negative = api.post(
        "/api/v1/units/", {**base, "name": "乙", "staff_count": -1}, format="json"
    )
    not_a_county = api.post(
        "/api/v1/units/",
        {**base, "name": "丙", "fixed_point_county": "513400"},
        format="json",
    )

    assert "已存在" in _refused(twice, "name")
    _refused(bad_level, "level")
    _refused(negative, "staff_count")
    assert "不是县" in _refused(not_a_county, "fixed_point_county")
    assert Unit.objects.count() == 1


def test_county_updates_a_unit_of_its_county(api):
    unit = UnitFactory(region=county(ZHAOJUE), staff_count=40)

    response = api.patch(
        f"/api/v1/units/{unit.pk}/",
        {"staff_count": 52, "principal_head": "李四"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["staff_count"] == 52
    entry = _audit("teams.unit", "update")
    assert entry.changes == {"staff_count": [40, 52], "principal_head": ["", "李四"]}


def test_a_unit_of_another_county_is_read_but_not_changed(api):
    """The unit directory is shared for reading; only its own region may change it."""
    theirs = UnitFactory(region=county(NEIJIANG_SHIZHONG), staff_count=40)

    assert api.get(f"/api/v1/units/{theirs.pk}/").status_code == 200
    response = api.patch(
        f"/api/v1/units/{theirs.pk}/", {"staff_count": 1}, format="json"
    )

    assert response.status_code == 403
    assert "不在您的管辖范围内" in response.json()["message"]
    theirs.refresh_from_db()
    assert theirs.staff_count == 40


def test_township_staff_cannot_register_units(scoped_user):
    township = TownshipFactory(parent=county(ZHAOJUE))
    api = _client(scoped_user("township", township.code))

    response = api.post(
        "/api/v1/units/",
        {"name": "乡属单位", "level": "township", "unit_type": "party_gov"},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["message"] == "您没有登记派出单位的权限。"


# --- people ------------------------------------------------------------------------


def test_county_registers_a_person_with_masked_personal_data_audited(api, clerk):
    unit = UnitFactory(region=county(ZHAOJUE))
    number = make_id_number(area=ZHAOJUE, gender="F")

    response = api.post(
        "/api/v1/people/",
        {
            "id_number": number,
            "name": "沙马阿呷",
            "unit": unit.pk,
            "political_status": "cpc",
            "rank": "section",
            "phone": "13812345678",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    person = Person.objects.get(id_number=number)
    row = response.json()
    assert row["id"] == person.pk
    assert row["id_number"] == "*" * 14 + number[-4:]
    assert row["phone"] == "*******5678"
    assert number not in response.content.decode()
    assert "13812345678" not in response.content.decode()
    assert row["gender"] == "F"
    # The birth date is digits 7-14 of the number: it goes out only with the reveal.
    assert "birth_date" not in row and number[6:14] not in response.content.decode()
    assert row["on_staff"] is True
    entry = _audit("teams.person", "create")
    assert (entry.object_id, entry.actor) == (str(person.pk), clerk)
    assert number not in str(entry.changes)
    assert "13812345678" not in str(entry.changes)


def test_id_number_is_checked_by_gb_11643(api):
    number = make_id_number()
    wrong_digit = number[:17] + ("0" if number[17] != "0" else "1")

    bad_digit = api.post(
        "/api/v1/people/", {"id_number": wrong_digit, "name": "甲"}, format="json"
    )
    short = api.post(
        "/api/v1/people/", {"id_number": "5134311990", "name": "乙"}, format="json"
    )
    PersonFactory(id_number=number)
    twice = api.post(
        "/api/v1/people/", {"id_number": number, "name": "丙"}, format="json"
    )

    assert "校验位" in _refused(bad_digit, "id_number")
    assert "18位" in _refused(short, "id_number")
    assert "已存在" in _refused(twice, "id_number")
    assert Person.objects.count() == 1


def test_person_validation_errors_name_the_field_in_chinese(api):
    number = make_id_number()

    no_name = api.post("/api/v1/people/", {"id_number": number}, format="json")
    bad_phone = api.post(
        "/api/v1/people/",
        {"id_number": number, "name": "甲", "phone": "call me"},
        format="json",
    )
    bad_rank = api.post(
        "/api/v1/people/",
        {"id_number": number, "name": "甲", "rank": "general"},
        format="json",
    )
    no_unit = api.post(
        "/api/v1/people/",
        {"id_number": number, "name": "甲", "unit": 999999},
        format="json",
    )

    _refused(no_name, "name")
    assert "联系电话" in _refused(bad_phone, "phone")
    _refused(bad_rank, "rank")
    assert "工作单位" in _refused(no_unit, "unit")
    assert not Person.objects.exists()


def test_county_registers_a_provincial_cadre_but_cannot_appoint_him_by_id_number(api):
    """Out of the county's scope once registered: appointed only on the unit's proposal."""
    provincial = UnitFactory(region=county("510000"), level="provincial_dept")
    number = make_id_number(area="510104")
    team = TeamFactory(village=_village(ZHAOJUE))

    registered = api.post(
        "/api/v1/people/",
        {"id_number": number, "name": "王五", "unit": provincial.pk},
        format="json",
    )
    assert registered.status_code == 201, registered.json()
    person_id = registered.json()["id"]
    assert api.get(f"/api/v1/people/{person_id}/").status_code == 404
    appointed = api.post(
        "/api/v1/memberships/",
        {
            "person_id_number": number,
            "team": team.pk,
            "role": "member",
            "unit": provincial.pk,
            "start_date": "2018-06-01",
        },
        format="json",
    )

    assert "派出单位推荐" in _refused(appointed, "person_id_number")
    assert api.get(f"/api/v1/people/{person_id}/").status_code == 404
    assert api.post(f"/api/v1/people/{person_id}/reveal/").status_code == 404


def test_county_updates_a_person_and_the_trail_masks_the_phone(api):
    person = MembershipFactory(team=TeamFactory(village=_village(ZHAOJUE))).person
    Person.objects.filter(pk=person.pk).update(phone="13900001111")

    response = api.patch(
        f"/api/v1/people/{person.pk}/",
        {"phone": "13812345678", "is_reserve_cadre": True},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == "*******5678"
    assert response.json()["is_reserve_cadre"] is True
    person.refresh_from_db()
    assert person.phone == "13812345678"
    entry = _audit("teams.person", "update")
    assert entry.changes == {
        "phone": ["*******1111", "*******5678"],
        "is_reserve_cadre": [False, True],
    }


def test_the_id_number_of_a_person_cannot_be_changed(api):
    person = MembershipFactory(team=TeamFactory(village=_village(ZHAOJUE))).person

    response = api.patch(
        f"/api/v1/people/{person.pk}/",
        {"id_number": make_id_number()},
        format="json",
    )

    assert "不能修改" in _refused(response, "id_number")


def test_a_person_of_another_county_is_not_found_for_writes(api, scoped_user):
    theirs = MembershipFactory(
        team=TeamFactory(village=_village(NEIJIANG_SHIZHONG)),
        person__unit=UnitFactory(region=county(NEIJIANG_SHIZHONG)),
    ).person
    mine = MembershipFactory(team=TeamFactory(village=_village(ZHAOJUE))).person

    assert api.get(f"/api/v1/people/{theirs.pk}/").status_code == 404
    response = api.patch(f"/api/v1/people/{theirs.pk}/", {"name": "改"}, format="json")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != "改"
    township = _client(
        scoped_user("township", mine.memberships.get().team.village.township.code)
    )
    assert (
        township.patch(
            f"/api/v1/people/{mine.pk}/", {"name": "改"}, format="json"
        ).status_code
        == 403
    )


# --- teams -------------------------------------------------------------------------


def test_county_forms_a_team_for_its_village_audited(api, clerk):
    village = _village(ZHAOJUE, name="团结村")
    term = TermFactory()

    response = api.post(
        "/api/v1/teams/", {"village": village.pk, "term": term.pk}, format="json"
    )

    assert response.status_code == 201, response.json()
    team = Team.objects.get()
    row = response.json()
    assert row["id"] == team.pk
    assert row["display_name"] == "团结村驻村工作队"
    assert (row["start_date"], row["end_date"]) == ("2018-06-01", "2020-05-31")
    assert row["in_post_deadline"] == "2018-06-30"
    entry = _audit("teams.team", "create")
    assert (entry.object_id, entry.actor, entry.county_code) == (
        str(team.pk),
        clerk,
        ZHAOJUE,
    )


def test_county_cannot_form_a_team_in_another_county(api):
    village = _village(NEIJIANG_SHIZHONG)

    response = api.post(
        "/api/v1/teams/",
        {"village": village.pk, "term": TermFactory().pk},
        format="json",
    )

    assert "不在您的管辖范围内" in _refused(response, "village")
    assert not Team.objects.exists()


def test_one_team_per_village_and_term(api):
    team = TeamFactory(village=_village(ZHAOJUE))

    response = api.post(
        "/api/v1/teams/",
        {"village": team.village_id, "term": team.term_id},
        format="json",
    )

    assert "已有驻村工作队" in _refused(response, "village")
    assert Team.objects.count() == 1


def test_team_validation_errors_name_the_field_in_chinese(api):
    village = _village(ZHAOJUE)

    no_term = api.post("/api/v1/teams/", {"village": village.pk}, format="json")
    bad_date = api.post(
        "/api/v1/teams/",
        {"village": village.pk, "term": TermFactory().pk, "start_date": "2018-13-01"},
        format="json",
    )
    unknown_term = api.post(
        "/api/v1/teams/", {"village": village.pk, "term": 999999}, format="json"
    )

    _refused(no_term, "term")
    _refused(bad_date, "start_date")
    assert "期次" in _refused(unknown_term, "term")
    assert not Team.objects.exists()


def test_township_staff_cannot_form_teams(scoped_user):
    village = _village(ZHAOJUE)
    api = _client(scoped_user("township", village.township.code))

    response = api.post(
        "/api/v1/teams/",
        {"village": village.pk, "term": TermFactory().pk},
        format="json",
    )

    assert response.status_code == 403
    assert not Team.objects.exists()


def test_team_dates_default_to_the_term_but_can_be_given(api):
    village = _village(ZHAOJUE)

    response = api.post(
        "/api/v1/teams/",
        {
            "village": village.pk,
            "term": TermFactory().pk,
            "name": "昭觉一队",
            "start_date": "2018-07-01",
            "end_date": None,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "昭觉一队"
    assert response.json()["start_date"] == "2018-07-01"
    assert response.json()["end_date"] == "2020-05-31"
    assert Team.objects.get().start_date == datetime.date(2018, 7, 1)
