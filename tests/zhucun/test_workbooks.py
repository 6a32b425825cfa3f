"""Reading workbooks as counties fill them, refusing unsafe files, writing safe ones."""

import datetime
import zipfile

import openpyxl
import pytest

from tests.workbook_helpers import read_xlsx, run, write_xlsx
from villages.models import Region, Village
from villages.places import PlaceIndex
from zhucun.workbooks.columns import IdNumberWidget
from zhucun.workbooks.kinds import resource_class
from zhucun.workbooks.reading import openpyxl_grids, read_workbook
from zhucun.workbooks.safety import WorkbookRefused, check_workbook_file
from zhucun.workbooks.values import (
    CellError,
    clean_name,
    clean_text,
    fold,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_id_text,
    parse_int,
    parse_month,
)
from zhucun.workbooks.writing import SheetLayout, write_workbook

D = datetime.date
VILLAGE_COLUMNS = resource_class("villages").import_columns()


# --- values -------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        D(2018, 6, 1),
        datetime.datetime(2018, 6, 1, 0, 0),
        "2018-06-01",
        "2018/6/1",
        "2018.6.1",
        "2018.06",
        "2018年6月",
        "2018年6月1日",
        "2018-6",
        "20180601",
        "２０１８年６月１日",
        " 2018-06-01 ",
        "2018-06-01 00:00:00",
        2018.06,
        43252,  # Excel's serial number of 2018-06-01
    ],
)
def test_every_listed_date_form_is_read_a_month_alone_meaning_its_first_day(cell):
    assert parse_date(cell) == D(2018, 6, 1)


def test_a_month_column_keeps_the_month_whatever_day_is_written():
    assert parse_month("2019年3月15日") == D(2019, 3, 1)


@pytest.mark.parametrize("cell", ["2018-13-01", "2018年2月30日", "六月", "2018"])
def test_a_date_that_is_not_one_is_refused_in_chinese(cell):
    with pytest.raises(CellError) as excinfo:
        parse_date(cell)
    assert "日期" in excinfo.value.message or "数字" in excinfo.value.message


def test_a_number_like_2018_1_is_refused_as_ambiguous_between_january_and_october():
    with pytest.raises(CellError) as excinfo:
        parse_date(2018.1)
    assert "10月" in excinfo.value.message


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("是", True),
        ("否", False),
        ("√", True),
        (None, None),
        ("  ", None),
        ("Y", True),
        ("n", False),
        ("1", True),
        (0, False),
        (1.0, True),
        (True, True),
        ("Ｙ", True),
    ],
)
def test_yes_no_in_every_form(cell, expected):
    assert parse_bool(cell) is expected


def test_an_unknown_yes_no_value_is_refused():
    with pytest.raises(CellError):
        parse_bool("也许")


def test_full_width_digits_and_letters_and_odd_spaces_are_cleaned():
    assert clean_text("\u00a0ＡＢ１２３\u3000 备注\u200b ") == "AB123 备注"
    assert clean_name("张\u3000三\u00a0") == "张三"
    assert parse_int("１２０户") == 120
    assert parse_decimal("20,000.50") == parse_decimal("２００００.５")
    # Chinese punctuation is stored as typed; only matching folds it.
    assert clean_text("四川省（某）厅") == "四川省（某）厅"
    assert fold("县 （市、区）") == fold("县(市、区)")


def test_an_id_that_excel_turned_into_a_number_is_refused_with_a_clear_message():
    with pytest.raises(CellError) as excinfo:
        parse_id_text(513431198501011234.0)
    assert "数字" in excinfo.value.message and "文本" in excinfo.value.message
    with pytest.raises(CellError) as excinfo:
        parse_id_text("5.13431E+17")
    assert "科学计数法" in excinfo.value.message


def test_an_18_digit_id_with_lowercase_x_is_accepted_and_stored_upper_case():
    assert IdNumberWidget().clean("11010519491231002x") == "11010519491231002X"
    assert IdNumberWidget().clean("１１０１０５１９４９１２３１００２ｘ") == (
        "11010519491231002X"
    )


def test_an_id_with_a_wrong_check_digit_or_masked_digits_is_refused():
    with pytest.raises(CellError) as excinfo:
        IdNumberWidget().clean("110105194912310021")
    assert "校验位" in excinfo.value.message
    with pytest.raises(CellError) as excinfo:
        IdNumberWidget().clean("1101**********002X")
    assert "*" in excinfo.value.message


# --- places -------------------------------------------------------------------


def test_the_two_shizhong_districts_are_told_apart_by_prefecture(db):
    places = PlaceIndex()
    neijiang = places.county(places.prefecture("内江市"), "市中区")
    leshan = places.county(places.prefecture("乐山市"), "市中区")
    assert (neijiang.code, leshan.code) == ("511002", "511102")
    assert places.region_path("乐山市/市中区") == leshan
    assert places.region_path("内江市市中区") == neijiang
    with pytest.raises(CellError) as excinfo:
        places.county_anywhere("市中区")
    assert "内江市" in excinfo.value.message and "乐山市" in excinfo.value.message


def test_autonomous_prefectures_are_found_by_their_short_names(db):
    places = PlaceIndex()
    assert places.prefecture("凉山州").code == "513400"
    assert places.prefecture("凉山彝族自治州").code == "513400"
    assert places.prefecture(" 甘孜州 ").code == "513300"


def test_a_village_roster_places_each_shizhong_village_in_its_own_prefecture(
    db, tmp_path
):
    rows = [
        ["内江市", "市中区", "甲乡", "同名村", "是", 80],
        ["乐山市", "市中区", "甲乡", "同名村", "是", 90],
    ]
    header = [
        "市（州）",
        "县（市、区）",
        "乡（镇）",
        "村",
        "是否建档立卡贫困村",
        "户数",
    ]
    path = write_xlsx(tmp_path / "v.xlsx", [header, *rows])
    code, output = run("import_xlsx", "villages", path)
    assert code == 0, output
    counties = dict(
        Village.objects.filter(name="同名村").values_list(
            "household_count", "county__code"
        )
    )
    assert counties == {80: "511002", 90: "511102"}


# --- reading ------------------------------------------------------------------


def test_the_header_is_found_below_merged_title_rows_whatever_the_brackets(tmp_path):
    rows = [
        ["XX县贫困村名册"],
        ["填报单位：XX县委组织部　填报时间：2018年6月"],
        ["序号", "市(州)", "县 （市、区）", "乡（镇）*", " 村 ", "户数", "说不清的列"],
        [1, "凉山州", "昭觉县", "甲乡", "一村", 100, "x"],
    ]
    path = write_xlsx(tmp_path / "t.xlsx", rows, merges={"Sheet1": ["A1:G1", "A2:G2"]})
    book = read_workbook(path, VILLAGE_COLUMNS)
    sheet = book.sheets[0]
    assert sheet.header_row == 3
    assert set(sheet.columns.values()) == {
        "序号",
        "市（州）",
        "县（市、区）",
        "乡（镇）",
        "村",
        "户数",
    }
    assert sheet.unknown_columns == ["说不清的列"]
    assert [r.raw["村"] for r in sheet.rows] == ["一村"]
    assert sheet.rows[0].number == 4


def test_a_merged_cell_applies_to_every_row_it_covers(tmp_path):
    rows = [
        ["市（州）", "县（市、区）", "乡（镇）", "村", "户数"],
        ["凉山州", "昭觉县", "甲乡", "一村", 10],
        [None, None, None, "二村", 20],
        [None, None, None, "三村", 30],
    ]
    path = write_xlsx(
        tmp_path / "m.xlsx", rows, merges={"Sheet1": ["A2:A4", "B2:B4", "C2:C4"]}
    )
    sheet = read_workbook(path, VILLAGE_COLUMNS).sheets[0]
    assert [(r.raw["县（市、区）"], r.raw["乡（镇）"]) for r in sheet.rows] == [
        ("昭觉县", "甲乡")
    ] * 3


def test_sequence_only_blank_total_and_note_rows_are_not_data(tmp_path):
    rows = [
        ["序号", "市（州）", "县（市、区）", "乡（镇）", "村", "户数"],
        [1, "凉山州", "昭觉县", "甲乡", "一村", 10],
        [2, None, None, None, None, None],
        [None, "\u00a0", " ", None, None, None],
        [3, "凉山州", "昭觉县", "甲乡", "二村", 20],
        ["小计", None, None, None, None, 30],
        [4, "凉山州", "昭觉县", "乙乡", "三村", 5],
        ["合计", None, None, None, None, 35],
        ["备注：户数以2017年底建档立卡数据为准"],
        ["填表人：张三", "凉山州"],
    ]
    path = write_xlsx(tmp_path / "s.xlsx", rows)
    sheet = read_workbook(path, VILLAGE_COLUMNS).sheets[0]
    assert [r.raw["村"] for r in sheet.rows] == ["一村", "二村", "三村"]
    assert [r.number for r in sheet.rows] == [2, 5, 7]


def test_every_sheet_with_a_header_is_read_and_others_are_reported(tmp_path):
    header = ["市（州）", "县（市、区）", "乡（镇）", "村", "户数"]
    path = write_xlsx(
        tmp_path / "multi.xlsx",
        {
            "填表说明": [["请按下表填写"], ["身份证号码请设为文本格式"]],
            "甲乡": [header, ["凉山州", "昭觉县", "甲乡", "一村", 1]],
            "乙乡": [["标题"], header, ["凉山州", "昭觉县", "乙乡", "二村", 2]],
        },
    )
    book = read_workbook(path, VILLAGE_COLUMNS)
    assert [s.name for s in book.sheets] == ["甲乡", "乙乡"]
    assert book.skipped_sheets == ["填表说明"]
    assert [(r.sheet, r.number) for r in book.rows] == [("甲乡", 2), ("乙乡", 3)]


def test_openpyxl_reads_the_same_cells_and_merges_as_calamine(tmp_path):
    from zhucun.workbooks.reading import _grids

    rows = [
        ["标题"],
        ["市（州）", "村", "户数"],
        ["凉山州", "一村", 1],
        [None, "二村", 2],
    ]
    path = write_xlsx(tmp_path / "f.xlsx", rows, merges={"Sheet1": ["A3:A4"]})
    calamine = list(_grids(path))
    fallback = list(openpyxl_grids(path))
    assert [m for _n, _g, m in calamine] == [m for _n, _g, m in fallback]
    assert sorted(calamine[0][2]) == [((2, 0), (3, 0))]
    assert [[v or None for v in row] for row in calamine[0][1]] == [
        [v if v != "" else None for v in row] for row in fallback[0][1]
    ]


# --- safety -------------------------------------------------------------------


def _zip(path, parts: dict[str, bytes]) -> str:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_file_that_is_not_an_xlsx_is_refused_before_parsing(tmp_path):
    text = tmp_path / "roster.xlsx"
    text.write_text("姓名,身份证号码\n张三,513431\n", encoding="utf-8")
    with pytest.raises(WorkbookRefused) as excinfo:
        check_workbook_file(text)
    assert "不是Excel工作簿" in excinfo.value.message


def test_an_old_xls_file_is_refused_with_how_to_save_it_as_xlsx(tmp_path):
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(WorkbookRefused) as excinfo:
        check_workbook_file(old)
    assert ".xls" in excinfo.value.message and "另存为" in excinfo.value.message


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = _zip(tmp_path / "a.xlsx", {"readme.txt": b"hello"})
    with pytest.raises(WorkbookRefused) as excinfo:
        check_workbook_file(path)
    assert "不是Excel工作簿" in excinfo.value.message


def test_a_file_larger_than_the_setting_is_refused(tmp_path, settings):
    path = write_xlsx(tmp_path / "big.xlsx", [["村"], ["一村"]])
    settings.ZHUCUN_IMPORT_MAX_BYTES = 1000
    with pytest.raises(WorkbookRefused) as excinfo:
        check_workbook_file(path)
    assert "文件太大" in excinfo.value.message


def _bomb(path, size: int) -> str:
    workbook = openpyxl.Workbook()
    workbook.save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * size)
    return path


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path):
    path = _bomb(tmp_path / "bomb.xlsx", 20 * 1024 * 1024)
    assert path.stat().st_size < 200 * 1024  # small on disk, 20 MiB inside
    with pytest.raises(WorkbookRefused) as excinfo:
        check_workbook_file(path)
    assert "压缩炸弹" in excinfo.value.message


def test_a_zip_bomb_is_refused_by_its_total_uncompressed_size(tmp_path, settings):
    settings.ZHUCUN_IMPORT_MAX_RATIO = 100000
    settings.ZHUCUN_IMPORT_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    path = _bomb(tmp_path / "bomb.xlsx", 6 * 1024 * 1024)
    with pytest.raises(WorkbookRefused) as excinfo:
        check_workbook_file(path)
    assert "压缩炸弹" in excinfo.value.message


def test_xml_with_entity_declarations_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", [["村"]])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    body = parts["xl/workbook.xml"]
    if body.startswith(b"<?xml"):
        body = body.split(b"?>", 1)[1]
    parts["xl/workbook.xml"] = (
        b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + body
    )
    evil = _zip(tmp_path / "evil.xlsx", parts)
    with pytest.raises(WorkbookRefused) as excinfo:
        check_workbook_file(evil)
    assert "不安全" in excinfo.value.message


def test_the_command_refuses_an_unsafe_file_with_exit_1_and_writes_nothing(
    db, tmp_path
):
    path = _bomb(tmp_path / "bomb.xlsx", 20 * 1024 * 1024)
    code, output = run("import_xlsx", "villages", path)
    assert code == 1
    assert "压缩炸弹" in output
    assert not Region.objects.filter(level=Region.Level.TOWNSHIP).exists()


# --- writing ------------------------------------------------------------------

DANGEROUS = [
    "=1+2",
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-1+2",
    "@SUM(A1:A2)",
    "\t=1+2",
    "\r=1+2",
    "\n=1+2",
]


def test_text_that_looks_like_a_formula_is_written_as_text_and_never_evaluated(
    tmp_path,
):
    path = tmp_path / "out.xlsx"
    write_workbook(
        path, [(SheetLayout(name="数据", headers=["备注"]), [[v] for v in DANGEROUS])]
    )
    sheet = openpyxl.load_workbook(path)["数据"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)
    assert all(cell.quotePrefix for cell in cells)
    assert [c.value.replace("\r", "\n") for c in cells] == [
        v.replace("\r", "\n") for v in DANGEROUS
    ]
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml


def test_an_exported_village_field_holding_a_formula_stays_text(db, tmp_path):
    from tests.factories import VillageFactory

    VillageFactory(county_leader='=HYPERLINK("http://x","点我")')
    path = tmp_path / "villages.xlsx"
    assert run("export_xlsx", "villages", path)[0] == 0
    sheet = openpyxl.load_workbook(path).active
    leader = [
        c
        for row in sheet.iter_rows()
        for c in row
        if c.value and "HYPERLINK" in str(c.value)
    ]
    assert len(leader) == 1 and leader[0].data_type == "s"
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_id_columns_are_written_in_text_format(tmp_path):
    path = tmp_path / "ids.xlsx"
    write_workbook(
        path,
        [
            (
                SheetLayout(name="花名册", headers=["身份证号码"], text_columns={0}),
                [["11010519491231002X"]],
            )
        ],
    )
    cell = openpyxl.load_workbook(path)["花名册"]["A2"]
    assert cell.number_format == "@" and cell.value == "11010519491231002X"
    assert read_xlsx(path)["花名册"][1] == ["11010519491231002X"]


# --- django-import-export and the admin -------------------------------------------


def test_the_resources_work_with_stock_django_import_export_export(db):
    from tests.factories import VillageFactory as Villages

    Villages(name="一村", planned_exit_year=2019)
    resource = resource_class("villages")()
    dataset = resource.export(
        Village.objects.select_related("township", "county__parent")
    )
    assert list(dataset.headers) == [c.column_name for c in resource.export_columns()]
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert (row["村"], row["计划退出年度"], row["是否建档立卡贫困村"]) == (
        "一村",
        2019,
        "是",
    )


def test_the_admin_action_exports_only_the_selected_rows(
    db, rf, province_user, tmp_path
):
    from django.contrib import admin

    from tests.factories import VillageFactory as Villages
    from zhucun.workbooks.admin import WorkbookAdminMixin

    class VillageAdmin(WorkbookAdminMixin, admin.ModelAdmin):
        workbook_kind = "villages"

    chosen = Villages(name="选中的村")
    Villages(name="没选的村")
    model_admin = VillageAdmin(Village, admin.AdminSite())
    request = rf.post("/admin/villages/village/")
    request.user = province_user
    action, _name, label = model_admin.get_actions(request)["export_selected_workbook"]
    assert "Excel" in str(label)
    response = action(model_admin, request, Village.objects.filter(pk=chosen.pk))
    path = tmp_path / "selected.xlsx"
    path.write_bytes(response.content)
    flat = [str(v) for rows in read_xlsx(path).values() for r in rows for v in r]
    assert "选中的村" in flat and "没选的村" not in flat


def test_a_damaged_workbook_is_refused_and_nothing_crashes(db, tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", [["村", "户数"], ["一村", 1]])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet][: len(parts[sheet]) // 2]  # cut off mid-XML
    damaged = _zip(tmp_path / "damaged.xlsx", parts)
    code, output = run("import_xlsx", "villages", damaged)
    assert code == 1
    assert "已损坏" in output
    assert not Village.objects.exists()
