"""The fund balance and the data year: one rule each, one message on every path.

Each bad write goes through the page, the API, the admin and the 工作经费 import
where that path exists, gets the rule's message on its field, and writes nothing
(row counts and audit entries unchanged).
"""

# ruff: noqa: F811  (the fixtures imported from yearly_factories are arguments)
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from funding.models import Fund, Spending
from funding.write_rules import balance_message
from tests.assessments.factories import PENGZHOU, FundFactory, staffed_team
from tests.assessments.yearly_factories import clerk, today  # noqa: F401
from tests.workbook_helpers import error_lines, run, table, write_xlsx
from zhucun.models import AuditEntry
from zhucun.periods import year_message


@pytest.fixture
def world(clerk, client, django_user_model, tmp_path):
    team, _ = staffed_team(PENGZHOU)
    fund = FundFactory(team=team, amount=Decimal("1000"))
    Spending.objects.create(
        fund=fund, spent_on="2019-05-01", amount=Decimal("900"), purpose="办公"
    )
    api = APIClient()
    api.force_authenticate(clerk)
    return {
        "team": team,
        "fund": fund,
        "page": client,
        "api": api,
        "superuser": django_user_model.objects.create_superuser("root", "", "pw"),
        "tmp_path": tmp_path,
    }


def _counts():
    return Fund.objects.count(), Spending.objects.count(), AuditEntry.objects.count()


def _admin_client(world):
    world["page"].force_login(world["superuser"])
    return world["page"]


def _import(world, *, year, amount):
    village = world["team"].village
    row = {
        "市（州）": "成都市",
        "县（市、区）": "彭州市",
        "乡（镇）": village.township.name,
        "村": village.name,
        "年度": year,
        "金额（元）": amount,
        "经费来源": "县级财政",
    }
    path = write_xlsx(world["tmp_path"] / "f.xlsx", table("funding", [row]))
    code, output = run("import_xlsx", "funding", path)
    assert code == 1, output
    return {column: message for _r, column, message in error_lines(output)}


# --- the fund balance ------------------------------------------------------------


def _spend_on_page(world):
    response = world["page"].post(
        f"/funding/{world['fund'].pk}/",
        {"spent_on": "2019-06-01", "amount": "100.01", "purpose": "办公用品"},
    )
    return response.context["form"].errors["amount"]


def _spend_by_api(world):
    response = world["api"].post(
        "/api/v1/spending/",
        {
            "fund": world["fund"].pk,
            "spent_on": "2019-06-01",
            "amount": "100.01",
            "purpose": "办公用品",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    return response.json()["fields"]["amount"]


def _cut_on_page(world):
    response = world["page"].post(
        f"/funding/{world['fund'].pk}/edit/",
        {"amount": "899.99", "source": "county", "received_on": "2019-03-01"},
    )
    return response.context["form"].errors["amount"]


def _cut_by_api(world):
    response = world["api"].patch(
        f"/api/v1/funds/{world['fund'].pk}/", {"amount": "899.99"}, format="json"
    )
    assert response.status_code == 400, response.content
    return response.json()["fields"]["amount"]


def _cut_in_admin(world):
    fund = world["fund"]
    response = _admin_client(world).post(
        reverse("admin:funding_fund_change", args=[fund.pk]),
        {
            "amount": "899.99",
            "source": "county",
            "received_on": "2019-03-01",
            "spendings-TOTAL_FORMS": "0",
            "spendings-INITIAL_FORMS": "0",
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    return response.context["adminform"].form.errors["amount"]


def _cut_by_import(world):
    return [_import(world, year=2019, amount="899.99")["金额（元）"]]


OVER_SPENT = {"page": _spend_on_page, "api": _spend_by_api}
CUT = {
    "page": _cut_on_page,
    "api": _cut_by_api,
    "admin": _cut_in_admin,
    "import": _cut_by_import,
}
BALANCE_PATHS = [("spend", p) for p in OVER_SPENT] + [("cut", p) for p in CUT]


@pytest.mark.parametrize(("write", "path"), BALANCE_PATHS)
def test_spending_beyond_a_fund_is_refused_alike_on_every_path(world, write, path):
    """Spending 100.01 of a 1,000 fund with 900 spent, or cutting it to 899.99."""
    before = _counts()
    if write == "spend":
        refused = OVER_SPENT[path](world)
        message = balance_message(total=Decimal("1000"), spent=Decimal("900"))
    else:
        refused = CUT[path](world)
        message = balance_message(total=Decimal("899.99"), spent=Decimal("900"))

    assert len(refused) == 1 and refused[0].startswith(message)
    assert "超出该笔经费余额" in message
    assert _counts() == before
    world["fund"].refresh_from_db()
    assert world["fund"].amount == Decimal("1000")


# --- the data year -----------------------------------------------------------------


def _fund_by_api(world, year):
    response = world["api"].post(
        "/api/v1/funds/",
        {"team": world["team"].pk, "year": year, "amount": "20000.00"},
        format="json",
    )
    assert response.status_code == 400, response.content
    return response.json()["fields"]["year"]


def _fund_in_admin(world, year):
    response = _admin_client(world).post(
        reverse("admin:funding_fund_add"),
        {
            "team": world["team"].pk,
            "year": year,
            "amount": "20000",
            "source": "county",
            "spendings-TOTAL_FORMS": "0",
            "spendings-INITIAL_FORMS": "0",
            "_save": "保存",
        },
    )
    assert response.status_code == 200
    return response.context["adminform"].form.errors["year"]


def _fund_by_import(world, year):
    return [_import(world, year=year, amount="20000")["年度"]]


YEAR_PATHS = {"api": _fund_by_api, "admin": _fund_in_admin, "import": _fund_by_import}


@pytest.mark.parametrize("path", sorted(YEAR_PATHS))
@pytest.mark.parametrize("year", [2013, 2031, 2099])
def test_a_year_outside_the_span_is_refused_alike_on_every_path(world, path, year):
    before = _counts()

    refused = YEAR_PATHS[path](world, year)

    assert len(refused) == 1 and refused[0].startswith(year_message(year))
    assert "2014—2030" in refused[0]
    assert _counts() == before


@pytest.mark.parametrize("year", [99999, 32768, -1])
def test_the_api_answers_a_wild_year_with_400_not_500(world, year):
    """POST /api/v1/funds/ with year 99999 was a 500 (no 1 January of 99999)."""
    before = _counts()

    assert _fund_by_api(world, year) == [year_message(year)]
    assert _counts() == before
