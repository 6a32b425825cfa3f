"""The browser flow: upload, check, confirm, error workbook, progress, export.

These run once ``zhucun.models.ImportJob`` exists (see the report that added these
pages); until then they are skipped, and the pages are not in zhucun/urls.py.
"""

import pytest
from django.apps import apps
from django.urls import include, path

from teams.models import Membership, Person
from tests.factories import (
    MembershipFactory,
    TownshipFactory,
    VillageFactory,
    make_id_number,
)
from tests.workbook_helpers import read_xlsx, table, write_xlsx
from zhucun.models import AuditEntry


def _has_import_job() -> bool:
    try:
        apps.get_model("zhucun", "ImportJob")
    except LookupError:
        return False
    return True


pytestmark = [
    pytest.mark.skipif(
        not _has_import_job(), reason="zhucun.models.ImportJob 尚未添加"
    ),
    pytest.mark.urls(__name__),
]

urlpatterns = [
    path("", include("zhucun.urls")),
    path("workbooks/", include("zhucun.workbooks.urls")),
]


@pytest.fixture
def village(db):
    return VillageFactory(township=TownshipFactory(name="四开乡"), name="好谷村")


@pytest.fixture
def clerk(scoped_user, client):
    user = scoped_user("county", "513431", "zhaojue")
    client.force_login(user)
    return user


def _roster(tmp_path, village, rows=1, bad=False, name="roster.xlsx"):
    from tests.factories import UnitFactory

    UnitFactory(name="四川省某某厅")
    members = []
    for n in range(rows):
        number = make_id_number()
        if bad and n == rows - 1:
            number = number[:17] + ("0" if number[17] != "0" else "1")
        members.append(
            {
                "市（州）": "凉山州",
                "县（市、区）": "昭觉县",
                "乡（镇）": village.township.name,
                "村": village.name,
                "姓名": f"队员{n}",
                "身份证号码": number,
                "派出单位": "四川省某某厅",
                "驻村职务": "队员",
                "驻村起始时间": "2018-06-01",
            }
        )
    path = write_xlsx(tmp_path / name, table("roster", members, title="花名册"))
    return path


def _upload(client, path, kind="roster"):
    with path.open("rb") as handle:
        return client.post(
            "/workbooks/imports/", {"kind": kind, "file": handle}, follow=True
        )


def test_a_small_workbook_is_checked_then_imported_on_confirmation(
    client, clerk, village, tmp_path
):
    response = _upload(client, _roster(tmp_path, village, rows=3))
    body = response.content.decode()
    assert response.status_code == 200
    assert "确认导入" in body and "检查通过" in body
    assert not Person.objects.exists()  # the check wrote nothing
    job = apps.get_model("zhucun", "ImportJob").objects.get()
    assert (job.status, job.counts["created"]) == ("checked", 3)
    response = client.post(f"/workbooks/imports/{job.pk}/confirm/", follow=True)
    assert "导入完成" in response.content.decode()
    assert Membership.objects.count() == 3
    assert AuditEntry.objects.filter(actor=clerk, source="import").count() == 7


def test_a_workbook_with_errors_shows_them_and_offers_the_error_workbook(
    client, clerk, village, tmp_path
):
    response = _upload(client, _roster(tmp_path, village, rows=2, bad=True))
    body = response.content.decode()
    assert "有错误，未导入" in body and "校验位" in body and "确认导入" not in body
    job = apps.get_model("zhucun", "ImportJob").objects.get()
    download = client.get(f"/workbooks/imports/{job.pk}/errors.xlsx")
    assert download.status_code == 200
    sheets = read_xlsx_bytes(b"".join(download.streaming_content), tmp_path)
    assert "错误清单" in sheets
    original = sheets["Sheet1"]
    assert original[1][-1] == "错误说明"
    assert "校验位" in original[3][-1] and original[2][-1] == ""
    client.post(f"/workbooks/imports/{job.pk}/confirm/", follow=True)
    assert not Person.objects.exists()


def read_xlsx_bytes(data: bytes, tmp_path):
    target = tmp_path / "download.xlsx"
    target.write_bytes(data)
    return read_xlsx(target)


def test_a_large_workbook_runs_in_the_worker_with_a_progress_bar(
    client, clerk, village, tmp_path, settings, django_capture_on_commit_callbacks
):
    from zhucun.workbooks import tasks

    settings.ZHUCUN_IMPORT_INLINE_MAX_BYTES = 0
    queued = []
    original = tasks.import_job_run.delay
    tasks.import_job_run.delay = lambda *a, **k: queued.append((a, k))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = _upload(client, _roster(tmp_path, village, rows=2))
    finally:
        tasks.import_job_run.delay = original
    body = response.content.decode()
    assert "<progress" in body and 'http-equiv="refresh"' in body
    ((args, kwargs),) = queued
    tasks.import_job_run(*args, **kwargs)  # what the worker does
    job = apps.get_model("zhucun", "ImportJob").objects.get()
    assert job.status == "checked"
    body = client.get(f"/workbooks/imports/{job.pk}/").content.decode()
    assert "<progress" not in body and "确认导入" in body


def test_another_users_job_does_not_exist_for_you(
    client, clerk, village, tmp_path, scoped_user
):
    _upload(client, _roster(tmp_path, village))
    job = apps.get_model("zhucun", "ImportJob").objects.get()
    client.force_login(scoped_user("county", "511102", "leshan"))
    assert client.get(f"/workbooks/imports/{job.pk}/").status_code == 404
    assert client.post(f"/workbooks/imports/{job.pk}/confirm/").status_code == 404
    assert client.get(f"/workbooks/imports/{job.pk}/errors.xlsx").status_code == 404


def test_a_reader_without_import_permission_is_refused(client, scoped_user, db):
    client.force_login(scoped_user("prefecture", "513400", "liangshan"))
    assert client.get("/workbooks/imports/").status_code == 403


def test_the_export_page_gives_the_users_rows_in_the_import_layout(
    client, clerk, village, tmp_path
):
    MembershipFactory(team__village=village, person__name="昭觉的人")
    MembershipFactory(
        person__name="乐山的人", team__village__township__parent=_leshan()
    )
    assert client.get("/workbooks/exports/").status_code == 200
    response = client.post("/workbooks/exports/", {"kind": "roster", "region": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxml")
    sheets = read_xlsx_bytes(b"".join(response.streaming_content), tmp_path)
    flat = [str(v) for rows in sheets.values() for r in rows for v in r]
    assert "昭觉的人" in flat and "乐山的人" not in flat
    assert AuditEntry.objects.filter(action="reveal", actor=clerk).count() == 1


def _leshan():
    from villages.models import Region

    return Region.objects.get(code="511102")


def test_unknown_region_code_is_refused_on_the_export_form(client, clerk):
    response = client.post(
        "/workbooks/exports/", {"kind": "roster", "region": "999999"}
    )
    assert response.status_code == 200
    assert "不存在" in response.content.decode()


def test_an_upload_too_large_is_refused_before_it_is_stored(
    client, clerk, village, tmp_path, settings
):
    settings.ZHUCUN_IMPORT_MAX_BYTES = 100
    response = _upload(client, _roster(tmp_path, village))
    assert "文件太大" in response.content.decode()
    assert not apps.get_model("zhucun", "ImportJob").objects.exists()


def test_the_pages_are_usable_by_a_township_clerk_for_attendance(
    client, scoped_user, village
):
    client.force_login(scoped_user("township", village.township.code, "clerk"))
    body = client.get("/workbooks/imports/").content.decode()
    assert "月度考勤表" in body and "驻村工作队队员花名册" not in body
