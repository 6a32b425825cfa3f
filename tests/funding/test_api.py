"""The funding API: scoped reads, Decimal amounts, the source rule, writes through services."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from funding.models import Fund, Spending
from tests.assessments.factories import PENGZHOU, FundFactory, staffed_team

D = datetime.date
OTHER = "513431"
KANGDING = "513301"


@pytest.fixture
def api(scoped_user, settings) -> APIClient:
    settings.ZHUCUN_TODAY = D(2019, 12, 31)
    client = APIClient()
    client.force_authenticate(scoped_user("county", PENGZHOU))
    return client


def fresh(client: APIClient) -> APIClient:
    """The same user, re-read: its scope is looked up again, as on a new request."""
    user = client.handler._force_user
    client.force_authenticate(type(user).objects.get(pk=user.pk))
    return client


def _fields(response) -> dict:
    body = response.json()
    return body.get("fields", body)


def test_a_fund_without_a_source_takes_the_policys(scoped_user, settings):
    settings.ZHUCUN_TODAY = D(2019, 12, 31)
    team, _ = staffed_team(KANGDING)
    client = APIClient()
    client.force_authenticate(scoped_user("county", KANGDING))

    suggested = client.get("/api/v1/funds/suggestion/", {"team": team.pk})
    created = client.post(
        "/api/v1/funds/",
        {"team": team.pk, "year": 2019, "amount": "20000.00"},
        format="json",
    )
    mismatched = client.post(
        "/api/v1/funds/",
        {"team": team.pk, "year": 2019, "amount": "1.00", "source": "county"},
        format="json",
    )

    assert suggested.json()["source"] == "provincial"
    assert "艰苦边远三类以上" in suggested.json()["reason"]
    assert created.status_code == 201
    assert created.json()["source"] == "provincial"
    assert created.json()["source_warning"] is None
    assert mismatched.status_code == 201
    assert "应由省级财政保障" in mismatched.json()["source_warning"]


def test_amounts_go_out_as_exact_decimals(api):
    team, _ = staffed_team()
    fund = FundFactory(team=team, amount=Decimal("19999.99"))
    Spending.objects.create(
        fund=fund, spent_on=D(2019, 4, 1), amount=Decimal("0.10"), purpose="办公"
    )

    [row] = api.get("/api/v1/funds/").json()["results"]

    assert (row["amount"], row["spent"], row["balance"]) == (
        "19999.99",
        "0.10",
        "19999.89",
    )


@pytest.mark.parametrize("amount, short", [("19999.99", True), ("20000.00", False)])
def test_teams_short_of_20000_through_the_api(api, amount, short):
    team, _ = staffed_team()
    FundFactory(team=team, amount=Decimal(amount), received_on=D(2019, 3, 1))

    rows = api.get("/api/v1/funds/teams/", {"year": 2019, "short": "true"}).json()[
        "results"
    ]

    assert ([r["id"] for r in rows] == [team.pk]) is short
    if short:
        assert rows[0]["short_by"] == "0.01"


def test_a_team_of_another_county_is_a_field_error(api):
    there, _ = staffed_team(OTHER)
    response = api.post(
        "/api/v1/funds/",
        {"team": there.pk, "year": 2019, "amount": "20000"},
        format="json",
    )
    assert response.status_code == 400
    assert _fields(response)["team"] == ["所选驻村工作队不在您的管辖范围内。"]
    assert not Fund.objects.exists()


def test_another_countys_funds_are_out_of_reach(api):
    fund = FundFactory(team=staffed_team(OTHER)[0])
    spending = Spending.objects.create(
        fund=fund, spent_on=D(2019, 4, 1), amount=Decimal("1"), purpose="办公"
    )
    assert api.get(f"/api/v1/funds/{fund.pk}/").status_code == 404
    assert (
        api.patch(
            f"/api/v1/funds/{fund.pk}/", {"amount": "1"}, format="json"
        ).status_code
        == 404
    )
    assert api.delete(f"/api/v1/spending/{spending.pk}/").status_code == 404
    posted = api.post(
        "/api/v1/spending/",
        {"fund": fund.pk, "spent_on": "2019-05-01", "amount": "1", "purpose": "x"},
        format="json",
    )
    assert posted.status_code == 400 and "fund" in _fields(posted)
    assert api.get("/api/v1/funds/teams/", {"county": OTHER}).status_code == 404
    assert (
        api.get("/api/v1/funds/suggestion/", {"team": fund.team_id}).status_code == 404
    )


def test_spending_over_the_balance_is_refused(api):
    fund = FundFactory(team=staffed_team()[0], amount=Decimal("100"))
    response = api.post(
        "/api/v1/spending/",
        {"fund": fund.pk, "spent_on": "2019-05-01", "amount": "100.01", "purpose": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "超出该笔经费余额" in _fields(response)["amount"][0]
    ok = api.post(
        "/api/v1/spending/",
        {"fund": fund.pk, "spent_on": "2019-05-01", "amount": "100", "purpose": "x"},
        format="json",
    )
    assert ok.status_code == 201
    assert api.delete(f"/api/v1/spending/{ok.json()['id']}/").status_code == 204


def test_a_fund_is_corrected_through_the_api(api):
    fund = FundFactory(team=staffed_team()[0], amount=Decimal("15000"))
    response = api.patch(
        f"/api/v1/funds/{fund.pk}/", {"amount": "20000.00"}, format="json"
    )
    assert response.status_code == 200 and response.json()["amount"] == "20000.00"


@pytest.mark.parametrize(
    "url", ["/api/v1/funds/", "/api/v1/spending/", "/api/v1/funds/teams/"]
)
def test_funding_lists_query_count_does_not_grow(api, django_assert_num_queries, url):
    def add(n):
        for _ in range(n):
            fund = FundFactory(team=staffed_team()[0])
            Spending.objects.create(
                fund=fund, spent_on=D(2019, 4, 1), amount=Decimal("1"), purpose="办公"
            )

    add(2)
    fresh(api)
    with django_assert_num_queries(3):
        api.get(url, {"year": 2019})
    add(4)
    fresh(api)
    with django_assert_num_queries(3):
        response = api.get(url, {"year": 2019})
    assert response.json()["count"] == 6
