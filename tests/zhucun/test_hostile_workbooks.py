"""Issue 14, point 2: no workbook may take the reader, the worker or the site down.

Every hostile workbook is written by the test, part by part (``hostile_workbooks``):
a few KB on disk that once asked calamine for 512 GiB, filled gigabytes of merged
cells, or read a million empty rows.
"""

import os
import subprocess
import time

import pytest
from django.apps import apps
from django.db import connection
from django.urls import include, path
from rest_framework.test import APIClient

from teams.models import Person
from tests.factories import TownshipFactory, VillageFactory
from tests.workbook_helpers import headers, run, write_xlsx
from tests.zhucun import hostile_workbooks as hostile
from tests.zhucun.processes import BASE_DIR, MANAGE, PYTHON, child_env, database_url
from tests.zhucun.test_import_pages import _roster
from zhucun.workbooks.safety import WorkbookRefused, check_workbook_file
from zhucun.workbooks.sandbox import WorkbookUnreadable, run_bounded

pytestmark = pytest.mark.urls(__name__)

urlpatterns = [
    path("", include("zhucun.urls")),
    path("workbooks/", include("zhucun.workbooks.urls")),
]

ROSTER = "花名册"


def _far_cell(tmp_path):
    """One cell at XFD1048576, the last cell of a sheet (calamine: 512 GiB)."""
    rows = [hostile.row(1, {"A": "姓名"}), hostile.row(1_048_576, {"XFD": "x"})]
    return hostile.write_workbook(
        tmp_path / "far.xlsx", {ROSTER: hostile.sheet_xml(rows)}
    )


def _far_dimension(tmp_path):
    """Two cells, and a declared dimension of the whole sheet."""
    rows = hostile.header_rows(["姓名"], [["张三"]])
    return hostile.write_workbook(
        tmp_path / "dimension.xlsx",
        {ROSTER: hostile.sheet_xml(rows, dimension="A1:XFD1048576")},
    )


def _huge_merge(tmp_path):
    """A 2 KB merge over B2:XFD100000 (1.6 billion cells filled one by one)."""
    rows = hostile.header_rows(["姓名", "身份证号码"], [["张三", "x"]])
    return hostile.write_workbook(
        tmp_path / "merge.xlsx",
        {ROSTER: hostile.sheet_xml(rows, merges=["B2:XFD100000"])},
    )


def _million_empty_rows(tmp_path):
    """1,000,000 rows without a cell, under a real header."""
    rows = [hostile.row(1, {"A": "姓名", "B": "身份证号码"})]
    rows += (f'<row r="{n}"/>' for n in range(2, 1_000_002))
    return hostile.write_workbook(
        tmp_path / "million.xlsx", {ROSTER: hostile.sheet_xml(rows)}
    )


def _empty(tmp_path):
    return hostile.write_workbook(
        tmp_path / "empty.xlsx", {"Sheet1": hostile.sheet_xml([])}
    )


def _header_only(tmp_path):
    return write_xlsx(tmp_path / "header.xlsx", [["花名册"], headers("roster")])


def _encrypted(tmp_path):
    return hostile.compound_file(
        tmp_path / "protected.xlsx", ["EncryptionInfo", "EncryptedPackage"]
    )


HOSTILE = {
    "far cell": (_far_cell, "第1,048,576行，超过上限（最多200,000行）"),
    "far dimension": (_far_dimension, "声明的范围 A1:XFD1048576 超过上限"),
    "huge merge": (_huge_merge, "合并单元格 B2:XFD100000 超出上限"),
    "million empty rows": (_million_empty_rows, "超过上限（最多200,000行）"),
    "encrypted": (_encrypted, "文件已加密（设置了打开密码），请取消密码后再导入"),
}


# --- the bounds, before any parser -------------------------------------------


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_workbook_is_refused_before_it_is_parsed(case, tmp_path):
    make, message = HOSTILE[case]
    path = make(tmp_path)

    started = time.monotonic()
    with pytest.raises(WorkbookRefused) as refused:
        check_workbook_file(path)

    assert message in refused.value.message
    if case != "encrypted":
        assert f"工作表“{ROSTER}”" in refused.value.message
    assert time.monotonic() - started < 10  # early and cheap
    assert path.stat().st_size < 10 * 1024 * 1024


def test_the_million_empty_rows_are_a_small_file(tmp_path):
    assert _million_empty_rows(tmp_path).stat().st_size < 5 * 1024 * 1024


def test_the_limits_are_settings(tmp_path, settings):
    rows = hostile.header_rows(["姓名", "身份证号码", "派出单位"], [["张三", "x", "y"]])
    path = hostile.write_workbook(
        tmp_path / "w.xlsx", {ROSTER: hostile.sheet_xml(rows)}
    )
    check_workbook_file(path)

    settings.ZHUCUN_IMPORT_MAX_COLUMNS = 2
    with pytest.raises(WorkbookRefused) as refused:
        check_workbook_file(path)
    assert "第3列（C列），超过上限（最多2列）" in refused.value.message

    settings.ZHUCUN_IMPORT_MAX_COLUMNS = 200
    settings.ZHUCUN_IMPORT_MAX_CELLS = 5
    with pytest.raises(WorkbookRefused) as refused:
        check_workbook_file(path)
    assert "单元格超过上限（最多5个）" in refused.value.message


def test_a_wide_and_long_sheet_is_refused_by_its_area(tmp_path):
    """Few cells, but the rectangle the readers allocate is 150 × 150,000."""
    rows = [hostile.row(1, {"A": "姓名"}), hostile.row(150_000, {"ET": "x"})]
    path = hostile.write_workbook(
        tmp_path / "w.xlsx", {ROSTER: hostile.sheet_xml(rows)}
    )

    with pytest.raises(WorkbookRefused) as refused:
        check_workbook_file(path)

    assert "A1:ET150000 共22,500,000个单元格" in refused.value.message


def test_cells_without_references_are_counted_too(tmp_path, settings):
    settings.ZHUCUN_IMPORT_MAX_ROWS = 10
    rows = ["<row><c/></row>"] * 11
    path = hostile.write_workbook(
        tmp_path / "w.xlsx", {ROSTER: hostile.sheet_xml(rows)}
    )

    with pytest.raises(WorkbookRefused) as refused:
        check_workbook_file(path)

    assert "第11行" in refused.value.message


FAR = "XFD1048576"


@pytest.mark.parametrize(
    "cell",
    [
        f'<x:c r="{FAR}"/>',  # a namespace prefix (the readers match local names)
        f"<c r='{FAR}'/>",  # single quotes
        f'<c\n  s="1"\n  r="{FAR}"/>',  # attributes over lines
        f'<c x:r="A1" r="{FAR}"/>',  # another attribute ending in r
        f'<c a=">" r="{FAR}"/>',  # a ">" inside a value
        f'<!-- a note --><c r="{FAR}"/>',  # a comment
        f'<c r="{FAR}"/><![CDATA[x]]>',  # CDATA
        '<c r="&#88;FD1048576"/>',  # a character reference
    ],
)
def test_a_far_cell_cannot_hide_from_the_bounds(cell, tmp_path):
    rows = [
        hostile.row(1, {"A": "姓名"}),
        f'<row r="2" xmlns:x="{hostile.MAIN}">{cell}</row>',
    ]
    path = hostile.write_workbook(
        tmp_path / "w.xlsx", {ROSTER: hostile.sheet_xml(rows)}
    )

    with pytest.raises(WorkbookRefused) as refused:
        check_workbook_file(path)

    assert f"工作表“{ROSTER}”" in refused.value.message


def test_a_sheet_in_another_encoding_is_refused(tmp_path):
    xml = b"".join(hostile.sheet_xml([hostile.row(1, {"A": "x"})]))
    xml = xml.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode()
    path = hostile.write_workbook(tmp_path / "w.xlsx", {ROSTER: [xml.encode("utf-16")]})

    with pytest.raises(WorkbookRefused) as refused:
        check_workbook_file(path)

    assert "不是UTF-8编码" in refused.value.message


def test_a_large_ordinary_roster_passes_the_bounds(tmp_path):
    rows = hostile.header_rows(
        ["姓名", "身份证号码", "派出单位"],
        [[f"人{n}", "51343119800101001X", "某某厅"] for n in range(30_000)],
    )
    path = hostile.write_workbook(
        tmp_path / "w.xlsx", {ROSTER: hostile.sheet_xml(rows)}
    )

    check_workbook_file(path)  # no refusal across the chunk boundaries


def test_merged_ranges_may_not_cover_too_many_cells_together(tmp_path, settings):
    settings.ZHUCUN_IMPORT_MAX_MERGED_CELLS = 100
    rows = hostile.header_rows(["姓名"], [["张三"]])
    merges = ["A2:A61", "B2:B61"]  # 60 + 60 cells
    path = hostile.write_workbook(
        tmp_path / "w.xlsx", {ROSTER: hostile.sheet_xml(rows, merges=merges)}
    )

    with pytest.raises(WorkbookRefused) as refused:
        check_workbook_file(path)

    assert "合并单元格共覆盖120个单元格，超过上限（最多100个）" in refused.value.message


def test_too_many_sheets_are_refused(tmp_path):
    sheets = {f"表{n}": hostile.sheet_xml([]) for n in range(21)}
    path = hostile.write_workbook(tmp_path / "w.xlsx", sheets)

    with pytest.raises(WorkbookRefused) as refused:
        check_workbook_file(path)

    assert "有21个工作表，超过上限（最多20个）" in refused.value.message


def test_a_real_legacy_xls_keeps_its_own_message(tmp_path):
    path = hostile.compound_file(tmp_path / "old.xls", ["Workbook"])

    with pytest.raises(WorkbookRefused) as refused:
        check_workbook_file(path)

    assert "旧版Excel（.xls）" in refused.value.message


# --- the child process: the second wall ----------------------------------------


def _calamine_without_bounds(path: str):
    """What the reader did before the bounds: calamine on the whole sheet."""
    from zhucun.workbooks.kinds import resource_class
    from zhucun.workbooks.reading import read_workbook

    return read_workbook(path, resource_class("roster").import_columns())


def test_calamine_dies_in_the_child_and_the_parent_lives_on(tmp_path):
    """The 512 GiB allocation aborts the child (SIGABRT); the caller gets a refusal."""
    path = _far_cell(tmp_path)

    with pytest.raises(WorkbookUnreadable) as refused:
        run_bounded(_calamine_without_bounds, str(path))

    assert refused.value.message.startswith("文件无法读取：")
    assert run_bounded(sum, [1, 2]) == 3  # and this process goes on


def _allocate(size: int):
    return len(bytearray(size))


def test_a_child_that_needs_too_much_memory_is_stopped(settings):
    settings.ZHUCUN_IMPORT_READ_MEMORY_BYTES = 64 * 1024 * 1024

    with pytest.raises(WorkbookUnreadable) as refused:
        run_bounded(_allocate, 512 * 1024 * 1024)

    assert "内存超过上限（最多64 MB）" in refused.value.message
    assert run_bounded(_allocate, 1024) == 1024


def test_a_child_that_hangs_is_stopped(settings):
    settings.ZHUCUN_IMPORT_READ_SECONDS = 1

    with pytest.raises(WorkbookUnreadable) as refused:
        run_bounded(time.sleep, 30)

    assert "读取超过1秒仍未完成" in refused.value.message


def _abort():
    os.abort()


def test_a_child_that_aborts_is_a_refusal_not_a_crash():
    with pytest.raises(WorkbookUnreadable) as refused:
        run_bounded(_abort)

    assert refused.value.message.startswith("文件无法读取：")


# --- the command, in its own process, measured ---------------------------------


def _import_in_a_child(path, tmp_path) -> tuple[int, str, int]:
    """(exit code, output, peak RSS in MB) of ``manage.py import_xlsx`` on ``path``."""
    measure = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024\n"
        "print(done.returncode, peak)\n"
        "print(done.stdout + done.stderr)\n"
    )
    command = [PYTHON, "-c", measure, PYTHON, MANAGE, "import_xlsx", "roster"]
    done = subprocess.run(
        [*command, str(path), "--dry-run"],
        cwd=BASE_DIR,
        env=child_env(DATABASE_URL=database_url(connection.settings_dict)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    first, _newline, output = done.stdout.partition("\n")
    code, peak = (int(n) for n in first.split())
    return code, output, peak


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("case", HOSTILE)
def test_the_command_refuses_a_hostile_workbook_in_under_300_mb(case, tmp_path):
    make, message = HOSTILE[case]

    code, output, peak = _import_in_a_child(make(tmp_path), tmp_path)

    assert code == 1, output  # refused, not killed by a signal (-6 was SIGABRT)
    assert message in output
    assert peak < 300, f"peak RSS {peak} MB"


# --- empty workbooks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_empty, "文件没有数据行：工作簿是空的"),
        (_header_only, "文件没有数据行：表头（第2行）下面没有任何数据"),
    ],
)
def test_a_workbook_without_data_rows_is_not_a_passing_check(
    db, tmp_path, make, message
):
    code, output = run("import_xlsx", "roster", make(tmp_path), "--dry-run")

    assert code == 1
    assert message in output
    assert "试运行" not in output and "新增0行" not in output


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
