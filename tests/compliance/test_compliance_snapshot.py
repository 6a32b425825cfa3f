"""The compliance snapshot: refresh, region replacement, placement, runs, the task, access."""

import datetime
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance import services as compliance_services
from compliance.models import ComplianceRun, FindingRecord
from compliance.rules import evaluate, rule_codes
from compliance.selectors import (
    finding_drilldown,
    finding_list,
    finding_summary,
    snapshot_status,
)
from compliance.services import compliance_refresh, compliance_request
from compliance.tasks import compliance_refresh_task
from tests.assessments.factories import PENGZHOU, ZHAOJUE, staffed_team, village_in
from tests.compliance.compliance_world import AS_OF, compliance_world
from tests.factories import county
from villages.models import Region
from zhucun.models import AuditEntry

pytestmark = pytest.mark.django_db

FIELDS = (
    "rule",
    "severity",
    "object_type",
    "object_id",
    "label",
    "county_code",
    "period",
    "message",
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counts are kept in the cache per snapshot; each test starts without them."""
    cache.clear()


@pytest.fixture
def world(db):
    return compliance_world()


def stored() -> list[tuple]:
    """The snapshot's findings, in the engine's terms, sorted."""
    return sorted(
        tuple(getattr(f, name) for name in FIELDS)
        for f in FindingRecord.objects.select_related("county")
    )


def engine(region=None) -> list[tuple]:
    return sorted(
        tuple(getattr(f, name) for name in FIELDS) for f in evaluate(AS_OF, region)
    )


def test_a_province_refresh_stores_exactly_what_the_engine_finds(world):
    run = compliance_refresh(as_of=AS_OF)

    assert stored() == engine()
    run.refresh_from_db()
    assert run.status == ComplianceRun.Status.DONE
    assert run.finding_count == FindingRecord.objects.count() > 0
    assert run.started_at <= run.finished_at
    assert set(run.rule_seconds) == set(rule_codes())
    assert {f.object_type for f in FindingRecord.objects.all()} == {
        "village",
        "team",
        "member",
        "unit",
        "county",
        "pairing",
    }


def test_refresh_is_idempotent(world):
    compliance_refresh(as_of=AS_OF)
    first = stored()

    compliance_refresh(as_of=AS_OF)

    assert stored() == first
    assert ComplianceRun.objects.count() == 1  # the first run was superseded


def test_each_finding_is_placed_at_its_township_county_or_unit_region(world):
    compliance_refresh(as_of=AS_OF)
    team = world.zhaojue_team
    township_path = team.village.township.path

    too_small = FindingRecord.objects.get(rule="LIANGSHAN_TEAM_SIZE")
    assert (too_small.path, too_small.team_id, too_small.person_id) == (
        township_path,
        team.pk,
        None,
    )
    secretary = world.zhaojue_members[0]
    missing = FindingRecord.objects.get(
        rule="ASSESSMENT_MISSING", object_id=secretary.pk
    )
    assert (missing.path, missing.team_id, missing.person_id) == (
        township_path,
        team.pk,
        secretary.person_id,
    )
    bare = FindingRecord.objects.get(
        rule="VILLAGE_WITHOUT_TEAM", label__contains="乙县"
    )
    assert bare.path == world.bare_village.township.path and bare.team_id is None
    meeting = FindingRecord.objects.get(
        rule="NO_QUARTERLY_LEADER_MEETING", county__code=ZHAOJUE
    )
    assert meeting.path == county(ZHAOJUE).path
    pairing = FindingRecord.objects.get(rule="PAIRING_QUOTA_SHORT")
    assert pairing.path == world.pairing.assisted_county.path
    unit = FindingRecord.objects.get(rule="UNIT_QUOTA_SHORT")
    assert (unit.path, unit.county_id) == ("510000/", None)


def test_a_county_refresh_replaces_only_that_countys_findings(world):
    compliance_refresh(as_of=AS_OF)
    before = stored()
    zhaojue = county(ZHAOJUE)
    pengzhou_ids = set(
        FindingRecord.objects.filter(county__code=PENGZHOU).values_list("pk", flat=True)
    )
    # Zhaojue's team gets a fourth member: LIANGSHAN_TEAM_SIZE goes away there; a
    # new Pengzhou village without a team must not appear before Pengzhou is checked.
    from tests.assessments.factories import member

    member(world.zhaojue_team)
    village_in(PENGZHOU, name="后来的村")

    run = compliance_refresh(as_of=AS_OF, region=zhaojue)

    assert stored() != before
    assert not FindingRecord.objects.filter(rule="LIANGSHAN_TEAM_SIZE").exists()
    assert not FindingRecord.objects.filter(label__contains="后来的村").exists()
    assert (
        set(
            FindingRecord.objects.filter(county__code=PENGZHOU).values_list(
                "pk", flat=True
            )
        )
        == pengzhou_ids
    )
    mine = FindingRecord.objects.filter(path__startswith=zhaojue.path)
    assert sorted(
        tuple(getattr(f, n) for n in FIELDS) for f in mine.select_related("county")
    ) == engine(zhaojue)
    assert set(mine.values_list("run", flat=True)) == {run.pk}
    # Both runs stand: the province's behind the rest, the county's behind its own.
    assert ComplianceRun.objects.filter(status="done").count() == 2


def test_a_county_refresh_leaves_out_findings_that_lie_elsewhere(world):
    """都江堰市 assists 色达县: its refresh sees the pairing but does not own it."""
    compliance_refresh(as_of=AS_OF)
    before = stored()

    compliance_refresh(as_of=AS_OF, region=world.pairing.assisting_county)

    assert stored() == before
    assert FindingRecord.objects.filter(rule="PAIRING_QUOTA_SHORT").count() == 1


def test_a_province_refresh_supersedes_the_county_runs(world):
    compliance_refresh(as_of=AS_OF, region=county(ZHAOJUE))
    compliance_refresh(as_of=AS_OF, region=county(PENGZHOU))

    run = compliance_refresh(as_of=AS_OF)

    assert list(ComplianceRun.objects.all()) == [run]
    assert stored() == engine()


def test_a_refresh_that_fails_is_recorded_and_keeps_the_old_findings(
    world, monkeypatch
):
    compliance_refresh(as_of=AS_OF)
    before = stored()

    def broken(*args, **kwargs):
        raise RuntimeError("数据库断开")

    monkeypatch.setattr("compliance.services.run_rules", broken)
    with pytest.raises(RuntimeError):
        compliance_refresh(as_of=AS_OF, region=county(ZHAOJUE))

    failed = ComplianceRun.objects.get(status=ComplianceRun.Status.FAILED)
    assert "数据库断开" in failed.error and failed.finished_at is not None
    assert stored() == before
    status = snapshot_status(user=_superuser(), region=county(ZHAOJUE))
    assert status.failed == failed and status.run.region_id is None


def test_a_refresh_is_audited(world):
    run = compliance_refresh(as_of=AS_OF, region=county(ZHAOJUE))

    entry = AuditEntry.objects.get(model="compliance.compliancerun")
    assert entry.object_id == str(run.pk)
    assert entry.county_code == ZHAOJUE
    assert entry.changes["finding_count"] == run.finding_count


def _reads(queries) -> int:
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith("SELECT"))


def test_the_findings_of_a_refresh_are_placed_in_a_fixed_number_of_reads(world):
    """The placement reads each kind of object once, not once per finding.

    (Inserts come in batches, so only reads are compared.)
    """
    compliance_refresh(as_of=AS_OF)
    with CaptureQueriesContext(connection) as few:
        compliance_refresh(as_of=AS_OF)
    small = FindingRecord.objects.count()
    for _ in range(5):
        staffed_team(PENGZHOU, size=2)
    with CaptureQueriesContext(connection) as many:
        compliance_refresh(as_of=AS_OF)

    assert FindingRecord.objects.count() > 2 * small
    assert _reads(many) == _reads(few)


# --- the Celery task and the queue ----------------------------------------------


@pytest.fixture
def eager():
    """Celery runs tasks in the calling process, as a worker would."""
    from zhucun.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


def test_the_nightly_task_refreshes_the_province(world, settings, eager):
    settings.ZHUCUN_TODAY = AS_OF

    run_id = compliance_refresh_task.delay().get()

    run = ComplianceRun.objects.get(pk=run_id)
    assert (run.status, run.as_of, run.region) == ("done", AS_OF, None)
    assert stored() == engine()


def test_the_nightly_schedule_names_the_task():
    from zhucun.celery import app
    from zhucun.schedules import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["assessments.compliance-nightly"]
    assert entry["task"] == compliance_refresh_task.name
    assert entry["task"] in app.tasks


def test_a_queued_run_is_carried_out_by_the_task_once(
    world, eager, django_capture_on_commit_callbacks
):
    """compliance_request sends the task on commit; the worker carries it out."""
    with django_capture_on_commit_callbacks(execute=True):
        run, created = compliance_request(region=None, as_of=AS_OF)

    run.refresh_from_db()
    assert created and run.status == ComplianceRun.Status.DONE
    assert stored() == engine()
    # A second delivery of the same message finds the run taken and does nothing.
    assert compliance_refresh_task.delay(run_id=run.pk).get() is None
    assert ComplianceRun.objects.count() == 1


def test_a_second_request_for_a_queued_region_is_not_queued_again(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        first, created = compliance_request(region=county(ZHAOJUE), as_of=AS_OF)
        again, created_again = compliance_request(region=county(ZHAOJUE), as_of=AS_OF)

    assert created and not created_again and again == first
    assert len(callbacks) == 1
    assert first.status == ComplianceRun.Status.PENDING
    status = snapshot_status(user=_superuser(), region=county(ZHAOJUE))
    assert status.live == [first] and status.run is None


def test_a_queued_run_taken_for_dead_after_an_hour_may_be_requested_again(world):
    stale, _ = compliance_request(region=None, as_of=AS_OF)
    ComplianceRun.objects.filter(pk=stale.pk).update(
        requested_at=stale.requested_at - datetime.timedelta(hours=2)
    )

    fresh, created = compliance_request(region=None, as_of=AS_OF)

    assert created and fresh != stale


# --- selectors ---------------------------------------------------------------


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "r@example.com", "x" * 12)


def test_summary_counts_every_rule_by_severity(world):
    compliance_refresh(as_of=AS_OF)
    found = evaluate(AS_OF)

    summary = finding_summary(user=_superuser())

    assert [row.code for row in summary.rows] == rule_codes()
    for row in summary.rows:
        assert row.error == sum(
            1 for f in found if f.rule == row.code and f.severity == "error"
        )
        assert row.warning == sum(
            1 for f in found if f.rule == row.code and f.severity == "warning"
        )
    assert summary.total == len(found)


def test_drilldown_counts_by_prefecture_county_and_team(world):
    compliance_refresh(as_of=AS_OF)
    user = _superuser()
    found = evaluate(AS_OF)
    province = Region.objects.get(level="province")

    by_prefecture = {
        row.region.code if row.region else None: row.count
        for row in finding_drilldown(user=user, region=province).rows
    }
    by_county = {
        row.region.code: row.count
        for row in finding_drilldown(user=user, region=county("513400")).rows
    }
    by_team = finding_drilldown(user=user, region=county(ZHAOJUE))

    assert len(by_prefecture) == 22  # 21 prefectures and the province's own row
    assert by_prefecture["510000"] == sum(1 for f in found if not f.county_code)
    assert by_prefecture["510100"] == sum(
        1 for f in found if f.county_code.startswith("5101")
    )
    assert by_prefecture["513400"] == sum(
        1 for f in found if f.county_code.startswith("5134")
    )
    assert by_county[ZHAOJUE] == sum(1 for f in found if f.county_code == ZHAOJUE)
    assert sum(by_county.values()) == by_prefecture["513400"]
    assert by_team.by_team
    rows = {row.team_id or row.object_type: row for row in by_team.rows}
    team_findings = FindingRecord.objects.filter(team=world.zhaojue_team)
    assert rows[world.zhaojue_team.pk].count == team_findings.count()
    assert rows[world.zhaojue_team.pk].label.endswith("甲县专用村驻村工作队")
    assert rows["county"].count == 1 and rows["village"].count == 1


def test_drilldown_follows_the_filters(world):
    compliance_refresh(as_of=AS_OF)
    province = Region.objects.get(level="province")

    rows = finding_drilldown(
        user=_superuser(),
        region=province,
        filters={"rule": "LIANGSHAN_TEAM_SIZE", "region": "510100"},
    ).rows

    assert {row.region.code: row.count for row in rows if row.count} == {"513400": 1}


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"rule": "TEAM_TOO_SMALL"}, lambda f: f.rule == "TEAM_TOO_SMALL"),
        ({"severity": "warning"}, lambda f: f.severity == "warning"),
        ({"region": "513400"}, lambda f: f.county_code.startswith("5134")),
        ({"period": "2019"}, lambda f: f.period.startswith("2019")),
        ({"period": "2019Q2"}, lambda f: f.period == "2019Q2"),
        ({"period": "2019-03"}, lambda f: f.period == "2019-03"),
        (
            {"rule": "ATTENDANCE_NOT_RECORDED", "region": ZHAOJUE, "period": "2019"},
            lambda f: (
                f.rule == "ATTENDANCE_NOT_RECORDED"
                and f.county_code == ZHAOJUE
                and f.period.startswith("2019")
            ),
        ),
    ],
)
def test_list_filters_match_the_engine(world, filters, expected):
    compliance_refresh(as_of=AS_OF)

    rows = finding_list(user=_superuser(), filters=filters)

    wanted = sorted(
        tuple(getattr(f, n) for n in FIELDS) for f in evaluate(AS_OF) if expected(f)
    )
    assert wanted
    assert sorted(tuple(getattr(f, n) for n in FIELDS) for f in rows) == wanted


def test_a_township_code_narrows_to_the_township(world):
    compliance_refresh(as_of=AS_OF)
    township = world.zhaojue_team.village.township

    rows = finding_list(user=_superuser(), filters={"region": township.code})

    assert rows.exists()
    assert all(f.path == township.path for f in rows)


# --- access -----------------------------------------------------------------

ROLES = [
    ("county", lambda w: ZHAOJUE),
    ("prefecture", lambda w: "513400"),
    ("township", lambda w: w.zhaojue_team.village.township.code),
    ("unit", lambda w: w.zhaojue_unit.name),
    ("committee", lambda w: w.committee.name),
]


@pytest.mark.parametrize("role, scope_of", ROLES)
def test_each_role_sees_its_own_findings_and_none_of_the_other_county(
    world, scoped_user, role, scope_of
):
    compliance_refresh(as_of=AS_OF)
    user = scoped_user(role, scope_of(world))

    mine = finding_list(user=user)

    assert mine.exists()
    assert not mine.filter(path__startswith=county(PENGZHOU).path).exists()
    assert not mine.filter(label__contains="乙县").exists()
    if role in ("unit", "committee"):
        # Only what is about their own unit and its people.
        assert set(mine.values_list("object_type", flat=True)) == {"member"}
        assert set(mine.values_list("person_id", flat=True)) == {
            m.person_id for m in world.zhaojue_members
        }


def test_a_user_without_scope_sees_no_finding_and_no_run(world, django_user_model):
    compliance_refresh(as_of=AS_OF)
    nobody = django_user_model.objects.create_user("nobody", password="x" * 12)

    assert not finding_list(user=nobody).exists()
    assert snapshot_status(user=nobody, region=None).run is None


def test_a_county_sees_the_province_run_and_its_own_but_not_anothers(
    world, scoped_user
):
    province_run = compliance_refresh(as_of=AS_OF)
    own = compliance_refresh(as_of=AS_OF, region=county(ZHAOJUE))
    compliance_refresh(as_of=AS_OF, region=county(PENGZHOU))
    clerk = scoped_user("county", ZHAOJUE)

    status = snapshot_status(user=clerk, region=county(ZHAOJUE))
    above = snapshot_status(user=clerk, region=county("513400"))

    assert status.run == own and status.below == []
    assert above.run == province_run and above.below == [own]


# --- concurrency --------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_overlapping_refreshes_never_store_a_finding_twice(on_postgres, monkeypatch):
    """The province's nightly run and a county's button, writing at the same moment.

    Both evaluate, then meet at a barrier and write together: the snapshot's lock
    makes one wait for the other, so the second one's delete sees the first one's
    rows. (SQLite serialises writers anyway.)
    """
    if not on_postgres:
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no two writes race")
    compliance_world()
    zhaojue = county(ZHAOJUE)
    barrier = threading.Barrier(2)
    evaluated = compliance_services.finding_records

    def evaluated_then_together(*args, **kwargs):
        records = evaluated(*args, **kwargs)
        barrier.wait(timeout=30)
        return records

    monkeypatch.setattr(compliance_services, "finding_records", evaluated_then_together)
    errors: list[str] = []

    def refresh(region):
        try:
            compliance_refresh(as_of=AS_OF, region=region)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=refresh, args=(region,)) for region in (None, zhaojue)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert stored() == engine()
