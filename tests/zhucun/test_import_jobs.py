"""Imports through the page and the API: hostile uploads, the worker, stalled jobs.

The site keeps answering whatever is uploaded (issue 14, point 2), and a job whose
worker died is shown as failed and can be run again (point 7).
"""

import os
import time

import pytest
from django.apps import apps
from django.urls import include, path
from rest_framework.test import APIClient

from teams.models import Person
from tests.factories import TownshipFactory, VillageFactory
from tests.zhucun.test_hostile_workbooks import HOSTILE, _encrypted, _far_cell
from tests.zhucun.test_import_pages import _roster

pytestmark = pytest.mark.urls(__name__)

urlpatterns = [
    path("", include("zhucun.urls")),
    path("workbooks/", include("zhucun.workbooks.urls")),
]


# --- through the page and the API: the site keeps answering -------------------------


@pytest.fixture
def village(db):
    return VillageFactory(township=TownshipFactory(name="四开乡"), name="好谷村")


@pytest.fixture
def township_clerk(scoped_user, village):
    """A township may import (attendance): the issue's attacker had no more."""
    return scoped_user("township", village.township.code, "township-clerk")


def _job():
    return apps.get_model("zhucun", "ImportJob").objects.get()


@pytest.fixture
def worker(monkeypatch, django_capture_on_commit_callbacks):
    """Run what is queued for the worker once the request has committed."""
    from contextlib import contextmanager

    from zhucun.workbooks import tasks

    monkeypatch.setattr(
        tasks.import_job_run, "delay", lambda *a, **k: tasks.import_job_run(*a, **k)
    )

    @contextmanager
    def working():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return working


@pytest.mark.parametrize("case", HOSTILE)
def test_an_upload_through_the_page_answers_in_chinese_and_the_site_lives_on(
    case, client, township_clerk, tmp_path, worker
):
    make, message = HOSTILE[case]
    client.force_login(township_clerk)

    with worker(), make(tmp_path).open("rb") as handle:
        response = client.post(
            "/workbooks/imports/", {"kind": "attendance", "file": handle}
        )
    assert response.status_code == 302
    response = client.get(response["Location"])

    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "检查通过" not in body and "确认导入" not in body
    assert _job().status == "rejected"
    assert client.get("/workbooks/imports/").status_code == 200


@pytest.mark.parametrize("case", [case for case in HOSTILE if case != "encrypted"])
def test_an_upload_through_the_api_answers_in_chinese_and_the_site_lives_on(
    case, township_clerk, tmp_path, worker
):
    make, message = HOSTILE[case]
    api = APIClient()
    api.force_authenticate(township_clerk)

    with worker(), make(tmp_path).open("rb") as handle:
        response = api.post(
            "/api/v1/imports/",
            {"kind": "attendance", "file": handle, "dry_run": "false"},
            format="multipart",
        )
    assert response.status_code == 201
    job = api.get(f"/api/v1/imports/{response.json()['id']}/").json()

    assert (job["status"], job["can_confirm"]) == ("rejected", False)
    assert any(message in text for text in job["file_errors"])
    assert api.get("/api/v1/imports/").status_code == 200


def test_an_encrypted_upload_through_the_api_is_refused_before_a_job_exists(
    township_clerk, tmp_path
):
    api = APIClient()
    api.force_authenticate(township_clerk)

    with _encrypted(tmp_path).open("rb") as handle:
        response = api.post(
            "/api/v1/imports/",
            {"kind": "attendance", "file": handle},
            format="multipart",
        )

    assert response.status_code == 400
    assert "文件已加密（设置了打开密码）" in response.json()["fields"]["file"][0]
    assert not apps.get_model("zhucun", "ImportJob").objects.exists()


def test_a_file_the_reader_dies_on_fails_the_job_and_says_so(
    client, township_clerk, tmp_path, settings
):
    """Belt and braces: a file past the bounds that still kills the reader."""
    settings.ZHUCUN_IMPORT_READ_MEMORY_BYTES = 32 * 1024 * 1024
    settings.ZHUCUN_IMPORT_MAX_CELLS = 10**12
    settings.ZHUCUN_IMPORT_MAX_ROWS = 10**7
    settings.ZHUCUN_IMPORT_MAX_COLUMNS = 20_000
    client.force_login(township_clerk)

    with _far_cell(tmp_path).open("rb") as handle:
        response = client.post(
            "/workbooks/imports/", {"kind": "attendance", "file": handle}, follow=True
        )

    body = response.content.decode()
    assert "文件无法读取：" in body and "重试" in body
    assert _job().status == "failed"
    assert client.get("/workbooks/imports/").status_code == 200


def test_a_small_file_that_unpacks_large_is_checked_in_the_worker(
    client,
    county_clerk,
    village,
    tmp_path,
    settings,
    django_capture_on_commit_callbacks,
):
    """Heavy work stays out of requests, whatever the size of the upload."""
    path = _roster(tmp_path, village, rows=2)
    settings.ZHUCUN_IMPORT_INLINE_MAX_UNCOMPRESSED_BYTES = 1024
    from zhucun.workbooks import tasks

    queued = []
    original = tasks.import_job_run.delay
    tasks.import_job_run.delay = lambda *a, **k: queued.append((a, k))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with path.open("rb") as handle:
                client.post("/workbooks/imports/", {"kind": "roster", "file": handle})
    finally:
        tasks.import_job_run.delay = original

    assert path.stat().st_size < 256 * 1024
    assert _job().status == "checking" and len(queued) == 1


# --- a job whose worker died ----------------------------------------------------------


def _queued_upload(client, path, settings, django_capture_on_commit_callbacks):
    """Upload a file to the worker's queue, and let no worker ever run it."""
    from zhucun.workbooks import tasks

    settings.ZHUCUN_IMPORT_INLINE_MAX_BYTES = 0
    original = tasks.import_job_run.delay
    tasks.import_job_run.delay = lambda *a, **k: None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with path.open("rb") as handle:
                client.post("/workbooks/imports/", {"kind": "roster", "file": handle})
    finally:
        tasks.import_job_run.delay = original
    return _job()


def _stop_the_heartbeat(job, seconds_ago: int = 3600):
    from zhucun.workbooks.jobs import PROGRESS_NAME, job_folder

    progress = job_folder(job) / PROGRESS_NAME
    then = time.time() - seconds_ago
    os.utime(progress, (then, then))


@pytest.fixture
def county_clerk(scoped_user, client):
    user = scoped_user("county", "513431", "zhaojue")
    client.force_login(user)
    return user


def test_a_job_whose_worker_died_is_shown_as_failed_and_can_be_retried(
    client,
    county_clerk,
    village,
    tmp_path,
    settings,
    django_capture_on_commit_callbacks,
):
    job = _queued_upload(
        client,
        _roster(tmp_path, village, rows=2),
        settings,
        django_capture_on_commit_callbacks,
    )
    assert job.status == "checking"
    body = client.get(f"/workbooks/imports/{job.pk}/").content.decode()
    assert "<progress" in body  # the heartbeat is fresh: still running

    _stop_the_heartbeat(job)
    body = client.get(f"/workbooks/imports/{job.pk}/").content.decode()

    assert "导入中断，请重试" in body and "<progress" not in body
    job.refresh_from_db()
    assert job.status == "failed"

    settings.ZHUCUN_IMPORT_INLINE_MAX_BYTES = 256 * 1024
    response = client.post(f"/workbooks/imports/{job.pk}/retry/", follow=True)

    assert "确认导入" in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.counts["created"], job.errors) == ("checked", 2, [])


def test_an_import_whose_worker_died_is_imported_on_retry(
    client, county_clerk, village, tmp_path, settings
):
    client.post(
        "/workbooks/imports/",
        {"kind": "roster", "file": _roster(tmp_path, village, rows=2).open("rb")},
    )
    job = _job()
    assert job.status == "checked"
    # The import was queued, and its worker was killed before it wrote anything.
    job.status = "importing"
    job.save(update_fields=["status"])
    from zhucun.workbooks.jobs import PROGRESS_NAME, job_folder

    (job_folder(job) / PROGRESS_NAME).write_text('{"percent": 85, "stage": ""}')
    _stop_the_heartbeat(job)

    api = APIClient()
    api.force_authenticate(county_clerk)
    listed = api.get("/api/v1/imports/").json()["results"]
    assert [(j["id"], j["status"]) for j in listed] == [(job.pk, "failed")]
    status = api.get(f"/api/v1/imports/{job.pk}/").json()
    assert (status["status"], status["can_retry"]) == ("failed", True)
    assert status["file_errors"] == ["导入中断，请重试"]

    retried = api.post(f"/api/v1/imports/{job.pk}/retry/")

    assert retried.status_code == 200
    assert retried.json()["status"] == "done"
    assert Person.objects.count() == 2
    again = api.post(f"/api/v1/imports/{job.pk}/retry/")
    assert again.status_code == 400 and "status" in again.json()["fields"]


def test_a_late_worker_does_not_run_a_job_given_up_as_interrupted(
    client,
    county_clerk,
    village,
    tmp_path,
    settings,
    django_capture_on_commit_callbacks,
):
    from zhucun.workbooks import tasks

    job = _queued_upload(
        client, _roster(tmp_path, village), settings, django_capture_on_commit_callbacks
    )
    _stop_the_heartbeat(job)
    client.get(f"/workbooks/imports/{job.pk}/")

    tasks.import_job_run(job.pk, confirm=False)

    job.refresh_from_db()
    assert job.status == "failed" and not job.counts


def test_a_running_job_keeps_its_heartbeat(tmp_path, settings):
    from zhucun.workbooks.jobs import _heartbeat

    settings.ZHUCUN_IMPORT_HEARTBEAT_SECONDS = 0.05
    progress = tmp_path / "progress.json"
    progress.write_text("{}")
    os.utime(progress, (0, 0))

    with _heartbeat(progress):
        time.sleep(0.3)

    assert time.time() - progress.stat().st_mtime < 5


def test_only_a_failed_job_may_be_retried(client, county_clerk, village, tmp_path):
    client.post(
        "/workbooks/imports/",
        {"kind": "roster", "file": _roster(tmp_path, village).open("rb")},
    )
    job = _job()

    response = client.post(f"/workbooks/imports/{job.pk}/retry/", follow=True)

    assert "只有处理出错或中断的导入任务才能重试" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "checked"
