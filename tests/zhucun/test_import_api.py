"""/api/v1/imports/: the import pages' flow over the API (upload, status, result, confirm)."""

import pytest
from rest_framework.test import APIClient

from teams.models import Membership, Person
from tests.factories import TownshipFactory, VillageFactory
from tests.workbook_helpers import read_xlsx
from tests.zhucun.test_import_pages import _roster
from zhucun.models import AuditEntry, ImportJob


@pytest.fixture
def village(db):
    return VillageFactory(township=TownshipFactory(name="四开乡"), name="好谷村")


@pytest.fixture
def clerk(scoped_user):
    return scoped_user("county", "513431", "zhaojue")


@pytest.fixture
def api(clerk):
    client = APIClient()
    client.force_authenticate(clerk)
    return client


def _upload(api, path, kind="roster", **extra):
    with path.open("rb") as handle:
        return api.post(
            "/api/v1/imports/",
            {"kind": kind, "file": handle, **extra},
            format="multipart",
        )


def test_a_good_workbook_is_checked_then_created_on_confirmation(
    api, clerk, village, tmp_path
):
    response = _upload(api, _roster(tmp_path, village, rows=3))

    assert response.status_code == 201, response.json()
    job = response.json()
    assert (job["status"], job["can_confirm"]) == ("checked", True)
    assert job["counts"]["created"] == 3 and job["counts"]["written"] is False
    assert not Person.objects.exists()  # the check wrote nothing

    confirmed = api.post(f"/api/v1/imports/{job['id']}/confirm/")

    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "done"
    assert Membership.objects.count() == 3
    assert AuditEntry.objects.filter(actor=clerk, source="import").count() == 7
    result = api.get(f"/api/v1/imports/{job['id']}/result/").json()
    assert result["counts"]["created"] == 3 and result["errors"] == []
    again = api.post(f"/api/v1/imports/{job['id']}/confirm/")
    assert again.status_code == 400 and "status" in again.json()["fields"]


def test_dry_run_false_imports_straight_after_a_passing_check(api, village, tmp_path):
    response = _upload(api, _roster(tmp_path, village, rows=2), dry_run="false")

    assert response.status_code == 201
    assert response.json()["status"] == "done"
    assert response.json()["counts"]["written"] is True
    assert Membership.objects.count() == 2


def test_a_bad_workbook_lists_its_rejected_rows_in_chinese_and_writes_nothing(
    api, village, tmp_path
):
    response = _upload(
        api, _roster(tmp_path, village, rows=2, bad=True), dry_run="false"
    )

    assert response.status_code == 201
    job = response.json()
    assert (job["status"], job["can_confirm"]) == ("rejected", False)
    assert job["has_error_workbook"] is True
    assert not Person.objects.exists()
    result = api.get(f"/api/v1/imports/{job['id']}/result/").json()
    assert result["counts"]["rejected"] == 1
    (error,) = result["errors"]
    assert (error["sheet"], error["row"], error["column"]) == (
        "Sheet1",
        4,
        "身份证号码",
    )
    assert "校验位" in error["message"]
    download = api.get(f"/api/v1/imports/{job['id']}/errors/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxml")
    target = tmp_path / "errors.xlsx"
    target.write_bytes(b"".join(download.streaming_content))
    assert "错误清单" in read_xlsx(target)
    refused = api.post(f"/api/v1/imports/{job['id']}/confirm/")
    assert refused.status_code == 400
    assert refused.json()["message"]
    assert not Person.objects.exists()


def test_a_file_that_is_not_xlsx_is_refused_before_a_job_exists(api, tmp_path):
    csv = tmp_path / "roster.xlsx"
    csv.write_text("姓名,身份证号码\n张三,510000\n", encoding="utf-8")

    response = _upload(api, csv)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "xlsx" in body["fields"]["file"][0] or "Excel" in body["fields"]["file"][0]
    assert not ImportJob.objects.exists()


def test_an_unknown_kind_is_refused(api, village, tmp_path):
    response = _upload(api, _roster(tmp_path, village), kind="nothing")

    assert response.status_code == 400
    assert "kind" in response.json()["fields"]


def test_a_reader_without_import_permission_gets_403(scoped_user, village, tmp_path):
    client = APIClient()
    client.force_authenticate(scoped_user("prefecture", "513400", "liangshan"))

    response = _upload(client, _roster(tmp_path, village))

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_another_users_job_does_not_exist_for_you(api, village, tmp_path, scoped_user):
    job = _upload(api, _roster(tmp_path, village, bad=True)).json()
    other = APIClient()
    other.force_authenticate(scoped_user("county", "513431", "another-clerk"))

    for suffix in ("", "result/", "errors/"):
        assert other.get(f"/api/v1/imports/{job['id']}/{suffix}").status_code == 404
    assert other.post(f"/api/v1/imports/{job['id']}/confirm/").status_code == 404
    assert other.get("/api/v1/imports/").json()["results"] == []
    assert api.get("/api/v1/imports/").json()["count"] == 1


def test_a_large_workbook_is_checked_in_the_worker(
    api, village, tmp_path, settings, django_capture_on_commit_callbacks
):
    from zhucun.workbooks import tasks

    settings.ZHUCUN_IMPORT_INLINE_MAX_BYTES = 0
    queued = []
    original = tasks.import_job_run.delay
    tasks.import_job_run.delay = lambda *a, **k: queued.append((a, k))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = _upload(api, _roster(tmp_path, village, rows=2))
    finally:
        tasks.import_job_run.delay = original
    job = response.json()
    assert (job["status"], job["counts"]) == ("checking", None)

    ((args, kwargs),) = queued
    tasks.import_job_run(*args, **kwargs)  # what the worker does

    status = api.get(f"/api/v1/imports/{job['id']}/").json()
    assert (status["status"], status["progress"]) == ("checked", 100)
    assert status["counts"]["created"] == 2


def test_status_and_list_take_a_fixed_number_of_queries(
    api, village, tmp_path, django_assert_num_queries
):
    path = _roster(tmp_path, village)
    ids = [_upload(api, path).json()["id"] for _n in range(3)]

    with django_assert_num_queries(1):  # the job
        assert api.get(f"/api/v1/imports/{ids[0]}/").status_code == 200
    with django_assert_num_queries(1):
        assert api.get(f"/api/v1/imports/{ids[1]}/result/").status_code == 200
    with django_assert_num_queries(2):  # the bounded count, the page
        listed = api.get("/api/v1/imports/")
    assert [row["id"] for row in listed.json()["results"]] == ids[::-1]


def test_status_over_a_token_takes_one_more_query(
    clerk, village, tmp_path, django_assert_num_queries
):
    from zhucun.api_tokens import api_token_issue

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=clerk)[1]}")
    job = _upload(client, _roster(tmp_path, village)).json()

    with django_assert_num_queries(2):  # the token with its user, the job
        response = client.get(f"/api/v1/imports/{job['id']}/")
    assert response.json()["status"] == "checked"
