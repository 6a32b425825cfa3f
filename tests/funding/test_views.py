"""The funding pages: funds per team and year, spending, teams below ¥20,000."""

# ruff: noqa: F811  (the fixtures imported from yearly_factories are redefined as arguments)

import datetime
from decimal import Decimal

import pytest

from funding.models import Fund, Spending
from tests.assessments.factories import PENGZHOU, FundFactory, staffed_team
from tests.assessments.yearly_factories import (  # noqa: F401 (fixtures)
    OTHER,
    clerk,
    today,
    workbook_cells,
    workbook_rows,
)
from zhucun.models import AuditEntry

D = datetime.date
KANGDING = "513301"  # hardship class 3 Tibetan poor county: provincial budget


def _fund(code=PENGZHOU, amount="20000", **fields):
    team, _ = staffed_team(code)
    return FundFactory(team=team, amount=Decimal(amount), **fields)


def test_the_short_page_lists_teams_below_20000_received(client, clerk):
    short = _fund(amount="19999.99")
    enough = _fund(amount="20000")
    _fund(OTHER, amount="100")

    response = client.get("/funding/short/", {"year": 2019})

    rows = response.context["rows"]
    assert [team.pk for team, _gap, _source in rows] == [short.team_id]
    assert rows[0][1] == Decimal("0.01")
    assert isinstance(rows[0][0].received, Decimal)
    everyone = client.get("/funding/teams/", {"year": 2019}).context["rows"]
    assert {t.pk for t, _g, _s in everyone} == {short.team_id, enough.team_id}
    body = response.content.decode()
    assert "19,999.99" in body and "不足20,000元" in body


def test_the_short_export_keeps_the_fen(client, clerk):
    _fund(amount="19999.99")

    rows = workbook_rows(
        client.get("/funding/short/", {"year": 2019, "format": "xlsx"})
    )

    assert rows[1] == (
        "驻村工作队",
        "已安排（元）",
        "已到位（元）",
        "差额（元）",
        "规定来源",
    )
    assert rows[2][1:] == (19999.99, 19999.99, 0.01, "县级财政")


@pytest.mark.parametrize(
    "url, queries",
    [
        ("/funding/", 12),
        ("/funding/teams/", 12),
        ("/funding/short/", 12),
        ("/funding/spending/", 12),
    ],
)
def test_funding_lists_query_count_does_not_grow(
    client, clerk, django_assert_num_queries, url, queries
):
    def add(n):
        for _ in range(n):
            fund = _fund(amount="15000")
            Spending.objects.create(
                fund=fund, spent_on=D(2019, 4, 1), amount=Decimal("10"), purpose="办公"
            )

    add(2)
    with django_assert_num_queries(queries):
        client.get(url, {"year": 2019})
    add(4)
    with django_assert_num_queries(queries):
        response = client.get(url, {"year": 2019})
    assert len(response.context["page"]) == 6


@pytest.mark.parametrize(
    "url", ["/funding/", "/funding/teams/", "/funding/short/", "/funding/spending/"]
)
def test_another_countys_funding_lists_are_404_and_show_none_of_it(client, clerk, url):
    fund = _fund(OTHER, amount="100")
    Spending.objects.create(
        fund=fund, spent_on=D(2019, 4, 1), amount=Decimal("10"), purpose="办公"
    )
    assert client.get(url, {"county": OTHER}).status_code == 404
    assert list(client.get(url, {"year": 2019}).context["page"]) == []


def test_another_countys_fund_is_404(client, clerk):
    fund = _fund(OTHER)
    spending = Spending.objects.create(
        fund=fund, spent_on=D(2019, 4, 1), amount=Decimal("10"), purpose="办公"
    )
    assert client.get(f"/funding/{fund.pk}/").status_code == 404
    assert client.get(f"/funding/{fund.pk}/edit/").status_code == 404
    assert (
        client.post(
            f"/funding/{fund.pk}/",
            {"spent_on": "2019-05-01", "amount": "1", "purpose": "x"},
        ).status_code
        == 404
    )
    deleted = client.post(f"/funding/{fund.pk}/spending/{spending.pk}/delete/")
    assert deleted.status_code == 404
    assert Spending.objects.count() == 1


def test_the_entry_page_suggests_the_source_of_the_chosen_team(
    client, scoped_user, today
):
    team, _ = staffed_team(KANGDING)
    client.force_login(scoped_user("county", KANGDING))

    response = client.get("/funding/new/", {"year": 2019, "team": team.pk})

    form = response.context["form"]
    assert form.initial == {"team": team.pk, "source": Fund.Source.PROVINCIAL}
    body = response.content.decode()
    assert "建议：省级财政" in body
    assert response.context["suggestions"] == {str(team.pk): "provincial"}


def test_a_mismatched_source_needs_confirming_then_is_saved_with_a_warning(
    client, scoped_user, today
):
    team, _ = staffed_team(KANGDING)
    client.force_login(scoped_user("county", KANGDING))
    data = {
        "team": team.pk,
        "amount": "20000.00",
        "source": "county",
        "received_on": "2019-03-01",
    }

    refused = client.post("/funding/new/?year=2019", data)
    confirmed = client.post(
        "/funding/new/?year=2019", {**data, "confirm_source": "on"}, follow=True
    )

    assert "应由省级财政保障" in refused.context["form"].errors["source"][0]
    fund = Fund.objects.get()
    assert (fund.amount, fund.source) == (Decimal("20000.00"), "county")
    assert "应由省级财政保障" in confirmed.content.decode()


def test_a_team_of_another_county_cannot_be_funded(client, clerk):
    there, _ = staffed_team(OTHER)

    response = client.post(
        "/funding/new/?year=2019",
        {"team": there.pk, "amount": "20000", "source": "county"},
    )

    assert "team" in response.context["form"].errors
    assert not Fund.objects.exists()


def test_spending_is_added_on_the_fund_page_within_the_balance(client, clerk):
    fund = _fund(amount="1000")

    over = client.post(
        f"/funding/{fund.pk}/",
        {"spent_on": "2019-05-01", "amount": "1000.01", "purpose": "办公用品"},
    )
    saved = client.post(
        f"/funding/{fund.pk}/",
        {"spent_on": "2019-05-01", "amount": "999.99", "purpose": "办公用品"},
    )

    assert "超出该笔经费余额" in over.context["form"].errors["amount"][0]
    assert saved.status_code == 302
    page = client.get(f"/funding/{fund.pk}/")
    assert page.context["balance"] == Decimal("0.01")
    assert AuditEntry.objects.filter(model="funding.spending").count() == 1


def test_fund_page_query_count_does_not_grow(client, clerk, django_assert_num_queries):
    fund = _fund()
    for n in range(2):
        Spending.objects.create(
            fund=fund, spent_on=D(2019, 4, 1 + n), amount=Decimal("10"), purpose="办公"
        )
    # 12, and the spendings' ?fund= checked in the user's scope (StrictFilterSet).
    with django_assert_num_queries(13):
        client.get(f"/funding/{fund.pk}/")
    for n in range(5):
        Spending.objects.create(
            fund=fund, spent_on=D(2019, 5, 1 + n), amount=Decimal("10"), purpose="差旅"
        )
    with django_assert_num_queries(13):
        response = client.get(f"/funding/{fund.pk}/")
    assert len(response.context["page"]) == 7


def test_a_fund_is_corrected_on_its_edit_page(client, clerk):
    fund = _fund(amount="15000")

    response = client.post(
        f"/funding/{fund.pk}/edit/",
        {"amount": "20000", "source": "county", "received_on": "2019-04-01"},
    )

    fund.refresh_from_db()
    assert response.status_code == 302
    assert (fund.amount, fund.received_on) == (Decimal("20000"), D(2019, 4, 1))


def test_fund_export_writes_text_that_looks_like_a_formula_as_text(client, clerk):
    fund = _fund()
    Spending.objects.create(
        fund=fund, spent_on=D(2019, 4, 1), amount=Decimal("10"), purpose="=1+1"
    )
    Spending.objects.create(
        fund=fund, spent_on=D(2019, 4, 2), amount=Decimal("10"), purpose="@SUM(A1)"
    )

    response = client.get(f"/funding/{fund.pk}/", {"format": "xlsx"})

    cells = {c.value: c for c in workbook_cells(response)}
    assert cells["=1+1"].data_type == "s" and cells["@SUM(A1)"].data_type == "s"
    listed = workbook_rows(client.get("/funding/", {"year": 2019, "format": "xlsx"}))
    assert listed[2][2:4] == (20000, "县级财政")


def test_a_prefecture_reads_but_cannot_enter_funds(client, scoped_user, today):
    _fund()
    client.force_login(scoped_user("prefecture", "510100"))
    assert client.get("/funding/", {"year": 2019}).status_code == 200
    assert client.get("/funding/new/").status_code == 403


def test_fund_form_query_count_does_not_grow(client, clerk, django_assert_num_queries):
    for _ in range(2):
        staffed_team()
    with django_assert_num_queries(11):
        client.get("/funding/new/", {"year": 2019})
    for _ in range(4):
        staffed_team()
    with django_assert_num_queries(11):
        response = client.get("/funding/new/", {"year": 2019})
    assert len(response.context["suggestions"]) == 6


def test_fund_form_for_another_countys_team_is_404(client, clerk):
    there, _ = staffed_team(OTHER)
    assert client.get("/funding/new/", {"team": there.pk}).status_code == 404


def test_fund_edit_page_query_count(client, clerk, django_assert_num_queries):
    fund = _fund()
    with django_assert_num_queries(10):
        assert client.get(f"/funding/{fund.pk}/edit/").status_code == 200
