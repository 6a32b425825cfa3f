"""Households through the API, and the writes of villages and households.

Writes go through villages.services (audited); a row of another county is 404, a
row of another county named in the body is a field error, a role without the
model permission gets 403; every error is ``{"code", "message", "fields"}``.
"""

import pytest
from rest_framework.test import APIClient

from tests.factories import HouseholdFactory, TownshipFactory, VillageFactory, county
from villages.models import Household, Village
from zhucun.models import AuditEntry

pytestmark = pytest.mark.django_db

ZHAOJUE = "513431"
NEIJIANG_SHIZHONG = "511002"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _village(code: str = ZHAOJUE, **kwargs) -> Village:
    return VillageFactory(township=TownshipFactory(parent=county(code)), **kwargs)


@pytest.fixture
def clerk(scoped_user):
    """昭觉县委组织部."""
    return scoped_user("county", ZHAOJUE)


@pytest.fixture
def api(clerk) -> APIClient:
    return _client(clerk)


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


# --- households: reads ---------------------------------------------------------------


def test_households_list_and_detail_name_the_village_and_the_priority(api):
    village = _village(name="团结村")
    household = HouseholdFactory(
        village=village, head_name="阿苦", member_count=5, is_hardship_family=True
    )

    listed = api.get("/api/v1/households/")
    detail = api.get(f"/api/v1/households/{household.pk}/")

    assert listed.status_code == detail.status_code == 200
    [row] = listed.json()["results"]
    assert row == detail.json()
    assert row["village"] == village.pk
    assert row["village_name"] == "团结村"
    assert row["county"]["code"] == ZHAOJUE
    assert row["township"]["code"] == village.township.code
    assert (row["head_name"], row["member_count"]) == ("阿苦", 5)
    assert row["is_hardship_family"] is True
    assert row["is_priority"] is True


def test_households_filter_by_region_with_descendants_and_by_flags(province_user):
    api = _client(province_user)
    zhaojue = HouseholdFactory(village=_village(ZHAOJUE), is_party_member_family=True)
    butuo = HouseholdFactory(village=_village("513429"))
    neijiang = HouseholdFactory(
        village=_village(NEIJIANG_SHIZHONG), has_critical_patient=True
    )

    assert _ids(api.get("/api/v1/households/", {"region": "513400"})) == sorted(
        [zhaojue.pk, butuo.pk]
    )
    assert _ids(api.get("/api/v1/households/", {"region": ZHAOJUE})) == [zhaojue.pk]
    township = zhaojue.village.township.code
    assert _ids(api.get("/api/v1/households/", {"region": township})) == [zhaojue.pk]
    assert _ids(api.get("/api/v1/households/", {"region": "511102"})) == []
    assert _ids(api.get("/api/v1/households/", {"is_priority": "true"})) == sorted(
        [zhaojue.pk, neijiang.pk]
    )
    assert _ids(api.get("/api/v1/households/", {"is_priority": "false"})) == [butuo.pk]
    assert _ids(api.get("/api/v1/households/", {"village": zhaojue.village_id})) == [
        zhaojue.pk
    ]
    assert _ids(api.get("/api/v1/households/", {"has_critical_patient": "true"})) == [
        neijiang.pk
    ]


def test_households_bad_filter_is_refused_in_chinese(api):
    response = api.get("/api/v1/households/", {"village": "abc"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"
    assert "village" in response.json()["fields"]


def test_households_of_another_county_are_not_listed_and_not_found(api):
    mine = HouseholdFactory(village=_village(ZHAOJUE))
    theirs = HouseholdFactory(village=_village(NEIJIANG_SHIZHONG))

    assert _ids(api.get("/api/v1/households/")) == [mine.pk]
    assert api.get(f"/api/v1/households/{theirs.pk}/").status_code == 404
    patched = api.patch(
        f"/api/v1/households/{theirs.pk}/", {"member_count": 9}, format="json"
    )
    assert patched.status_code == 404
    assert set(patched.json()) == {"code", "message", "fields"}
    theirs.refresh_from_db()
    assert theirs.member_count == 1


@pytest.mark.parametrize("rows", [3, 9])
def test_households_list_reads_a_fixed_number_of_queries(
    api, django_assert_num_queries, rows
):
    for _ in range(rows):
        HouseholdFactory(village=_village(ZHAOJUE))

    # scope, bounded count, page
    with django_assert_num_queries(3):
        response = api.get("/api/v1/households/")

    assert len(response.json()["results"]) == rows


def test_household_detail_reads_a_fixed_number_of_queries(
    api, django_assert_num_queries
):
    village = _village(ZHAOJUE)
    households = HouseholdFactory.create_batch(4, village=village)

    # scope, the row with its village, township and county
    with django_assert_num_queries(2):
        response = api.get(f"/api/v1/households/{households[2].pk}/")

    assert response.json()["id"] == households[2].pk


# --- households: writes ---------------------------------------------------------------


def test_county_registers_a_household_audited(api, clerk):
    village = _village(ZHAOJUE)

    response = api.post(
        "/api/v1/households/",
        {
            "village": village.pk,
            "head_name": " 吉克 ",
            "member_count": 4,
            "is_empty_nest_or_left_behind": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    household = Household.objects.get()
    assert response.json()["id"] == household.pk
    assert response.json()["is_priority"] is True
    assert household.head_name == "吉克"
    entry = AuditEntry.objects.get(model="villages.household")
    assert (entry.action, entry.object_id) == ("create", str(household.pk))
    assert (entry.actor, entry.source, entry.county_code) == (clerk, "api", ZHAOJUE)
    assert entry.changes["member_count"] == [None, 4]


def test_county_cannot_register_a_household_in_another_county(api):
    elsewhere = _village(NEIJIANG_SHIZHONG)

    response = api.post(
        "/api/v1/households/",
        {"village": elsewhere.pk, "head_name": "张三"},
        format="json",
    )

    assert "不在您的管辖范围内" in _refused(response, "village")
    assert not Household.objects.exists()
    assert not AuditEntry.objects.filter(model="villages.household").exists()


def test_household_validation_errors_name_the_field_in_chinese(api):
    village = _village(ZHAOJUE)

    no_head = api.post("/api/v1/households/", {"village": village.pk}, format="json")
    nobody = api.post(
        "/api/v1/households/",
        {"village": village.pk, "head_name": "张三", "member_count": 0},
        format="json",
    )

    _refused(no_head, "head_name")
    assert "1" in _refused(nobody, "member_count")
    assert not Household.objects.exists()


def test_county_updates_a_household_and_the_change_is_audited(api):
    household = HouseholdFactory(village=_village(ZHAOJUE), member_count=3)

    response = api.patch(
        f"/api/v1/households/{household.pk}/",
        {"member_count": 2, "has_critical_patient": True},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["member_count"] == 2
    assert response.json()["is_priority"] is True
    household.refresh_from_db()
    assert household.head_name != ""  # untouched fields stay
    entry = AuditEntry.objects.get(model="villages.household", action="update")
    assert entry.changes == {
        "member_count": [3, 2],
        "has_critical_patient": [False, True],
    }


def test_a_household_cannot_move_to_another_village(api):
    household = HouseholdFactory(village=_village(ZHAOJUE))
    other = _village(ZHAOJUE)

    response = api.patch(
        f"/api/v1/households/{household.pk}/", {"village": other.pk}, format="json"
    )

    _refused(response, "village")


def test_township_staff_cannot_write_households(scoped_user):
    household = HouseholdFactory(village=_village(ZHAOJUE))
    api = _client(scoped_user("township", household.village.township.code))

    created = api.post(
        "/api/v1/households/",
        {"village": household.village_id, "head_name": "张三"},
        format="json",
    )
    patched = api.patch(
        f"/api/v1/households/{household.pk}/", {"member_count": 7}, format="json"
    )

    assert created.status_code == patched.status_code == 403
    assert "权限" in created.json()["message"]
    assert Household.objects.count() == 1


# --- villages: writes -----------------------------------------------------------------


def test_county_creates_a_village_in_its_township_audited(api, clerk):
    township = TownshipFactory(parent=county(ZHAOJUE))

    response = api.post(
        "/api/v1/villages/",
        {
            "township": township.code,
            "name": "新村",
            "code": "",
            "is_extremely_poor": True,
            "planned_exit_year": 2020,
            "household_count": 210,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    village = Village.objects.get(name="新村")
    row = response.json()
    assert row["id"] == village.pk
    assert row["township"]["code"] == township.code
    assert row["county"]["code"] == ZHAOJUE
    assert row["is_registered_poor"] is True
    assert (row["code"], row["planned_exit_year"]) == (None, 2020)
    entry = AuditEntry.objects.get(model="villages.village", action="create")
    assert (entry.object_id, entry.actor, entry.county_code) == (
        str(village.pk),
        clerk,
        ZHAOJUE,
    )


def test_county_cannot_create_a_village_in_another_county(api):
    township = TownshipFactory(parent=county(NEIJIANG_SHIZHONG))

    response = api.post(
        "/api/v1/villages/",
        {"township": township.code, "name": "越界村"},
        format="json",
    )

    assert "不在您的管辖范围内" in _refused(response, "township")
    assert not Village.objects.filter(name="越界村").exists()


def test_a_village_must_belong_to_a_township(api):
    response = api.post(
        "/api/v1/villages/", {"township": ZHAOJUE, "name": "县直村"}, format="json"
    )

    assert "不是乡（镇）" in _refused(response, "township")


def test_village_validation_errors_name_the_field_in_chinese(api):
    township = TownshipFactory(parent=county(ZHAOJUE))

    no_name = api.post("/api/v1/villages/", {"township": township.code}, format="json")
    late = api.post(
        "/api/v1/villages/",
        {"township": township.code, "name": "晚村", "planned_exit_year": 2040},
        format="json",
    )

    _refused(no_name, "name")
    assert "2030" in _refused(late, "planned_exit_year")
    assert not Village.objects.exists()


def test_county_updates_a_village_and_moves_it_to_another_township(api):
    village = _village(ZHAOJUE, household_count=100)
    before = village.township_id
    township = TownshipFactory(parent=county(ZHAOJUE))

    response = api.patch(
        f"/api/v1/villages/{village.pk}/",
        {"household_count": 130, "township": township.code},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["household_count"] == 130
    assert response.json()["township"]["code"] == township.code
    village.refresh_from_db()
    assert village.township == township
    entry = AuditEntry.objects.get(model="villages.village", action="update")
    assert entry.changes["household_count"] == [100, 130]
    assert entry.changes["township_id"] == [before, township.pk]


def test_a_village_of_another_county_is_not_found_for_writes(api):
    theirs = _village(NEIJIANG_SHIZHONG, household_count=100)

    response = api.patch(
        f"/api/v1/villages/{theirs.pk}/", {"household_count": 1}, format="json"
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.household_count == 100


def test_a_village_cannot_move_into_another_county(api):
    village = _village(ZHAOJUE)
    elsewhere = TownshipFactory(parent=county(NEIJIANG_SHIZHONG))

    response = api.patch(
        f"/api/v1/villages/{village.pk}/",
        {"township": elsewhere.code},
        format="json",
    )

    _refused(response, "township")
    village.refresh_from_db()
    assert village.county.code == ZHAOJUE


def test_roles_without_the_village_permissions_get_403(scoped_user, province_user):
    village = _village(ZHAOJUE)
    township_user = _client(scoped_user("township", village.township.code))
    province = _client(province_user)

    assert (
        township_user.patch(
            f"/api/v1/villages/{village.pk}/", {"name": "改名"}, format="json"
        ).status_code
        == 403
    )
    refused = province.post(
        "/api/v1/villages/",
        {"township": village.township.code, "name": "省建村"},
        format="json",
    )
    assert refused.status_code == 403
    assert refused.json()["message"] == "您没有新建村的权限。"
