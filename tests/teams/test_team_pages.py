"""The team list (/teams/) and the team page (/teams/<pk>/)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from compliance.services import compliance_refresh
from teams.models import Membership
from tests.assessments.factories import (
    FundFactory,
    HouseholdVisitFactory,
    MonthlyAttendanceFactory,
    TeamReportFactory,
    TrainingEventFactory,
    TrainingRecordFactory,
)
from tests.factories import (
    MembershipFactory,
    TeamFactory,
    TermFactory,
    TownshipFactory,
    VillageFactory,
)
from villages.models import Region

D = datetime.date
TODAY = D(2019, 12, 31)
LIST = "/teams/"


@pytest.fixture(autouse=True)
def today(settings):
    settings.ZHUCUN_TODAY = TODAY
    return TODAY


def team_of(county_code: str, size: int, village_name: str | None = None):
    """A team of ``size`` members in post (the first is the first secretary)."""
    county = Region.objects.get(code=county_code)
    township = TownshipFactory(parent=county)
    village = VillageFactory(
        township=township,
        county=county,
        **({"name": village_name} if village_name else {}),
    )
    team = TeamFactory(village=village)
    for i in range(size):
        role = Membership.Role.FIRST_SECRETARY if i == 0 else Membership.Role.MEMBER
        MembershipFactory(team=team, role=role)
    return team


def with_records(team) -> None:
    """Attendance, visits, a report, training and a fund for each member/the team."""
    for m in team.memberships.all():
        MonthlyAttendanceFactory(membership=m, month=D(2019, 11, 1), in_post_days=22)
        MonthlyAttendanceFactory(membership=m, month=D(2019, 12, 1), in_post_days=20)
        TrainingRecordFactory(
            person=m.person, event=TrainingEventFactory(days=Decimal("3"))
        )
        HouseholdVisitFactory(team=team, membership=m, visited_on=D(2019, 11, 5))
    TeamReportFactory(team=team, year=2019, quarter=4)
    FundFactory(team=team, year=2019)


@pytest.fixture
def county_user(db, scoped_user):
    return scoped_user("county", "513431")


# --- the list ----------------------------------------------------------------------


def test_the_list_shows_the_teams_in_scope_only(client, county_user):
    mine = team_of("513431", 4, "甲村")
    other = team_of("510104", 3, "乙村")
    client.force_login(county_user)
    response = client.get(LIST)
    assert response.status_code == 200
    shown = [t.pk for t in response.context["page"]]
    assert shown == [mine.pk]
    text = response.content.decode()
    assert reverse("teams:team-detail", args=[mine.pk]) in text
    assert other.village.name not in text


def test_the_list_searches_filters_and_sorts(client, province_user):
    full = team_of("513431", 4, "大河村")
    short = team_of("513431", 2, "小河村")  # Liangshan needs 4: short
    chengdu = team_of("510104", 3, "锦江村")  # 3 is enough outside Liangshan
    client.force_login(province_user)

    def pks(**params):
        return [t.pk for t in client.get(LIST, params).context["page"]]

    assert pks(q="河村") == [full.pk, short.pk]
    assert pks(region="510100") == [chengdu.pk]  # a prefecture: with its counties
    assert pks(region=short.village.township.code) == [short.pk]
    assert pks(short="1") == [short.pk]
    assert pks(liangshan="1", sort="members") == [short.pk, full.pk]
    assert pks(sort="-members")[0] == full.pk
    assert set(pks(term=full.term.pk)) == {full.pk, short.pk, chengdu.pk}
    # Unknown answers as outside the scope does: 404, not an empty list.
    assert client.get(LIST, {"region": "999999"}).status_code == 404


@pytest.mark.parametrize("copies", [2, 6])
def test_the_list_takes_a_fixed_number_of_queries(
    client, county_user, django_assert_num_queries, copies
):
    for i in range(copies):
        team_of("513431", 3 + i % 2)
    client.force_login(county_user)
    # session, user, permissions (user, groups), scope; count; counties of the
    # region filter; the reminder bell; terms of the filter form; rows; the
    # session's new expiry (savepoint, update, release).
    with django_assert_num_queries(13):
        response = client.get(LIST, {"sort": "village"})
    assert len(response.context["page"]) == copies


def test_the_list_exports_the_roster_of_the_filtered_teams(client, province_user):
    liangshan = team_of("513431", 4)
    team_of("510104", 3)
    client.force_login(province_user)
    response = client.get(LIST, {"liangshan": "1", "format": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "身份证号码" in cells and "驻村职务" in cells
    names = {m.person.name for m in liangshan.memberships.all()}
    assert names <= set(cells)
    assert "锦江区" not in cells


# --- the team page -------------------------------------------------------------------


def test_the_team_page_shows_members_records_and_findings(client, county_user):
    team = team_of("513431", 2)  # short in Liangshan: a finding
    with_records(team)
    compliance_refresh(as_of=TODAY)
    client.force_login(county_user)
    response = client.get(reverse("teams:team-detail", args=[team.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    data = response.context["data"]
    for m in team.memberships.all():
        assert m.person.name in text
    assert "第一书记" in text and "队员" in text and "已选派，待备案" in text
    assert [row.month for row in data.attendance] == [D(2019, 12, 1), D(2019, 11, 1)]
    assert data.attendance[0].in_post_days == 40
    assert (data.visits[0].year, data.visits[0].quarter, data.visits[0].visits) == (
        2019,
        4,
        2,
    )
    assert len(data.reports) == 1 and "2019年第4季度" in text
    assert all(line.by_year == {2019: Decimal("3")} for line in data.training)
    assert len(data.funds) == 1 and "20,000.00" in text
    assert {"LIANGSHAN_TEAM_SIZE", "NOT_FILED"} & {f.rule for f in data.findings}
    assert all(f.team_id == team.pk for f in data.findings)
    assert data.findings[0].message in text
    assert reverse("compliance:team", args=[team.pk]) in text
    # The timeline has each recorded step of each member.
    kinds = [(e.membership.pk, e.kind) for e in data.timeline]
    for m in team.memberships.all():
        for kind in ("proposed_on", "reviewed_on", "appointed_on", "start_date"):
            assert (m.pk, kind) in kinds
    assert "机关工委审核" in text and "县委组织部选派（任职手续）" in text


@pytest.mark.parametrize("size", [2, 5])
def test_the_team_page_takes_a_fixed_number_of_queries(
    client, county_user, django_assert_num_queries, size
):
    team = team_of("513431", size)
    with_records(team)
    client.force_login(county_user)
    # session, user, permissions (user, groups), scope; the team; members;
    # attendance; visits; reports; training; funds; findings; the compliance
    # runs behind them (so that no findings before a run reads 「尚未检查」);
    # audit trail; the reminder bell; the session's new expiry (savepoint,
    # update, release); the findings' ?team= checked in the user's scope
    # (StrictFilterSet).
    with django_assert_num_queries(20):
        response = client.get(reverse("teams:team-detail", args=[team.pk]))
    assert len(response.context["members"]) == size


def test_another_countys_team_page_is_404(client, scoped_user):
    team = team_of("513431", 3)
    client.force_login(scoped_user("county", "510104"))
    assert client.get(reverse("teams:team-detail", args=[team.pk])).status_code == 404
    assert client.get(LIST).context["page"].paginator.count == 0


def test_only_the_county_sees_the_unfit_form(client, county_user, scoped_user):
    team = team_of("513431", 3)
    url = reverse("teams:team-detail", args=[team.pk])
    client.force_login(county_user)
    assert "认定能力素质不适应" in client.get(url).content.decode()
    client.force_login(scoped_user("prefecture", "513400"))
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["unfit_form"] is None


# --- the status column and the current teams by default ----------------------------


def ended_teams():
    """A team whose term is over (已期满) and one withdrawn early (已撤回), both empty."""
    old = TermFactory(
        name="2016—2018年驻村期",
        start_date=D(2016, 6, 1),
        end_date=D(2018, 5, 31),
        in_post_deadline=D(2016, 6, 30),
    )
    ended = team_of("513431", 0, "期满村")
    ended.term, ended.start_date, ended.end_date = old, old.start_date, old.end_date
    ended.save()
    withdrawn = team_of("513431", 0, "撤回村")
    withdrawn.end_date = D(2019, 6, 30)  # before its term's end (2020-05-31)
    withdrawn.save()
    return ended, withdrawn


def test_the_list_shows_current_teams_by_default_and_ended_ones_on_request(
    client, county_user
):
    """Ended teams are not judged on today's staffing: hidden, and never 「不足」."""
    current = team_of("513431", 2, "在驻村")  # short: Liangshan needs 4
    ended, withdrawn = ended_teams()
    client.force_login(county_user)

    def statuses(**params):
        response = client.get(LIST, params)
        return {t.pk: (t.status, t.short) for t in response.context["page"]}

    assert statuses() == {current.pk: ("in_post", True)}
    assert statuses(status="all") == {
        current.pk: ("in_post", True),
        ended.pk: ("ended", False),
        withdrawn.pk: ("withdrawn", False),
    }
    assert statuses(status="ended") == {ended.pk: ("ended", False)}
    assert statuses(status="withdrawn") == {withdrawn.pk: ("withdrawn", False)}
    assert statuses(status="all", short="1") == {current.pk: ("in_post", True)}
    text = client.get(LIST, {"status": "all"}).content.decode()
    assert text.count('data-status="ended">') == 1
    assert "已期满" in text and "已撤回" in text and "在驻" in text
    assert text.count('class="mark mark--bad">不足') == 1


def test_the_list_export_follows_the_status_filter(client, county_user):
    current = team_of("513431", 4, "在驻村")
    ended, _withdrawn = ended_teams()
    MembershipFactory(team=ended, role=Membership.Role.FIRST_SECRETARY)
    client.force_login(county_user)

    def names(**params):
        response = client.get(LIST, {"format": "xlsx", **params})
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return {c for row in sheet.iter_rows(values_only=True) for c in row if c}

    current_names = {m.person.name for m in current.memberships.all()}
    ended_name = ended.memberships.get().person.name
    assert current_names <= names() and ended_name not in names()
    assert ended_name in names(status="all")


def test_the_team_page_shows_the_status_and_no_shortfall_once_ended(
    client, county_user
):
    ended, withdrawn = ended_teams()
    client.force_login(county_user)
    for team, label in ((ended, "已期满"), (withdrawn, "已撤回")):
        response = client.get(reverse("teams:team-detail", args=[team.pk]))
        text = response.content.decode()
        assert label in text
        assert "不足4人" not in text
    short = team_of("513431", 2)
    text = client.get(reverse("teams:team-detail", args=[short.pk])).content.decode()
    assert "在驻" in text and "不足4人" in text
