"""The dashboards, the county workbench and the township page."""

import datetime
import io
from decimal import Decimal

import openpyxl
from django.urls import reverse

from attendance.models import AttendanceSubmission, PlaceSummary
from attendance.rollups import attendance_rollup
from dashboards.summaries import place_summary_refresh
from tests.assessments.factories import FundFactory
from tests.dashboards.conftest import build_world, bulk_villages, team_of
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


def test_a_unit_has_no_dashboard(client, world, scoped_user):
    unit = world.full[0].memberships.first().unit
    client.force_login(scoped_user("unit", unit.name, "unit-user"))
    assert "/dashboards/" not in client.get(reverse("home")).get("Location", "")
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
    # Before any run, the error count is unknown, not 0, and the check is offered.
    assert 'data-state="unchecked"><span class="stats__value">尚未检查' in text
    assert reverse("compliance:refresh") in text
    # The ranked chart and its table link each prefecture's dashboard.
    assert f'href="{_dashboard("513400")}"' in text
    assert "<svg" in text and "<table" in text
    # Which months are not summarised, in words: the rate is unknown, not 0.
    assert "尚未汇总，在岗率未知（不是0）" in text


def test_the_county_dashboard_lists_teams_and_links_their_page(
    client, world, province_user
):
    client.force_login(province_user)
    text = client.get(_dashboard("513431")).content.decode()
    assert reverse("teams:team-detail", args=[world.short[0].pk]) in text
    assert reverse("dashboards:township", args=[world.township.code]) in text
    assert reverse("dashboards:workbench", args=["513431"]) in text


def test_the_dashboard_takes_as_many_queries_for_2000_villages_as_for_200(
    client, db, today, province_user, django_assert_num_queries
):
    """Counted afresh (no summary yet) and read from the summary, at either size."""
    client.force_login(province_user)
    url = _dashboard("510000")
    for size, more in ((200, 200), (2000, 1800)):
        bulk_villages(more)
        # session, user, scope; region; prefectures and counties; summary (none);
        # villages, teams, visits, training, funds, cap (2);
        # attendance rollups and the last rollup (none yet); findings (2);
        # breadcrumbs; snapshot; unread reminders; permissions (2); session (3)
        with django_assert_num_queries(25):
            response = client.get(url)
        assert response.context["places"].total.teams == size
        assert response.context["places"].total.visit_done[3] == size
        assert "本年度尚未生成县级看板汇总" in response.content.decode()
        place_summary_refresh()
        # session, user, scope; region; prefectures and counties; summary;
        # attendance rollups and the last rollup (none yet); findings (2);
        # breadcrumbs; snapshot; unread reminders; permissions (2); session (3)
        with django_assert_num_queries(18):
            response = client.get(url)
        assert response.context["places"].total.teams == size
        assert response.context["places"].total.visit_done[3] == size
        assert "各县数据取自县级看板汇总" in response.content.decode()
        PlaceSummary.objects.all().delete()


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


def test_the_attendance_chart_shows_the_twelve_months_up_to_today(
    client, world, province_user
):
    """On 2019-12-31 the chart runs January to December 2019, not a month short."""
    members = [m for t in world.full for m in t.memberships.all()]
    months = [datetime.date(2019, n, 1) for n in range(1, 13)]
    before = datetime.date(2018, 12, 1)  # thirteen months back: not shown
    for month in (before, *months):
        for m in members:
            m.attendance.create(month=month, in_post_days=20)
        attendance_rollup(month=month)
    client.force_login(province_user)

    chart = client.get(_dashboard("510000")).context["charts"]["attendance"]

    assert [bar.label for bar in chart.bars] == [f"{m:%Y-%m}" for m in months]


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
    assert reverse("teams:team-detail", args=[world.short[0].pk]) in text
    assert reverse("teams:team-detail", args=[world.full[0].pk]) not in text
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


def test_the_dashboard_shows_visits_training_and_funds_with_exports(
    client, world, province_user
):
    client.force_login(province_user)
    text = client.get(_dashboard("510000")).content.decode()
    for chart in ("visits", "visit-quarters", "training", "funds", "ranking"):
        assert f'id="chart-{chart}"' in text, chart
        assert reverse("dashboards:export", args=["510000", chart]) in text
    assert "2019年第四季度入户走访覆盖率" in text
    assert "2019年培训达标率" in text
    assert "每队每年20,000元" in text


def test_each_new_figure_drills_down_to_the_county_and_its_teams(
    client, world, province_user
):
    client.force_login(province_user)
    prefecture = client.get(_dashboard("513400"))
    for slug in ("visits", "training", "funds"):
        urls = [bar.url for bar in prefecture.context["charts"][slug].bars]
        assert _dashboard("513431") in urls, slug
    county = client.get(_dashboard("513431"))
    for slug in ("visits", "training", "funds"):
        urls = [bar.url for bar in county.context["charts"][slug].bars]
        assert reverse("dashboards:township", args=[world.township.code]) in urls
    text = county.content.decode()
    assert reverse("teams:team-detail", args=[world.full[0].pk]) in text
    assert "第四季度已走访/农户" in text


def test_the_ranking_orders_places_by_the_chosen_measure(client, world, province_user):
    FundFactory(team=world.jinjiang_team, amount=Decimal("20000"))
    client.force_login(province_user)
    response = client.get(_dashboard("510000"), {"measure": "funds"})
    ranking = response.context["charts"]["ranking"]
    assert ranking.bars[0].label == "成都市" and ranking.bars[0].text == "100.0%"
    assert ranking.bars[1].label == "凉山彝族自治州"
    assert ranking.bars[1].text == "0.0%"
    # Places without teams have no rate and come last.
    assert ranking.bars[-1].text == "—"
    export = reverse("dashboards:export", args=["510000", "ranking"])
    assert f"{export}?measure=funds" in response.content.decode()
    by_county = client.get(_dashboard("510000"), {"measure": "funds", "by": "county"})
    labels = [bar.label for bar in by_county.context["charts"]["ranking"].bars]
    assert labels[:2] == ["锦江区", "昭觉县"]
    # An unknown measure falls back to coverage.
    fallback = client.get(_dashboard("510000"), {"measure": "nothing"})
    assert fallback.context["ranking"] == {"measure": "coverage", "by": ""}


def test_the_ranking_exports_the_chosen_measure(client, world, province_user):
    client.force_login(province_user)
    url = reverse("dashboards:export", args=["510000", "ranking"])
    response = client.get(url, {"measure": "training", "by": "county"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("县（市、区）", "培训达标率", "达标队员", "年内在任队员")
    assert {row[0] for row in rows[1:3]} == {"昭觉县", "锦江区"}


def test_a_county_clerk_cannot_rank_the_province(client, world, scoped_user):
    client.force_login(scoped_user("county", "513431"))
    url = reverse("dashboards:export", args=["510000", "ranking"])
    assert client.get(url, {"measure": "funds"}).status_code == 404
    # Their own county's ranking is of its townships only.
    response = client.get(_dashboard("513431"), {"measure": "visits"})
    labels = [bar.label for bar in response.context["charts"]["ranking"].bars]
    assert labels == [world.township.name]


def test_the_header_names_the_user_role_and_region(
    client, world, scoped_user, django_assert_num_queries
):
    user = scoped_user("county", "513431")
    user.first_name = "张三"
    user.save()
    client.force_login(user)
    url = reverse("dashboards:workbench", args=["513431"])
    # The workbench reads the scope anyway: the header adds no query (23 before).
    with django_assert_num_queries(23):
        response = client.get(url)
    text = response.content.decode()
    assert (
        '<span class="site-header__name">张三<span class="site-header__role">'
        ' · 县委组织部</span><span class="site-header__place"> · 昭觉县</span>'
    ) in text


def test_the_county_dashboard_takes_a_fixed_number_of_queries(
    client, world, province_user, django_assert_num_queries
):
    client.force_login(province_user)
    url = _dashboard("513431")
    client.get(url)
    build_world(2)
    # session, user, scope; county; townships; villages, the teams' seven,
    # their townships, the townships' visits, cap (2); attendance rollups and
    # the last rollup; findings (2); breadcrumbs; snapshot; teams; unread
    # reminders; permissions (2); session (3)
    with django_assert_num_queries(30):
        response = client.get(url)
    assert len(response.context["teams"]) == 6
    assert sum(r.counts.served for r in response.context["teams"]) == 18


def test_the_prefecture_dashboard_sums_its_counties_summaries(
    client, world, scoped_user
):
    place_summary_refresh()
    team_of(world.township, 3)  # after the refresh: waits for the next one
    client.force_login(scoped_user("prefecture", "513400"))
    response = client.get(_dashboard("513400"))
    text = response.content.decode()
    places = response.context["places"]
    assert places.summarised and "各县数据取自县级看板汇总" in text
    assert places.total.teams == 2 and places.total.members == 6
    assert {r.region.code for r in places.rows if r.teams} == {"513431"}
    # Another prefecture's dashboard, and its summary, stay out of reach.
    assert client.get(_dashboard("510100")).status_code == 404
