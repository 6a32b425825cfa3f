"""Issue 14, point 2: no workbook may take the reader, the worker or the site down.

Every hostile workbook is written by the test, part by part (``hostile_workbooks``):
a few KB on disk that once asked calamine for 512 GiB, filled gigabytes of merged
cells, or read a million empty rows. The uploads of the same files through the
page and the API are in ``test_import_jobs``.
"""

import os
import subprocess
import time

import pytest
from django.db import connection

from tests.workbook_helpers import headers, run, write_xlsx
from tests.zhucun import hostile_workbooks as hostile
from tests.zhucun.processes import BASE_DIR, MANAGE, PYTHON, child_env, database_url
from zhucun.workbooks.safety import WorkbookRefused, check_workbook_file
from zhucun.workbooks.sandbox import WorkbookUnreadable, run_bounded

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
