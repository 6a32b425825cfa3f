"""The dashboards, the county workbench and the township page."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from attendance.models import AttendanceSubmission
from attendance.rollups import attendance_rollup
from tests.dashboards.conftest import build_world, team_of
from tests.factories import MembershipFactory, TownshipFactory
from villages.models import Region


def _dashboard(code):
    return reverse("dashboards:region", args=[code])


def test_the_province_lands_on_its_dashboard(client, world, province_user):
    client.force_login(province_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == _dashboard("510000")


def test_each_role_lands_on_the_page_of_its_job(client, world, scoped_user):
    township = world.township.code
    for role, scope, page in (
        ("prefecture", "513400", _dashboard("513400")),
        ("county", "513431", reverse("dashboards:workbench", args=["513431"])),
        ("township", township, reverse("dashboards:township", args=[township])),
    ):
        client.force_login(scoped_user(role, scope))
        assert client.get(reverse("home"))["Location"] == page
        assert client.get(reverse("dashboards:index"))["Location"] == page
        assert client.get(page).status_code == 200


def test_a_unit_stays_on_the_home_page(client, world, scoped_user):
    unit = world.full[0].memberships.first().unit
    client.force_login(scoped_user("unit", unit.name, "unit-user"))
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("dashboards:index")).status_code == 404


def test_the_province_dashboard_drills_down_to_the_prefecture(
    client, world, province_user
):
    client.force_login(province_user)
    text = client.get(_dashboard("510000")).content.decode()
    assert "四川省驻村工作看板" in text
    for chart in ("coverage", "teams", "liangshan", "grades"):
        assert f'id="chart-{chart}"' in text
        assert reverse("dashboards:export", args=["510000", chart]) in text
    assert "尚未进行合规检查" in text
    # The ranked chart and its table link each prefecture's dashboard.
    assert f'href="{_dashboard("513400")}"' in text
    assert "<svg" in text and "<table" in text
    assert "尚未汇总" in text


def test_the_county_dashboard_lists_teams_and_links_their_page(
    client, world, province_user
):
    client.force_login(province_user)
    text = client.get(_dashboard("513431")).content.decode()
    assert reverse("compliance:team", args=[world.short[0].pk]) in text
    assert reverse("dashboards:township", args=[world.township.code]) in text
    assert reverse("dashboards:workbench", args=["513431"]) in text


@pytest.mark.parametrize("copies", [1, 3])
def test_the_dashboard_takes_a_fixed_number_of_queries(
    client, db, today, province_user, django_assert_num_queries, copies
):
    build_world(copies)
    client.force_login(province_user)
    # session, user, scope; region; children, villages, teams, members; rollups
    # and the last rollup (none yet); cap: counties and two counts; findings by
    # rule (2); breadcrumbs; snapshot; unread reminders; permissions (2); session
    # save (3)
    with django_assert_num_queries(23):
        response = client.get(_dashboard("510000"))
    assert response.status_code == 200
    assert response.context["places"].total.teams == 3 * copies


def test_the_attendance_chart_reads_the_rollups(client, world, province_user):
    for team in (*world.full, *world.short, world.jinjiang_team):
        for m in team.memberships.all():
            m.attendance.create(month=datetime.date(2019, 11, 1), in_post_days=20)
    attendance_rollup(month=datetime.date(2019, 11, 1))
    client.force_login(province_user)
    response = client.get(_dashboard("510000"))
    chart = response.context["charts"]["attendance"]
    assert [(bar.label, bar.text) for bar in chart.bars] == [("2019-11", "66.7%")]
    assert "尚未汇总" not in response.content.decode()


def test_a_region_outside_the_scope_is_not_found(client, world, scoped_user):
    client.force_login(scoped_user("county", "513431"))
    for url in (
        _dashboard("510000"),
        _dashboard("513400"),
        _dashboard("510104"),
        reverse("dashboards:export", args=["510104", "coverage"]),
        reverse("dashboards:workbench", args=["510104"]),
        reverse(
            "dashboards:township", args=[world.jinjiang_team.village.township.code]
        ),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(_dashboard("513431")).status_code == 200


def test_a_prefecture_sees_its_counties_not_the_province(client, world, scoped_user):
    client.force_login(scoped_user("prefecture", "513400"))
    assert client.get(_dashboard("510000")).status_code == 404
    response = client.get(_dashboard("513400"))
    assert f'href="{_dashboard("513431")}"' in response.content.decode()
    # The province in the breadcrumbs is named but not linked.
    assert f'href="{_dashboard("510000")}"' not in response.content.decode()


def test_the_export_writes_formula_like_names_as_text(client, world, province_user):
    TownshipFactory(parent=world.zhaojue, name="=HYPERLINK(1)")
    client.force_login(province_user)
    response = client.get(reverse("dashboards:export", args=["513431", "coverage"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    bad = [c for c in cells if c.value == "=HYPERLINK(1)"]
    assert len(bad) == 1 and bad[0].data_type == "s"
    assert [c.value for c in next(sheet.iter_rows())][:2] == ["乡（镇）", "覆盖率"]


def test_the_export_of_an_unknown_chart_is_not_found(client, world, province_user):
    client.force_login(province_user)
    url = reverse("dashboards:export", args=["510000", "nothing"])
    assert client.get(url).status_code == 404


def test_the_workbench_lists_what_to_do_with_links(client, world, scoped_user):
    unfit = MembershipFactory(
        team=world.full[0],
        end_date=None,
        unfit_marked_on=datetime.date(2019, 12, 1),
        replacement_deadline=datetime.date(2020, 1, 31),
    )
    AttendanceSubmission.objects.create(
        township=world.township,
        month=datetime.date(2019, 1, 1),
        submitted_at=datetime.datetime(2019, 2, 3, tzinfo=datetime.UTC),
    )
    client.force_login(scoped_user("county", "513431"))
    response = client.get(reverse("dashboards:workbench", args=["513431"]))
    text = response.content.decode()
    assert reverse("admin:teams_membership_change", args=[unfit.pk]) in text
    assert reverse("compliance:team", args=[world.short[0].pk]) in text
    assert reverse("compliance:team", args=[world.full[0].pk]) not in text
    # January is submitted; February to November are due and missing.
    months = [m.month.month for m, _url in response.context["missing_months"]]
    assert months == list(range(2, 12))
    assert f"township={world.township.code}&amp;month=2019-02" in text
    assert reverse("assessments:letter-missing") + "?county=513431" in text
    assert response.context["grading"].to_grade == 7


def test_the_workbench_takes_a_fixed_number_of_queries(
    client, world, scoped_user, django_assert_num_queries
):
    client.force_login(scoped_user("county", "513431"))
    url = reverse("dashboards:workbench", args=["513431"])
    # session, user, scope; county; teams; findings by rule (2); breadcrumbs;
    # severities; townships, submissions; unfit; grading (4); snapshot; unread
    # reminders; permissions (2); session save (3)
    with django_assert_num_queries(23):
        client.get(url)
    build_world(2)
    with django_assert_num_queries(23):
        response = client.get(url)
    assert len(response.context["short_teams"]) == 3


def test_the_township_page_shows_its_months_visits_and_reminders(
    client, world, scoped_user
):
    user = scoped_user("township", world.township.code)
    user.reminders.create(
        kind="attendance_due",
        period="2019-11",
        object_id=world.township.pk,
        object_label=world.township.name,
        message="请报送11月考勤",
        region=world.township,
    )
    client.force_login(user)
    response = client.get(reverse("dashboards:township", args=[world.township.code]))
    text = response.content.decode()
    assert "2019年11月考勤表" in text and "2019年12月考勤表" in text
    assert f"township={world.township.code}&amp;month=2019-11" in text
    # November was due on 5 December; December is due on 5 January.
    assert "逾期未报送（应于12月5日前）" in text
    assert "未报送，1月5日前报送" in text
    assert "请报送11月考勤" in text
    assert len(response.context["visits"]) == 2


def test_a_township_clerk_cannot_open_another_township(client, world, scoped_user):
    client.force_login(scoped_user("township", world.township.code))
    other = Region.objects.get(code=world.jinjiang_team.village.township.code)
    assert (
        client.get(reverse("dashboards:township", args=[other.code])).status_code == 404
    )
    assert (
        client.get(reverse("dashboards:workbench", args=["513431"])).status_code == 404
    )


def test_the_township_page_takes_a_fixed_number_of_queries(
    client, world, scoped_user, django_assert_num_queries
):
    client.force_login(scoped_user("township", world.township.code))
    url = reverse("dashboards:township", args=[world.township.code])
    client.get(url)
    for size in (1, 2, 3):
        team_of(world.township, size)
    # session, user, scope; township; visits; breadcrumbs; submissions; reminders;
    # unread reminders; permissions (2); session save (3)
    with django_assert_num_queries(14):
        client.get(url)
