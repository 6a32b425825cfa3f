"""The read-only API of regions and villages: /api/v1/regions/, /api/v1/villages/."""

import pytest
from django.db.models import Q
from rest_framework.test import APIClient

from tests.factories import TownshipFactory, VillageFactory, county
from villages.models import Region
from zhucun.api_tokens import api_token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(province_user):
    return province_user


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def codes(response) -> set[str]:
    return {row["code"] for row in response.json()["results"]}


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


# --- regions ----------------------------------------------------------------


def test_regions_list_is_paginated_with_ids(api):
    response = api.get("/api/v1/regions/", {"page_size": 500})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Region.objects.count() == 205
    assert body["count_capped"] is False
    first = body["results"][0]
    assert first["code"] == "510000"
    assert first["level"] == "province"
    assert first["level_display"] == "省"
    assert first["parent"] is None
    assert all(isinstance(row["id"], int) for row in body["results"])


def test_region_detail_names_its_parent(api):
    zhaojue = county("513431")

    response = api.get(f"/api/v1/regions/{zhaojue.pk}/")

    assert response.status_code == 200
    row = response.json()
    assert row["id"] == zhaojue.pk
    assert row["name"] == "昭觉县"
    assert row["full_name"] == "凉山彝族自治州昭觉县"
    assert (row["parent_code"], row["parent_name"]) == ("513400", "凉山彝族自治州")
    assert row["path"] == "510000/513400/513431/"
    assert row["deep_poverty"] is True


def test_regions_filter_by_level(api):
    response = api.get("/api/v1/regions/", {"level": "prefecture"})

    assert response.status_code == 200
    assert response.json()["count"] == 21
    assert {row["level"] for row in response.json()["results"]} == {"prefecture"}


def test_regions_filter_by_prefecture_includes_itself_and_its_counties(api):
    expected = set(
        Region.objects.filter(Q(code="511000") | Q(parent__code="511000")).values_list(
            "code", flat=True
        )
    )

    response = api.get("/api/v1/regions/", {"region": "511000"})

    assert response.status_code == 200
    assert codes(response) == expected
    assert "511002" in expected and "511102" not in expected


def test_regions_filter_by_county_includes_its_townships(api):
    township = TownshipFactory(parent=county("513431"))
    TownshipFactory(parent=county("513432"))

    response = api.get("/api/v1/regions/", {"region": "513431"})

    assert codes(response) == {"513431", township.code}


def test_the_two_shizhong_districts_have_distinct_full_names(api):
    response = api.get("/api/v1/regions/", {"region": "511002"})
    other = api.get("/api/v1/regions/", {"region": "511102"})

    [neijiang] = response.json()["results"]
    [leshan] = other.json()["results"]
    assert neijiang["name"] == leshan["name"] == "市中区"
    assert neijiang["full_name"] == "内江市市中区"
    assert leshan["full_name"] == "乐山市市中区"


def test_unknown_region_code_is_not_found_with_a_chinese_message(api):
    """As a code outside the scope: the two cannot be told apart."""
    response = api.get("/api/v1/regions/", {"region": "519999"})

    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert body["message"] == "记录不存在或不在您的管辖范围内。"


def test_regions_list_query_count(api, django_assert_num_queries):
    """Count + page; the parents for full_name come in the same query."""
    with django_assert_num_queries(3):
        response = api.get("/api/v1/regions/", {"page_size": 500})

    assert len(response.json()["results"]) == 205


def test_regions_filtered_list_query_count(api, django_assert_num_queries):
    """The region code is looked up once; then count + page."""
    with django_assert_num_queries(4):
        response = api.get("/api/v1/regions/", {"region": "513400"})

    assert response.json()["count"] == 18


# --- villages ---------------------------------------------------------------


def test_villages_list_shows_names_and_codes_of_its_regions(api):
    village = VillageFactory(
        township=TownshipFactory(parent=county("511002"), name="白马镇"),
        name="团结村",
        is_extremely_poor=True,
    )

    response = api.get("/api/v1/villages/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row["id"] == village.pk
    assert row["name"] == "团结村"
    assert row["township"] == {
        "id": village.township_id,
        "code": village.township.code,
        "name": "白马镇",
    }
    assert row["county"]["code"] == "511002"
    assert row["county"]["name"] == "市中区"
    assert row["prefecture"]["code"] == "511000"
    assert row["prefecture"]["name"] == "内江市"
    assert row["is_registered_poor"] is True
    assert row["is_extremely_poor"] is True


def test_village_detail(api):
    village = VillageFactory(name="新民村", planned_exit_year=2019)

    response = api.get(f"/api/v1/villages/{village.pk}/")

    assert response.status_code == 200
    assert response.json()["id"] == village.pk
    assert response.json()["name"] == "新民村"
    assert response.json()["planned_exit_year"] == 2019


def test_village_detail_of_a_missing_id_is_404(api):
    response = api.get("/api/v1/villages/999999/")

    assert response.status_code == 404


def test_villages_filter_by_prefecture_county_and_township(api):
    zhaojue_a = TownshipFactory(parent=county("513431"))
    zhaojue_b = TownshipFactory(parent=county("513431"))
    butuo = TownshipFactory(parent=county("513429"))
    neijiang = TownshipFactory(parent=county("511002"))
    a = VillageFactory(township=zhaojue_a, name="甲村")
    b = VillageFactory(township=zhaojue_b, name="乙村")
    c = VillageFactory(township=butuo, name="丙村")
    VillageFactory(township=neijiang, name="丁村")

    by_prefecture = api.get("/api/v1/villages/", {"region": "513400"})
    by_county = api.get("/api/v1/villages/", {"region": "513431"})
    by_township = api.get("/api/v1/villages/", {"region": zhaojue_a.code})

    assert names(by_prefecture) == {a.name, b.name, c.name}
    assert names(by_county) == {a.name, b.name}
    assert names(by_township) == {a.name}


def test_villages_of_the_two_shizhong_districts_are_told_apart(api):
    neijiang = VillageFactory(
        township=TownshipFactory(parent=county("511002")), name="内江村"
    )
    leshan = VillageFactory(
        township=TownshipFactory(parent=county("511102")), name="乐山村"
    )

    in_neijiang = api.get("/api/v1/villages/", {"region": "511002"})
    in_leshan = api.get("/api/v1/villages/", {"region": "511102"})

    assert [r["id"] for r in in_neijiang.json()["results"]] == [neijiang.pk]
    assert [r["id"] for r in in_leshan.json()["results"]] == [leshan.pk]
    assert in_neijiang.json()["results"][0]["prefecture"]["name"] == "内江市"
    assert in_leshan.json()["results"][0]["prefecture"]["name"] == "乐山市"


def test_villages_filter_by_poverty_flags(api):
    VillageFactory(name="贫困村", is_registered_poor=True, is_extremely_poor=True)
    VillageFactory(name="一般贫困村", is_registered_poor=True)
    VillageFactory(name="非贫困村", is_registered_poor=False)

    poor = api.get("/api/v1/villages/", {"is_registered_poor": "true"})
    not_poor = api.get("/api/v1/villages/", {"is_registered_poor": "false"})
    extreme = api.get("/api/v1/villages/", {"is_extremely_poor": "true"})

    assert names(poor) == {"贫困村", "一般贫困村"}
    assert names(not_poor) == {"非贫困村"}
    assert names(extreme) == {"贫困村"}


def test_villages_unknown_region_is_404(api):
    response = api.get("/api/v1/villages/", {"region": "000000"})

    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "fields"}


@pytest.mark.parametrize("rows", [3, 10])
def test_villages_list_query_count_does_not_grow_with_rows(
    api, django_assert_num_queries, rows
):
    VillageFactory.create_batch(rows)

    with django_assert_num_queries(3):
        response = api.get("/api/v1/villages/")

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [3, 10])
def test_villages_filtered_list_query_count_does_not_grow_with_rows(
    api, django_assert_num_queries, rows
):
    VillageFactory.create_batch(rows)

    with django_assert_num_queries(4):
        response = api.get("/api/v1/villages/", {"region": "513431"})

    assert response.json()["count"] == rows


# --- authentication ---------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/regions/", "/api/v1/villages/"])
def test_anonymous_requests_are_refused(url):
    VillageFactory()

    response = APIClient().get(url)

    assert response.status_code in (401, 403)
    assert "results" not in response.json()


@pytest.mark.parametrize("url", ["/api/v1/regions/", "/api/v1/villages/"])
def test_token_authentication_lists(user, url):
    VillageFactory()
    _token, key = api_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(url)

    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_a_wrong_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    response = client.get("/api/v1/villages/")

    assert response.status_code in (401, 403)
