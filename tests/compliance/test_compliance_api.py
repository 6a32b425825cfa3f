"""The compliance API: /api/v1/compliance/findings/ and /api/v1/compliance/summary/."""

import pytest
import yaml
from django.core.cache import cache
from rest_framework.test import APIClient

from compliance.models import FindingRecord
from compliance.rules import rule_codes
from compliance.services import compliance_refresh
from tests.assessments.factories import PENGZHOU, ZHAOJUE, staffed_team
from tests.compliance.compliance_world import AS_OF, compliance_world
from tests.factories import county

pytestmark = pytest.mark.django_db

FINDINGS = "/api/v1/compliance/findings/"
SUMMARY = "/api/v1/compliance/summary/"
CONTRACT_KEYS = {
    "rule",
    "severity",
    "object_type",
    "object_id",
    "label",
    "county_code",
    "period",
    "message",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counts are kept in the cache per snapshot; each test starts without them."""
    cache.clear()


@pytest.fixture
def world(db):
    w = compliance_world()
    compliance_refresh(as_of=AS_OF)
    return w


@pytest.fixture
def api(province_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(province_user)
    return client


@pytest.fixture
def zhaojue_api(scoped_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(scoped_user("county", ZHAOJUE))
    return client


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_findings_list_is_paginated_with_the_contract_fields(world, api):
    response = api.get(FINDINGS, {"page_size": 20})

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == FindingRecord.objects.count()
    assert body["count_capped"] is False
    assert len(body["results"]) == 20 and "page=2" in body["next"]
    row = body["results"][0]
    assert CONTRACT_KEYS <= set(row)
    assert row["as_of"] == "2019-06-30"
    assert row["severity_display"] in ("错误", "警告")


def test_finding_detail(world, api):
    finding = FindingRecord.objects.get(rule="LIANGSHAN_TEAM_SIZE")

    row = api.get(f"{FINDINGS}{finding.pk}/").json()

    assert row["id"] == finding.pk
    assert row["rule"] == "LIANGSHAN_TEAM_SIZE"
    assert row["rule_title"] == "凉山州工作队人数不符合要求"
    assert row["clause"] == "二(三)"
    assert row["object_type"] == "team" and row["object_id"] == world.zhaojue_team.pk
    assert row["team"] == world.zhaojue_team.pk and row["person"] is None
    assert row["county_code"] == ZHAOJUE and row["county_name"] == "昭觉县"
    assert row["message"] == finding.message


@pytest.mark.parametrize(
    "params, where",
    [
        ({"rule": "TEAM_TOO_SMALL"}, {"rule": "TEAM_TOO_SMALL"}),
        ({"severity": "error"}, {"severity": "error"}),
        ({"region": "513400"}, {"path__startswith": "510000/513400/"}),
        ({"region": PENGZHOU}, {"county__code": PENGZHOU}),
        ({"period": "2019"}, {"period__startswith": "2019"}),
        ({"period": "2019Q2"}, {"period": "2019Q2"}),
        ({"object_type": "pairing"}, {"object_type": "pairing"}),
        ({"rule": "ASSESSMENT_MISSING", "region": ZHAOJUE, "period": "2018"}, None),
    ],
)
def test_findings_filters(world, api, params, where):
    if where is None:
        where = {
            "rule": "ASSESSMENT_MISSING",
            "county__code": ZHAOJUE,
            "period": "2018",
        }

    response = api.get(FINDINGS, {**params, "page_size": 500})

    expected = set(FindingRecord.objects.filter(**where).values_list("pk", flat=True))
    assert expected
    assert ids(response) == expected


@pytest.mark.parametrize(
    "params, field",
    [
        ({"rule": "NO_SUCH_RULE"}, "rule"),
        ({"severity": "fatal"}, "severity"),
        ({"period": "2019Q5"}, "period"),
    ],
)
def test_bad_filters_are_refused_with_400(world, api, params, field):
    for url in (FINDINGS, SUMMARY):
        response = api.get(url, params)

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid_filter"
        assert field in body["fields"]


def test_an_unknown_region_is_not_found_as_one_outside_the_scope(world, api):
    for url in (FINDINGS, SUMMARY):
        response = api.get(url, {"region": "999999"})

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_another_county_sees_none_of_its_findings(world, zhaojue_api):
    other = FindingRecord.objects.filter(county__code=PENGZHOU).first()

    listed = zhaojue_api.get(FINDINGS, {"page_size": 500})
    narrowed = zhaojue_api.get(FINDINGS, {"region": PENGZHOU})
    detail = zhaojue_api.get(f"{FINDINGS}{other.pk}/")
    summary = zhaojue_api.get(SUMMARY, {"region": PENGZHOU})

    assert ids(listed) == set(
        FindingRecord.objects.filter(county__code=ZHAOJUE).values_list("pk", flat=True)
    )
    # Another county named in ?region= is 404, as its path would be: not zeros.
    assert narrowed.status_code == 404
    assert detail.status_code == 404
    assert summary.status_code == 404


@pytest.fixture
def session_api(province_user) -> APIClient:
    """A logged-in client: each request reads its session, user and scope afresh."""
    client = APIClient()
    client.force_login(province_user)
    return client


# session, user, scope; the session saved again (savepoint, update, release)
REQUEST = 3 + 3


def test_findings_list_queries_do_not_grow_with_the_data(
    world, session_api, django_assert_num_queries
):
    # count, page (the rows carry their county and run)
    with django_assert_num_queries(REQUEST + 2):
        session_api.get(FINDINGS)
    for _ in range(4):
        staffed_team(PENGZHOU, size=2)
    compliance_refresh(as_of=AS_OF)
    with django_assert_num_queries(REQUEST + 2):
        response = session_api.get(FINDINGS)
    assert len(response.json()["results"]) == 50


# --- summary -----------------------------------------------------------------------


def test_summary_counts_every_rule_with_the_snapshot_date(world, api):
    body = api.get(SUMMARY).json()

    assert body["as_of"] == "2019-06-30"
    assert body["checked_at"]
    assert [row["id"] for row in body["results"]] == rule_codes()
    assert body["count"] == len(rule_codes())
    assert body["total"] == FindingRecord.objects.count()
    assert body["error"] + body["warning"] == body["total"]
    rows = {row["rule"]: row for row in body["results"]}
    assert rows["TEAM_TOO_SMALL"] == {
        "id": "TEAM_TOO_SMALL",
        "rule": "TEAM_TOO_SMALL",
        "title": "工作队人数不足",
        "clause": "一(二)",
        "severity": "error",
        "error": 1,
        "warning": 0,
        "count": 1,
    }
    assert (
        rows["ATTENDANCE_NOT_RECORDED"]["count"]
        == FindingRecord.objects.filter(rule="ATTENDANCE_NOT_RECORDED").count()
    )


def test_summary_takes_the_same_filters(world, api):
    body = api.get(SUMMARY, {"region": ZHAOJUE, "period": "2019"}).json()

    expected = FindingRecord.objects.filter(
        county__code=ZHAOJUE, period__startswith="2019"
    )
    assert body["total"] == expected.count() > 0
    for row in body["results"]:
        assert row["count"] == expected.filter(rule=row["rule"]).count()


def test_summary_of_one_rule(world, api):
    row = api.get(f"{SUMMARY}ATTENDANCE_NOT_RECORDED/", {"region": ZHAOJUE}).json()

    assert row["id"] == "ATTENDANCE_NOT_RECORDED"
    assert row["as_of"] == "2019-06-30"
    assert (
        row["error"]
        == FindingRecord.objects.filter(
            rule="ATTENDANCE_NOT_RECORDED", county__code=ZHAOJUE
        ).count()
    )
    assert api.get(f"{SUMMARY}NO_SUCH_RULE/").status_code == 404


def test_summary_dates_a_county_by_its_own_refresh(world, zhaojue_api):
    own = compliance_refresh(as_of=AS_OF.replace(day=29), region=county(ZHAOJUE))

    body = zhaojue_api.get(SUMMARY).json()

    assert body["as_of"] == own.as_of.isoformat() == "2019-06-29"


def test_summary_before_any_check_has_no_date(db, api):
    body = api.get(SUMMARY).json()

    # Unknown is not zero: no counts before a run, and it says so.
    assert body["as_of"] is None and body["checked"] is False
    assert body["total"] is None and body["error"] is None
    assert "尚未检查" in body["message"]
    assert len(body["results"]) == len(rule_codes())
    assert {r["count"] for r in body["results"]} == {None}
    one = api.get(f"{SUMMARY}TEAM_TOO_SMALL/").json()
    assert one["count"] is None and one["checked"] is False


def test_summary_queries_do_not_grow_with_the_data(
    world, session_api, django_assert_num_queries
):
    # the snapshot's version, the counts, the runs
    with django_assert_num_queries(REQUEST + 3):
        session_api.get(SUMMARY)
    for _ in range(4):
        staffed_team(PENGZHOU, size=2)
    compliance_refresh(as_of=AS_OF)
    with django_assert_num_queries(REQUEST + 3):
        session_api.get(SUMMARY)
    # the region as well
    with django_assert_num_queries(REQUEST + 4):
        session_api.get(SUMMARY, {"region": ZHAOJUE})
    # counted once per snapshot: read again, only the version and the runs
    with django_assert_num_queries(REQUEST + 3):
        session_api.get(SUMMARY, {"region": ZHAOJUE})


def test_the_api_needs_authentication(world):
    for url in (FINDINGS, SUMMARY):
        assert APIClient().get(url).status_code in (401, 403)


def test_the_schema_describes_both_resources_in_chinese(province_user):
    client = APIClient()
    client.force_authenticate(province_user)  # the schema is for users only
    schema = yaml.safe_load(client.get("/api/schema/").content)

    findings = schema["paths"]["/api/v1/compliance/findings/"]["get"]
    summary = schema["paths"]["/api/v1/compliance/summary/"]["get"]
    assert findings["summary"] == "合规问题列表"
    assert summary["summary"] == "合规问题统计"
    assert {"rule", "severity", "region", "period"} <= {
        p["name"] for p in summary["parameters"]
    }
    assert "/api/v1/compliance/findings/{id}/" in schema["paths"]
    assert "/api/v1/compliance/summary/{id}/" in schema["paths"]
    body = summary["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ComplianceSummary"}


def test_a_county_refreshes_its_county_on_the_spot(world, zhaojue_api, settings):
    settings.ZHUCUN_TODAY = AS_OF

    response = zhaojue_api.post("/api/v1/compliance/summary/refresh/")

    assert response.status_code == 201, response.json()
    run = response.json()
    assert run["status"] == "done" and run["region"] == ZHAOJUE
    assert (
        run["finding_count"]
        == FindingRecord.objects.filter(county__code=ZHAOJUE).count()
    )
    assert run["finding_count"] > 0


def test_a_prefecture_queues_its_refresh(world, scoped_user, settings):
    settings.ZHUCUN_TODAY = AS_OF
    client = APIClient()
    client.force_authenticate(scoped_user("prefecture", "513400"))

    first = client.post("/api/v1/compliance/summary/refresh/")
    again = client.post("/api/v1/compliance/summary/refresh/")

    assert first.status_code == 202
    assert first.json()["status"] == "pending" and first.json()["region"] == "513400"
    # A second request while the first is queued answers the same run.
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.parametrize("role", ["township", "unit"])
def test_other_roles_may_not_refresh(world, scoped_user, role):
    from tests.factories import TownshipFactory, UnitFactory

    target = TownshipFactory().code if role == "township" else UnitFactory().name
    client = APIClient()
    client.force_authenticate(scoped_user(role, target))

    response = client.post("/api/v1/compliance/summary/refresh/")

    assert response.status_code == 403
    assert response.json()["message"] == "您没有重新检查合规情况的权限。"
