"""StandardPagination: rows under ``results`` and a count that stops at a cap."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import VillageFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/villages/"


@pytest.fixture
def api(province_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(province_user)
    return client


def test_below_the_cap_the_count_is_exact(api, settings):
    settings.ZHUCUN_API_COUNT_CAP = 10
    VillageFactory.create_batch(10)

    first = api.get(URL, {"page_size": 4})
    last = api.get(URL, {"page_size": 4, "page": 3})

    assert first.json()["count"] == 10
    assert first.json()["count_capped"] is False
    assert len(first.json()["results"]) == 4
    assert "page=2" in first.json()["next"]
    assert first.json()["previous"] is None
    assert len(last.json()["results"]) == 2
    assert last.json()["next"] is None


def test_above_the_cap_the_count_is_capped_and_every_page_is_reachable(api, settings):
    settings.ZHUCUN_API_COUNT_CAP = 3
    villages = VillageFactory.create_batch(10)

    pages = [api.get(URL, {"page_size": 4, "page": n}).json() for n in (1, 2, 3)]
    past_the_end = api.get(URL, {"page_size": 4, "page": 4})

    assert [page["count"] for page in pages] == [3, 3, 3]
    assert all(page["count_capped"] for page in pages)
    assert [len(page["results"]) for page in pages] == [4, 4, 2]
    assert "page=2" in pages[0]["next"]
    assert "page=3" in pages[1]["next"]
    assert pages[2]["next"] is None
    seen = [row["id"] for page in pages for row in page["results"]]
    assert sorted(seen) == sorted(v.pk for v in villages)
    assert past_the_end.status_code == 404


def test_the_count_reads_at_most_cap_plus_one_rows(api, settings):
    settings.ZHUCUN_API_COUNT_CAP = 3
    VillageFactory.create_batch(10)

    with CaptureQueriesContext(connection) as queries:
        response = api.get(URL)

    assert response.json()["count_capped"] is True
    [count_sql] = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert "LIMIT 4" in count_sql
    assert "ORDER BY" not in count_sql.upper()
    assert len(queries) == 3  # scope, count, page


def test_page_last_is_not_offered(api):
    VillageFactory.create_batch(3)

    response = api.get(URL, {"page": "last"})

    assert response.status_code == 404


def test_page_size_is_chosen_by_the_client(api):
    VillageFactory.create_batch(3)

    response = api.get(URL, {"page_size": 1})

    assert response.json()["count"] == 3
    assert len(response.json()["results"]) == 1


def test_the_browsable_api_pages_past_the_cap(api, settings):
    settings.ZHUCUN_API_COUNT_CAP = 3
    VillageFactory.create_batch(10)

    response = api.get(URL, {"page_size": 2, "page": 4}, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert "page=5" in response.content.decode()
