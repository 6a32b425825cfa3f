"""Unknown is not zero: a page without a compliance run says 「尚未检查」, never 0 or
「没有问题」; after a run it says when; a run nobody takes says the worker is down."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from compliance.models import ComplianceRun, FindingRecord
from compliance.services import compliance_refresh
from tests.assessments.factories import ZHAOJUE, staffed_team
from tests.compliance.compliance_world import AS_OF
from villages.models import Region

WORKER_DOWN = "后台服务未运行：检查任务排队超过1分钟仍未开始"


@pytest.fixture(autouse=True)
def _day(settings):
    settings.ZHUCUN_TODAY = AS_OF
    cache.clear()


@pytest.fixture
def clerk(client, scoped_user):
    client.force_login(scoped_user("county", ZHAOJUE))
    return client


@pytest.fixture
def team(db):
    """A full 昭觉县 team (4 members): a run finds nothing about it."""
    team, _members = staffed_team(ZHAOJUE, size=4)
    return team


def pages(team) -> dict[str, str]:
    return {
        "team": reverse("teams:team-detail", args=[team.pk]),
        "compliance_team": reverse("compliance:team", args=[team.pk]),
        "workbench": reverse("dashboards:workbench", args=[ZHAOJUE]),
        "dashboard": reverse("dashboards:region", args=[ZHAOJUE]),
        "overview": reverse("compliance:overview"),
    }


def test_before_any_run_every_page_says_not_checked(clerk, team):
    for name, url in pages(team).items():
        body = clerk.get(url).content.decode()
        assert "尚未检查" in body, name
        assert "没有合规问题" not in body, name
        assert "最近一次检查未发现" not in body, name
    workbench = clerk.get(pages(team)["workbench"]).content.decode()
    assert reverse("compliance:refresh") in workbench  # the check is offered


def test_after_a_run_the_pages_say_when_and_what(clerk, team):
    compliance_refresh(as_of=AS_OF, region=Region.objects.get(code=ZHAOJUE))
    urls = pages(team)
    body = clerk.get(urls["team"]).content.decode()
    assert "合规检查数据截至2019年6月30日" in body
    assert "尚未检查" not in body
    body = clerk.get(urls["compliance_team"]).content.decode()
    assert "数据截至 <strong>2019年6月30日" in body and "尚未检查" not in body
    body = clerk.get(urls["workbench"]).content.decode()
    assert "检查日期：2019年6月30日" in body and "尚未检查" not in body
    body = clerk.get(urls["dashboard"]).content.decode()
    assert "截至6月30日" in body and 'data-state="unchecked"' not in body


def test_a_team_without_findings_after_a_run_says_so(clerk, team):
    """「没有合规问题」 is said only when a run covered the team and found nothing."""
    compliance_refresh(as_of=AS_OF, region=Region.objects.get(code=ZHAOJUE))
    FindingRecord.objects.filter(team=team).delete()  # a clean team, same run
    cache.clear()
    body = clerk.get(pages(team)["team"]).content.decode()
    assert "本队及队员没有合规问题。" in body


def _queued(seconds_ago: int) -> ComplianceRun:
    return ComplianceRun.objects.create(
        as_of=AS_OF,
        region=None,
        status=ComplianceRun.Status.PENDING,
        requested_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )


@pytest.mark.parametrize(
    ("seconds_ago", "down"),
    [(10, False), (59, False), (61, True), (600, True), (3 * 3600, True)],
)
def test_a_run_queued_over_a_minute_says_no_worker_runs(
    client, province_user, db, seconds_ago, down
):
    _queued(seconds_ago)
    client.force_login(province_user)
    body = client.get(reverse("compliance:overview")).content.decode()
    assert "排队中" in body
    assert (WORKER_DOWN in body) is down
    body = client.get(reverse("dashboards:workbench", args=[ZHAOJUE])).content.decode()
    assert (WORKER_DOWN in body) is down


def test_a_run_never_taken_stops_warning_once_a_later_run_replaces_it(
    client, province_user, db
):
    """The worker-down notice lasts until the queued run is taken or superseded."""
    _queued(3 * 3600)
    client.force_login(province_user)
    url = reverse("compliance:overview")
    assert WORKER_DOWN in client.get(url).content.decode()
    compliance_refresh(as_of=AS_OF, user=None)
    cache.clear()
    body = client.get(url).content.decode()
    assert WORKER_DOWN not in body
    assert "排队中" not in body
