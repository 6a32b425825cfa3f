"""``?region=CODE`` on the yearly-cycle lists that used to know only ``?county=``.

Every list of the API is filterable by region code, descendants included
(contracts.md); these four ignored it in silence (issue 14, point 7).
"""

# ruff: noqa: F811  (the fixtures imported from yearly_factories are redefined as arguments)

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from assessments.models import Assessment
from tests.assessments.factories import (
    DUJIANGYAN,
    PENGZHOU,
    AssessmentFactory,
    FundFactory,
    TrainingEventFactory,
    TrainingRecordFactory,
    staffed_team,
)
from tests.assessments.yearly_factories import OTHER, today  # noqa: F401

D = datetime.date
CHENGDU = "510100"  # 彭州市 and 都江堰市 are in 成都市; 昭觉县 (OTHER) is not


@pytest.fixture
def province(province_user, today) -> APIClient:
    client = APIClient()
    client.force_authenticate(province_user)
    return client


def _world():
    """A team with a member barred, trained and funded in each of three counties."""
    teams = {}
    for code in (PENGZHOU, DUJIANGYAN, OTHER):
        team, members = staffed_team(code)
        AssessmentFactory(membership=members[1], grade=Assessment.Grade.INCOMPETENT)
        event = TrainingEventFactory(start_date=D(2019, 3, 1), days=Decimal("2"))
        TrainingRecordFactory(person=members[1].person, event=event)
        FundFactory(team=team, amount=Decimal("1000"), received_on=D(2019, 3, 1))
        teams[code] = (team, members)
    return teams


def _ids(response, key) -> set:
    assert response.status_code == 200, response.content[:300]
    rows = response.json()["results"]
    return {row["person"]["id"] if key == "person" else row[key] for row in rows}


def _key(url: str) -> str:
    return {"barred": "object_id", "days": "person"}.get(url.split("/")[-2], "id")


ENDPOINTS = {
    "/api/v1/assessments/barred/": lambda team, members: members[1].unit_id,
    "/api/v1/funds/teams/": lambda team, members: team.pk,
    "/api/v1/target-letters/missing/": lambda team, members: team.pk,
    "/api/v1/training-records/days/": lambda team, members: members[1].person_id,
}


@pytest.mark.parametrize("url", ENDPOINTS)
def test_region_narrows_to_the_prefecture_county_and_township(province, url):
    teams = _world()
    key = _key(url)
    ident = {code: ENDPOINTS[url](*teams[code]) for code in teams}
    township = teams[PENGZHOU][0].village.township.code

    everywhere = _ids(province.get(url, {"year": 2019}), key)
    chengdu = _ids(province.get(url, {"year": 2019, "region": CHENGDU}), key)
    pengzhou = _ids(province.get(url, {"year": 2019, "region": PENGZHOU}), key)
    in_township = _ids(province.get(url, {"year": 2019, "region": township}), key)

    assert set(ident.values()) <= everywhere
    assert ident[PENGZHOU] in chengdu and ident[DUJIANGYAN] in chengdu
    assert ident[OTHER] not in chengdu
    assert ident[PENGZHOU] in pengzhou and ident[DUJIANGYAN] not in pengzhou
    assert ident[PENGZHOU] in in_township and ident[DUJIANGYAN] not in in_township


@pytest.mark.parametrize("url", ENDPOINTS)
def test_an_unknown_region_is_not_found_in_chinese(province, url):
    response = province.get(url, {"year": 2019, "region": "999999"})

    assert response.status_code == 404
    assert response.json()["message"] == "记录不存在或不在您的管辖范围内。"


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_region_outside_the_scope_is_not_found_like_an_unknown_one(
    scoped_user, today, url
):
    """Out of scope answers as a code that does not exist: nothing tells them apart."""
    _world()
    client = APIClient()
    client.force_authenticate(scoped_user("county", PENGZHOU))

    outside = client.get(url, {"year": 2019, "region": OTHER})
    unknown = client.get(url, {"year": 2019, "region": "999999"})

    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()
