"""A county's whole year through the API alone, each step by the role that owns it.

昭觉县委组织部 registers a village, a unit and three cadres, forms the team and
appoints them (the unit proposes, its 机关工委 reviews, the county appoints); the
township records March and submits it; the county grades the year before and
reads the findings of the policy check. Every step a user takes is an API call
with a token obtained from POST /api/v1/auth/token/; only the reference data
(township, term, 机关工委) and the nightly policy check are set up directly.
"""

import datetime

import pytest
from rest_framework.test import APIClient

from accounts.services import user_provision
from tests.factories import (
    TermFactory,
    TownshipFactory,
    WorkCommitteeFactory,
    county,
    make_id_number,
)
from zhucun.models import AuditEntry

pytestmark = pytest.mark.django_db

ZHAOJUE = "513431"
PASSWORD = "Workflow-2019!"
TODAY = datetime.date(2019, 4, 3)


def _token_client(username: str, role: str, scope: str) -> APIClient:
    """A client that logs in through the API with the account's password."""
    user_provision(username=username, role=role, scope=scope, password=PASSWORD)
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.json()
    return response.json()


def test_a_county_year_through_the_api(settings):
    settings.ZHUCUN_TODAY = TODAY
    # Given the divisions, a township, the 2018 term and a county 机关工委: the
    # reference data a province is set up with.
    township = TownshipFactory(parent=county(ZHAOJUE))
    term = TermFactory()
    committee = WorkCommitteeFactory(
        name="昭觉县直机关工委", level="county", region=county(ZHAOJUE)
    )
    county_api = _token_client("zhaojue", "county", ZHAOJUE)

    # The county registers the village, the dispatching unit and its three cadres.
    village = _ok(
        county_api.post(
            "/api/v1/villages/",
            {"township": township.code, "name": "谷曲村", "household_count": 180},
            format="json",
        ),
        201,
    )
    unit = _ok(
        county_api.post(
            "/api/v1/units/",
            {
                "name": "昭觉县农业农村局",
                "level": "county",
                "unit_type": "party_gov",
                "region": ZHAOJUE,
                "staff_count": 60,
                "work_committee": committee.pk,
            },
            format="json",
        ),
        201,
    )
    people = [
        _ok(
            county_api.post(
                "/api/v1/people/",
                {
                    "id_number": make_id_number(area=ZHAOJUE),
                    "name": name,
                    "unit": unit["id"],
                    "political_status": "cpc",
                    "rank": "section",
                },
                format="json",
            ),
            201,
        )
        for name in ("吉克石一", "阿硕拉则", "沙马日体")
    ]

    # It forms the team and puts the three cadres on it.
    team = _ok(
        county_api.post(
            "/api/v1/teams/", {"village": village["id"], "term": term.pk}, format="json"
        ),
        201,
    )
    memberships = [
        _ok(
            county_api.post(
                "/api/v1/memberships/",
                {
                    "person": person["id"],
                    "team": team["id"],
                    "role": role,
                    "unit": unit["id"],
                    "start_date": "2018-06-01",
                    "end_date": "2020-05-31",
                },
                format="json",
            ),
            201,
        )
        for person, role in zip(
            people, ("first_secretary", "leader", "member"), strict=True
        )
    ]

    # The appointment steps of 二(四), each by its own role, in order; the 机关工委
    # files (备案) the first secretary only, so far.
    unit_api = _token_client("nongye", "unit", "昭觉县农业农村局")
    committee_api = _token_client("gongwei", "committee", "昭觉县直机关工委")
    for api, step, on in (
        (unit_api, "propose", "2018-05-20"),
        (committee_api, "review", "2018-05-25"),
        (county_api, "appoint", "2018-05-30"),
    ):
        for membership in memberships:
            _ok(
                api.post(
                    f"/api/v1/memberships/{membership['id']}/steps/",
                    {"step": step, "on": on},
                    format="json",
                )
            )
    secretary, leader, member = memberships
    _ok(
        committee_api.post(
            f"/api/v1/memberships/{secretary['id']}/steps/",
            {"step": "file", "on": "2018-06-05"},
            format="json",
        )
    )
    # A step by the wrong role is refused.
    wrong_role = unit_api.post(
        f"/api/v1/memberships/{leader['id']}/steps/",
        {"step": "file"},
        format="json",
    )
    assert wrong_role.status_code == 403
    appointed = _ok(county_api.get("/api/v1/memberships/", {"team": team["id"]}))
    assert [row["is_appointed"] for row in appointed["results"]] == [True] * 3

    # The township records March and submits it; then the month is locked.
    township_api = _token_client("guqu-xiang", "township", township.code)
    grid = [
        {"membership": m["id"], "in_post_days": 22, "leave_days": 2, "trip_days": 1}
        for m in memberships
    ]
    saved = _ok(
        township_api.post(
            "/api/v1/attendance/grid/",
            {"township": township.code, "month": "2019-03", "rows": grid},
            format="json",
        )
    )
    assert saved["created"] == 3
    submission = _ok(
        township_api.post(
            "/api/v1/attendance-submissions/submit/",
            {"township": township.code, "month": "2019-03"},
            format="json",
        )
    )
    assert submission["submitted"] is True
    locked = township_api.post(
        "/api/v1/attendance/grid/",
        {"township": township.code, "month": "2019-03", "rows": grid},
        format="json",
    )
    assert locked.status_code == 400
    recorded = _ok(county_api.get("/api/v1/attendance/", {"region": ZHAOJUE}))
    assert sorted(row["in_post_days"] for row in recorded["results"]) == [22] * 3

    # The county grades 2018: 优秀 for one of the two members (first secretary
    # not counted) is over the 20% cap, so all three are 称职.
    over_cap = county_api.post(
        "/api/v1/assessments/",
        {"membership": member["id"], "year": 2018, "grade": "excellent"},
        format="json",
    )
    assert over_cap.status_code == 400
    assert "优秀名额已满" in over_cap.json()["fields"]["grade"][0]
    for membership in memberships:
        _ok(
            county_api.post(
                "/api/v1/assessments/",
                {"membership": membership["id"], "year": 2018, "grade": "competent"},
                format="json",
            ),
            201,
        )
    grades = _ok(county_api.get("/api/v1/assessments/", {"region": ZHAOJUE}))
    assert [row["grade"] for row in grades["results"]] == ["competent"] * 3

    # The county re-runs the policy check of its county (on the spot), then
    # reads what it found about the team it just formed.
    run = _ok(county_api.post("/api/v1/compliance/summary/refresh/"), 201)
    assert run["status"] == "done" and run["region"] == ZHAOJUE
    assert run["as_of"] == TODAY.isoformat() and run["finding_count"] > 0
    findings = _ok(
        county_api.get(
            "/api/v1/compliance/findings/", {"region": ZHAOJUE, "page_size": 200}
        )
    )["results"]
    found = {(row["rule"], row["object_type"], row["object_id"]) for row in findings}
    assert {row["county_code"] for row in findings} == {ZHAOJUE}
    # 三人队: Liangshan's teams have 4 to 7 members.
    assert ("LIANGSHAN_TEAM_SIZE", "team", team["id"]) in found
    # Only the first secretary has been filed (备案).
    assert {oid for rule, _, oid in found if rule == "NOT_FILED"} == {
        leader["id"],
        member["id"],
    }
    # June 2018 to February 2019 were never recorded, March was: every past month
    # of the term counts (留档备查 has no expiry), nine months for three members.
    unrecorded = [row for row in findings if row["rule"] == "ATTENDANCE_NOT_RECORDED"]
    assert len(unrecorded) == 9 * 3
    assert not [row for row in unrecorded if "3月" in row["message"]]
    summary = _ok(county_api.get("/api/v1/compliance/summary/", {"region": ZHAOJUE}))
    assert summary["total"] == len(findings)
    assert summary["as_of"] == TODAY.isoformat()

    # Every write of the workflow went through the API, by the user who made it.
    writes = AuditEntry.objects.exclude(
        model__in=["zhucun.userscope", "auth.user", "compliance.compliancerun"]
    )
    assert {entry.source for entry in writes} == {"api"}
    actors = {entry.actor.username for entry in writes}
    assert actors == {"zhaojue", "nongye", "gongwei", "guqu-xiang"}
