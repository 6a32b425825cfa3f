"""The compliance pages: overview and drill-down, findings list, team and person pages,
the refresh button and the xlsx export."""

import io
import re

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse

from compliance.models import ComplianceRun, FindingRecord
from compliance.services import compliance_refresh
from tests.assessments.factories import PENGZHOU, ZHAOJUE, member, staffed_team
from tests.compliance.compliance_world import AS_OF, compliance_world
from tests.factories import county

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("compliance:overview")
FINDINGS = reverse("compliance:findings")
EXPORT = reverse("compliance:findings-export")
REFRESH = reverse("compliance:refresh")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counts are kept in the cache per snapshot; each test starts without them."""
    cache.clear()


@pytest.fixture
def world(db, settings):
    settings.ZHUCUN_TODAY = AS_OF
    w = compliance_world()
    compliance_refresh(as_of=AS_OF)
    return w


@pytest.fixture
def province(client, province_user):
    client.force_login(province_user)
    return client


@pytest.fixture
def zhaojue_clerk(client, scoped_user):
    client.force_login(scoped_user("county", ZHAOJUE))
    return client


def text(response) -> str:
    return response.content.decode()


def rows_of(response) -> list[FindingRecord]:
    return list(response.context["page"].object_list)


# --- overview and drill-down -----------------------------------------------------


def test_overview_counts_per_rule_and_severity_and_drills_into_prefectures(
    world, province
):
    response = province.get(OVERVIEW)

    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.total == FindingRecord.objects.count()
    assert summary.get("TEAM_TOO_SMALL").error == 1
    body = text(response)
    assert "四川省合规检查" in body
    assert "数据截至 <strong>2019年6月30日</strong>" in body
    drill = response.context["drilldown"]
    liangshan = next(r for r in drill.rows if r.region and r.region.code == "513400")
    assert (
        liangshan.count
        == FindingRecord.objects.filter(path__startswith=county("513400").path).count()
    )
    assert f'href="{OVERVIEW}?region=513400"' in body
    own = drill.rows[0]
    assert own.is_own_level and own.count == 1  # the provincial unit
    assert f"{FINDINGS}?rule=TEAM_TOO_SMALL&amp;region=510000" in body


def test_overview_drills_from_prefecture_to_county_to_teams(world, province):
    prefecture = province.get(OVERVIEW, {"region": "513400"})
    county_page = province.get(OVERVIEW, {"region": ZHAOJUE})

    codes = [r.region.code for r in prefecture.context["drilldown"].rows]
    assert codes[:2] == ["513401", "513402"] and len(codes) == 17
    assert f'href="{OVERVIEW}?region=513431"' in text(prefecture)
    drill = county_page.context["drilldown"]
    assert drill.by_team
    team_row = next(r for r in drill.rows if r.team_id)
    assert team_row.team_id == world.zhaojue_team.pk
    assert (
        team_row.count == FindingRecord.objects.filter(team=world.zhaojue_team).count()
    )
    body = text(county_page)
    assert reverse("compliance:team", args=[world.zhaojue_team.pk]) in body
    assert f"{FINDINGS}?region={ZHAOJUE}&amp;object_type=county" in body
    crumbs = [r.code for r in county_page.context["breadcrumb"]]
    assert crumbs == ["510000", "513400", ZHAOJUE]


def test_overview_keeps_its_filters_when_drilling(world, province):
    response = province.get(OVERVIEW, {"rule": "LIANGSHAN_TEAM_SIZE"})

    assert response.context["summary"].total == 1
    assert f'href="{OVERVIEW}?rule=LIANGSHAN_TEAM_SIZE&amp;region=513400"' in text(
        response
    )


def test_overview_starts_at_the_users_county(world, zhaojue_clerk):
    response = zhaojue_clerk.get(OVERVIEW)

    assert response.context["region"].code == ZHAOJUE
    assert (
        response.context["summary"].total
        == FindingRecord.objects.filter(county__code=ZHAOJUE).count()
    )
    assert "重新检查" in text(response)


def test_overview_without_a_snapshot_says_so(db, province):
    response = province.get(OVERVIEW)

    body = text(response)
    assert "尚未检查" in body and "问题数未知（不是0）" in body
    assert 'class="stats__value">0<' not in body  # no count stands for "unknown"


def test_overview_with_an_unknown_region_is_not_found(world, province):
    """Unknown answers as outside the scope does (404), so they cannot be told apart."""
    response = province.get(OVERVIEW, {"region": "999999"})

    assert response.status_code == 404


# Every page: session, user, scope; then the page's own reads; then the layout's
# unread reminders and permissions (2), and the session saved again (3).
LAYOUT = 3 + 1 + 2 + 3


def test_overview_queries_do_not_grow_with_the_data(
    world, province, django_assert_num_queries
):
    # region, snapshot version, rule counts, team counts, breadcrumb, runs
    with django_assert_num_queries(LAYOUT + 6):
        province.get(OVERVIEW, {"region": ZHAOJUE})
    for _ in range(4):
        team, _members = staffed_team(ZHAOJUE, size=2)
    compliance_refresh(as_of=AS_OF)
    with django_assert_num_queries(LAYOUT + 6):
        response = province.get(OVERVIEW, {"region": ZHAOJUE})
    assert sum(1 for r in response.context["drilldown"].rows if r.team_id) == 5
    # version, rule counts, prefectures, prefecture counts, breadcrumb, runs
    with django_assert_num_queries(LAYOUT + 6):
        province.get(OVERVIEW)


def test_overview_counts_are_read_once_per_snapshot(
    world, province, django_assert_num_queries
):
    first = province.get(OVERVIEW)
    # Read again: the counts are kept; only the version, breadcrumb and runs.
    with django_assert_num_queries(LAYOUT + 3):
        again = province.get(OVERVIEW)
    assert again.context["summary"] == first.context["summary"]
    staffed_team(ZHAOJUE, size=2)
    compliance_refresh(as_of=AS_OF, region=county(ZHAOJUE))

    after = province.get(OVERVIEW)

    assert after.context["summary"].total > first.context["summary"].total
    assert after.context["summary"].total == FindingRecord.objects.count()


# --- the findings list -----------------------------------------------------------


def test_findings_list_pages_by_fifty_and_keeps_the_filters(world, province):
    total = FindingRecord.objects.count()
    assert total > 50

    first = province.get(FINDINGS, {"region": "510000"})
    second = province.get(FINDINGS, {"region": "510000", "page": 2})

    assert len(rows_of(first)) == 50
    assert len(rows_of(first)) + len(rows_of(second)) == total
    assert "?region=510000&amp;page=2" in text(first)
    assert "?region=510000&amp;page=1" in text(second)
    assert not {f.pk for f in rows_of(first)} & {f.pk for f in rows_of(second)}


@pytest.mark.parametrize(
    "params, where",
    [
        ({"rule": "TEAM_TOO_SMALL"}, {"rule": "TEAM_TOO_SMALL"}),
        ({"severity": "warning"}, {"severity": "warning"}),
        ({"region": "513400"}, {"path__startswith": "510000/513400/"}),
        ({"period": "2019Q2"}, {"period": "2019Q2"}),
        ({"object_type": "unit"}, {"object_type": "unit"}),
        (
            {"rule": "ATTENDANCE_NOT_RECORDED", "region": ZHAOJUE, "period": "2019-03"},
            {"rule": "ATTENDANCE_NOT_RECORDED", "county__code": ZHAOJUE},
        ),
    ],
)
def test_findings_list_filters(world, province, params, where):
    expected = FindingRecord.objects.filter(**where)
    if "period" in params:
        expected = expected.filter(period__startswith=params["period"])
    assert expected.exists()
    # Every page of the list (50 a page): the filter, not the paging, is judged.
    pages = range(1, expected.count() // 50 + 2)
    shown = {
        f.pk
        for page in pages
        for f in rows_of(province.get(FINDINGS, {**params, "page": page}))
    }
    assert shown == set(expected.values_list("pk", flat=True))


def test_findings_list_refuses_a_bad_period_in_chinese(world, province):
    response = province.get(FINDINGS, {"period": "去年"})

    assert response.status_code == 200
    assert response.context["page"] is None
    assert "期间应为年（2022）、季度（2022Q4）或月（2022-12）" in text(response)


def test_each_finding_links_to_the_record_it_is_about(world, province):
    links = {}
    for page in (1, 2):
        for f in rows_of(province.get(FINDINGS, {"page": page})):
            links[(f.object_type, f.rule, f.object_id)] = f.link

    def link(object_type, rule, object_id):
        return links[(object_type, rule, object_id)]

    team = world.zhaojue_team
    secretary = world.zhaojue_members[0]
    assert link("team", "LIANGSHAN_TEAM_SIZE", team.pk) == reverse(
        "compliance:team", args=[team.pk]
    )
    assert link("member", "ASSESSMENT_MISSING", secretary.pk) == reverse(
        "compliance:person", args=[secretary.person_id]
    )
    bare = world.bare_village
    assert link("village", "VILLAGE_WITHOUT_TEAM", bare.pk) == reverse(
        "admin:villages_village_change", args=[bare.pk]
    )
    zhaojue = county(ZHAOJUE)
    assert (
        link("county", "NO_QUARTERLY_LEADER_MEETING", zhaojue.pk)
        == f"{OVERVIEW}?region={ZHAOJUE}"
    )
    assert link("pairing", "PAIRING_QUOTA_SHORT", world.pairing.pk) == reverse(
        "admin:teams_pairing_change", args=[world.pairing.pk]
    )
    unit = world.provincial_unit
    assert link("unit", "UNIT_QUOTA_SHORT", unit.pk) == reverse(
        "admin:teams_unit_change", args=[unit.pk]
    )


def test_a_record_the_user_cannot_open_links_to_its_own_findings(
    world, client, scoped_user
):
    """Without the admin's view permission, a village finding narrows the list."""
    clerk = scoped_user("county", ZHAOJUE)
    clerk.groups.clear()
    client.force_login(clerk)

    rows = rows_of(client.get(FINDINGS, {"object_type": "village"}))

    assert rows
    for finding in rows:
        assert finding.link == (
            f"{FINDINGS}?object_type=village&object_id={finding.object_id}"
        )
    narrowed = client.get(rows[0].link)
    assert [f.object_id for f in rows_of(narrowed)] == [rows[0].object_id] * len(
        rows_of(narrowed)
    )


def test_findings_list_queries_do_not_grow_with_the_data(
    world, province, django_assert_num_queries
):
    # count, page, visible units (a unit finding is on the page), runs
    with django_assert_num_queries(LAYOUT + 4):
        province.get(FINDINGS)
    for _ in range(4):
        staffed_team(PENGZHOU, size=2)
    compliance_refresh(as_of=AS_OF)
    with django_assert_num_queries(LAYOUT + 4):
        response = province.get(FINDINGS)
    assert len(rows_of(response)) == 50
    # with a region: the region too, and no unit on the page
    with django_assert_num_queries(LAYOUT + 4):
        province.get(FINDINGS, {"region": ZHAOJUE, "rule": "ATTENDANCE_NOT_RECORDED"})


def test_another_countys_clerk_sees_none_of_its_findings(world, zhaojue_clerk):
    listed = zhaojue_clerk.get(FINDINGS, {"region": PENGZHOU})
    overview = zhaojue_clerk.get(OVERVIEW, {"region": PENGZHOU})
    everything = zhaojue_clerk.get(FINDINGS)

    # Another county named in ?region= is 404, as its path would be: not zeros.
    assert listed.status_code == 404
    assert overview.status_code == 404
    assert rows_of(everything)
    assert all(f.county_code == ZHAOJUE for f in rows_of(everything))
    assert "乙县" not in text(everything)


# --- team and person pages -------------------------------------------------------


def test_team_page_shows_the_team_its_members_and_its_findings(world, province):
    team = world.zhaojue_team

    response = province.get(reverse("compliance:team", args=[team.pk]))

    body = text(response)
    assert "甲县专用村驻村工作队" in body
    assert "凉山彝族自治州昭觉县" in body
    assert team.term.name in body
    assert [m.person.name for m in response.context["profile"].memberships] == [
        "甲县干部0",
        "甲县干部1",
        "甲县干部2",
    ]
    assert "第一书记" in body
    findings = response.context["profile"].findings
    assert {f.pk for f in findings} == set(
        FindingRecord.objects.filter(team=team).values_list("pk", flat=True)
    )
    assert {"team", "member"} == {f.object_type for f in findings}
    assert (
        reverse("compliance:person", args=[world.zhaojue_members[1].person_id]) in body
    )


def test_person_page_masks_the_id_and_shows_memberships_and_findings(world, province):
    membership = world.zhaojue_members[1]
    person = membership.person

    response = province.get(reverse("compliance:person", args=[person.pk]))

    body = text(response)
    assert person.id_number not in body
    assert "*" * 14 + person.id_number[-4:] in body
    assert "甲县派出单位" in body
    assert reverse("compliance:team", args=[membership.team_id]) in body
    findings = response.context["profile"].findings
    assert findings and {f.person_id for f in findings} == {person.pk}


def test_team_and_person_pages_of_another_county_are_404(world, zhaojue_clerk):
    other = world.pengzhou_team
    person = world.pengzhou_members[0].person

    assert (
        zhaojue_clerk.get(reverse("compliance:team", args=[other.pk])).status_code
        == 404
    )
    assert (
        zhaojue_clerk.get(reverse("compliance:person", args=[person.pk])).status_code
        == 404
    )
    own = zhaojue_clerk.get(reverse("compliance:team", args=[world.zhaojue_team.pk]))
    assert own.status_code == 200


def test_team_and_person_pages_query_counts(world, province, django_assert_num_queries):
    team = world.zhaojue_team
    for _ in range(3):
        member(team)
    compliance_refresh(as_of=AS_OF)
    # team, members, findings, runs
    with django_assert_num_queries(LAYOUT + 4):
        province.get(reverse("compliance:team", args=[team.pk]))
    # person, memberships, findings, runs
    with django_assert_num_queries(LAYOUT + 4):
        province.get(
            reverse("compliance:person", args=[world.zhaojue_members[0].person_id])
        )


# --- refresh ---------------------------------------------------------------------


def test_a_county_clerk_refreshes_the_county_at_once(world, zhaojue_clerk):
    member(world.zhaojue_team)  # a fourth member: Liangshan's size is met
    assert FindingRecord.objects.filter(rule="LIANGSHAN_TEAM_SIZE").exists()

    confirm = zhaojue_clerk.get(REFRESH)
    response = zhaojue_clerk.post(REFRESH, follow=True)

    assert "重新检查昭觉县的合规情况？" in text(confirm)
    assert response.redirect_chain[-1][0] == f"{OVERVIEW}?region={ZHAOJUE}"
    assert "已重新检查（截至2019-06-30）" in text(response)
    assert not FindingRecord.objects.filter(rule="LIANGSHAN_TEAM_SIZE").exists()
    assert FindingRecord.objects.filter(county__code=PENGZHOU).exists()
    run = ComplianceRun.objects.get(region__code=ZHAOJUE)
    assert run.status == "done" and run.requested_by.username == "county-513431"


def test_a_failed_county_refresh_keeps_the_findings_and_says_so(
    world, zhaojue_clerk, monkeypatch
):
    before = FindingRecord.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("数据库断开")

    monkeypatch.setattr("compliance.services.run_rules", broken)
    response = zhaojue_clerk.post(REFRESH, follow=True)

    body = text(response)
    assert response.status_code == 200
    assert "重新检查失败，页面仍显示上一次的结果" in body
    assert "昭觉县的合规检查于" in body and "失败" in body
    assert FindingRecord.objects.count() == before


def test_the_province_refresh_is_queued_and_its_status_shown(
    world, province, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = province.post(REFRESH, follow=True)

    assert len(callbacks) == 1  # the task is sent once the run is committed
    run = ComplianceRun.objects.get(status="pending")
    assert run.region is None
    body = text(response)
    assert "已提交重新检查" in body
    assert "全省的重新检查排队中" in body
    assert '<meta http-equiv="refresh"' in body


@pytest.mark.parametrize("role", ["township", "unit"])
def test_who_may_not_refresh_gets_403(world, client, scoped_user, role):
    scope = (
        world.zhaojue_team.village.township.code
        if role == "township"
        else world.zhaojue_unit.name
    )
    client.force_login(scoped_user(role, scope))

    assert client.get(REFRESH).status_code == 403
    assert client.post(REFRESH).status_code == 403
    assert ComplianceRun.objects.count() == 1


# --- export ----------------------------------------------------------------------


def _sheet(response):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_export_has_a_title_row_chinese_headers_and_the_filtered_rows(
    world, zhaojue_clerk
):
    response = zhaojue_clerk.get(EXPORT, {"rule": "ATTENDANCE_NOT_RECORDED"})

    sheet = _sheet(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert (
        rows[0][0]
        == "驻村工作队合规检查问题清单（凉山彝族自治州昭觉县，截至2019-06-30）"
    )
    assert rows[1][:4] == ("规则代码", "规则", "条款", "级别")
    assert rows[1][9] == "问题说明"
    expected = FindingRecord.objects.filter(
        rule="ATTENDANCE_NOT_RECORDED", county__code=ZHAOJUE
    ).order_by("path", "id")
    assert [r[9] for r in rows[2:]] == [f.message for f in expected]
    assert {r[0] for r in rows[2:]} == {"ATTENDANCE_NOT_RECORDED"}
    assert {r[6] for r in rows[2:]} == {"昭觉县"}
    assert re.search(
        r"filename\*=utf-8''.*513431_2019-06-30\.xlsx", response["Content-Disposition"]
    )
    assert all("乙县" not in str(v) for r in rows for v in r)


@pytest.mark.parametrize(
    "name", ["=1+2", "+1", "-1", "@SUM(A1)", "\tX", "\rX", "\nX", "=HYPERLINK(1)"]
)
def test_export_writes_formula_like_text_as_text(world, province, name):
    team, members = staffed_team(PENGZHOU, size=3)
    members[1].person.name = name
    members[1].person.save(update_fields=["name"])
    compliance_refresh(as_of=AS_OF)

    sheet = _sheet(province.get(EXPORT, {"team": team.pk}))

    cells = [row[5] for row in sheet.iter_rows(min_row=3)]
    # XML reads a carriage return back as a line feed; the cell is the same text.
    risky = [c for c in cells if c.value in (name, name.replace("\r", "\n"))]
    assert risky, "the member's findings are exported under their name"
    for cell in risky:
        assert cell.data_type == "s"
        assert cell.quotePrefix
    plain = [c for c in cells if c.value == members[0].person.name]
    assert plain and not any(c.quotePrefix for c in plain)


def test_export_refuses_a_bad_filter(world, province):
    response = province.get(EXPORT, {"severity": "fatal"})

    assert response.status_code == 400


def test_the_navigation_links_to_compliance_for_users_with_a_role(
    world, zhaojue_clerk, client, django_user_model
):
    nav_link = f'<a href="{OVERVIEW}" aria-current="page">'
    assert nav_link in text(zhaojue_clerk.get(OVERVIEW))
    client.logout()
    nobody = django_user_model.objects.create_user("nobody", password="x" * 12)
    client.force_login(nobody)
    response = client.get(OVERVIEW)
    assert response.status_code == 200 and nav_link not in text(response)
    assert response.context["summary"].total == 0
