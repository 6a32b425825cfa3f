"""manage.py compliance: both formats, --county narrowing, errors (contracts.md)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from compliance.management.commands.compliance import Command
from compliance.rules import rule_codes
from tests.assessments.factories import PENGZHOU, ZHAOJUE, staffed_team, village_in

FINDING_KEYS = {
    "rule",
    "severity",
    "object_type",
    "object_id",
    "label",
    "county_code",
    "period",
    "message",
}


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("compliance", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def two_counties(db):
    """A village without a team in 彭州市 and one in 昭觉县, and a small team."""
    bare_pengzhou = village_in(PENGZHOU, name="彭州无队村")
    bare_zhaojue = village_in(ZHAOJUE, name="昭觉无队村")
    small, _ = staffed_team(PENGZHOU, size=2)
    return bare_pengzhou, bare_zhaojue, small


def test_json_has_the_contract_shape(two_counties):
    bare_pengzhou, bare_zhaojue, small = two_counties
    out, _ = run("--as-of", "2019-06-30", "--format", "json")
    document = json.loads(out)
    assert set(document) == {"as_of", "findings", "summary"}
    assert document["as_of"] == "2019-06-30"
    assert list(document["summary"]) == rule_codes()  # every code, clean ones at 0
    assert document["summary"]["VILLAGE_WITHOUT_TEAM"] == 2
    assert document["summary"]["TEAM_TOO_SMALL"] == 1
    assert document["summary"]["EXCELLENT_OVER_CAP"] == 0
    assert sum(document["summary"].values()) == len(document["findings"])
    for finding in document["findings"]:
        assert set(finding) == FINDING_KEYS
        assert isinstance(finding["object_id"], int)
        assert finding["severity"] in ("error", "warning")
    without_team = {
        f["object_id"]: f
        for f in document["findings"]
        if f["rule"] == "VILLAGE_WITHOUT_TEAM"
    }
    assert set(without_team) == {bare_pengzhou.pk, bare_zhaojue.pk}
    assert without_team[bare_zhaojue.pk]["county_code"] == ZHAOJUE
    assert without_team[bare_zhaojue.pk]["label"].endswith("昭觉无队村")


def test_county_narrows_the_findings(two_counties):
    bare_pengzhou, _, _ = two_counties
    out, _ = run("--as-of", "2019-06-30", "--format", "json", "--county", PENGZHOU)
    document = json.loads(out)
    assert {f["county_code"] for f in document["findings"]} == {PENGZHOU}
    assert document["summary"]["VILLAGE_WITHOUT_TEAM"] == 1
    assert list(document["summary"]) == rule_codes()


def test_a_prefecture_code_is_accepted_too(two_counties):
    out, _ = run("--as-of", "2019-06-30", "--format", "json", "--county", "513400")
    document = json.loads(out)
    assert {f["county_code"] for f in document["findings"]} == {ZHAOJUE}


def test_table_groups_findings_by_rule_with_counts(two_counties):
    out, _ = run("--as-of", "2019-06-30", "--county", PENGZHOU)
    assert "合规检查（截至 2019-06-30，范围：成都市彭州市）" in out
    summary_line = next(
        line for line in out.splitlines() if line.startswith("VILLAGE_WITHOUT_TEAM ")
    )
    assert summary_line.split()[1:4] == ["一(二)", "错误", "1"]
    assert "[VILLAGE_WITHOUT_TEAM] 贫困村没有驻村工作队（一(二)）：1 条" in out
    assert "彭州无队村是建档立卡贫困村" in out and "昭觉无队村" not in out
    assert "仅有2名在岗队员，少于3人（含第一书记）" in out


def test_unknown_county_is_a_clear_chinese_error(db):
    with pytest.raises(CommandError) as excinfo:
        run("--county", "999999")
    assert "未找到行政区划代码“999999”" in str(excinfo.value)


def test_unknown_county_exits_non_zero(db, capsys):
    with pytest.raises(SystemExit) as excinfo:
        Command().run_from_argv(["manage.py", "compliance", "--county", "999999"])
    assert excinfo.value.code != 0
    assert "未找到行政区划代码" in capsys.readouterr().err


def test_a_malformed_date_is_refused(db):
    with pytest.raises(CommandError) as excinfo:
        run("--as-of", "2019/06/30")
    assert "YYYY-MM-DD" in str(excinfo.value)


def test_verbosity_two_times_each_rule_on_stderr(two_counties):
    out, err = run("--as-of", "2019-06-30", "--format", "json", "--verbosity", "2")
    json.loads(out)  # stdout stays pure JSON
    lines = err.splitlines()
    for code in rule_codes():
        (line,) = [line for line in lines if line.startswith(code + " ")]
        assert "s " in line and "条" in line
    assert "合计用时" in err


def test_rule_option_runs_only_the_given_rules(two_counties):
    out, _ = run(
        "--as-of", "2019-06-30", "--format", "json", "--rule", "TEAM_TOO_SMALL"
    )
    document = json.loads(out)
    assert document["summary"] == {"TEAM_TOO_SMALL": 1}
    with pytest.raises(CommandError):
        run("--rule", "NO_SUCH_RULE")


def test_default_day_is_today(db):
    out, _ = run("--format", "json")
    assert json.loads(out)["as_of"] == timezone.localdate().isoformat()
