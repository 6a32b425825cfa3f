"""import_xlsx/export_xlsx funding: the 工作经费 workbook, whole or not at all."""

from decimal import Decimal

import pytest

from funding.models import Fund
from tests.factories import TeamFactory, TownshipFactory, VillageFactory
from tests.workbook_helpers import error_lines, run, table, write_xlsx
from villages.models import Region
from zhucun.models import AuditEntry
from zhucun.workbooks.exporter import export_workbook


@pytest.fixture
def teams(db):
    """A team (2018-06 to 2020-05) in 昭觉县 and one in 乐山市市中区."""
    leshan = VillageFactory(
        township=TownshipFactory(parent=Region.objects.get(code="511102")),
        name="乐山村",
    )
    return [TeamFactory(village__name="好谷村"), TeamFactory(village=leshan)]


def _row(team, year=2019, amount=20000, source="县级财政", **extra):
    village = team.village
    return {
        "市（州）": village.county.parent.name,
        "县（市、区）": village.county.name,
        "乡（镇）": village.township.name,
        "村": village.name,
        "年度": year,
        "金额（元）": amount,
        "经费来源": source,
        **extra,
    }


@pytest.fixture
def workbook(tmp_path):
    def make(rows, name="funds.xlsx"):
        return write_xlsx(tmp_path / name, table("funding", rows, title="工作经费"))

    return make


def test_funds_are_allocated_to_the_team_serving_that_year(teams, workbook):
    path = workbook(
        [
            _row(teams[0], amount="20,000.00"),
            _row(teams[0], amount="0.5万", source="省级财政"),
            _row(teams[1], year="2020年", amount=30000.4),
        ]
    )
    code, output = run("import_xlsx", "funding", path)
    assert code == 0, output
    assert "created=3" in output
    amounts = sorted(Fund.objects.filter(team=teams[0]).values_list("amount", "source"))
    assert amounts == [
        (Decimal("5000.00"), "provincial"),
        (Decimal("20000.00"), "county"),
    ]
    assert Fund.objects.get(team=teams[1]).amount == Decimal("30000.40")
    assert AuditEntry.objects.filter(model="funding.fund", source="import").count() == 3


def test_a_dry_run_writes_nothing(teams, workbook):
    code, output = run(
        "import_xlsx", "funding", workbook([_row(teams[0])]), "--dry-run"
    )
    assert code == 0 and "created=1" in output
    assert not Fund.objects.exists()


def test_one_bad_row_rejects_all_by_row_and_column(teams, workbook):
    path = workbook(
        [
            _row(teams[0]),
            _row(teams[0], amount=-5),
            _row(teams[0], year=2023),
            _row(teams[0], source="社会捐助"),
            {**_row(teams[0]), "村": "不存在村"},
        ]
    )
    code, output = run("import_xlsx", "funding", path)
    assert code == 1
    assert [(r, c) for r, c, _m in error_lines(output)] == [
        ("4", "金额（元）"),
        ("5", "年度"),
        ("6", "经费来源"),
        ("7", "村"),
    ]
    assert not Fund.objects.exists()


def test_reimport_is_unchanged_and_an_edit_updates(teams, workbook):
    path = workbook([_row(teams[0]), _row(teams[0], source="省级财政", amount=5000)])
    assert run("import_xlsx", "funding", path)[0] == 0
    code, output = run("import_xlsx", "funding", path)
    assert "created=0 updated=0 unchanged=2" in output, output
    code, output = run(
        "import_xlsx",
        "funding",
        workbook([_row(teams[0], amount=25000)], name="e.xlsx"),
    )
    assert code == 0 and "updated=1" in output
    change = AuditEntry.objects.get(action="update").changes
    assert change == {"amount": ["20000.00", "25000.00"]}


def test_export_then_import_round_trips_to_unchanged(teams, tmp_path):
    Fund.objects.create(
        team=teams[0], year=2019, amount=Decimal("20000"), source="county"
    )
    Fund.objects.create(
        team=teams[0], year=2019, amount=Decimal("3000"), source="county"
    )
    Fund.objects.create(
        team=teams[1], year=2020, amount=Decimal("21000.5"), source="provincial"
    )
    path = tmp_path / "funds.xlsx"
    assert run("export_xlsx", "funding", path)[0] == 0
    code, output = run("import_xlsx", "funding", path)
    assert code == 0, output
    assert "created=0 updated=0 unchanged=3" in output


def test_a_county_clerk_cannot_fund_another_countys_team(teams, workbook, scoped_user):
    scoped_user("county", "513431", "zhaojue")
    path = workbook([_row(teams[0]), _row(teams[1])])
    code, output = run("import_xlsx", "funding", path, "--user", "zhaojue")
    assert code == 1
    assert [(r, c) for r, c, _m in error_lines(output)] == [("4", "村")]


def test_the_funding_export_reads_in_a_fixed_number_of_queries(
    teams, tmp_path, django_assert_num_queries, province_user
):
    for team in teams:
        Fund.objects.create(team=team, year=2019, amount=20000, source="county")
    with django_assert_num_queries(2):
        result = export_workbook(
            kind="funding", target=tmp_path / "f.xlsx", user=province_user
        )
    assert result.rows == 2
