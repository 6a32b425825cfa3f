"""Roster import of 50,000 rows: zhucun's importer beside stock django-import-export.

The workbook is written with openpyxl from the seeded province: one row per person
(members of the 2021 term first, then of the 2018 term), with the village, unit and
dates of their membership, in the layout of ``import-formats.md`` with the header
on the first row (so that stock django-import-export can read the same file).
Rows the importer would refuse (the demo's deliberate breaches, such as an
eight-member Liangshan team) are left out, so that the file imports whole.

It is imported into the benchmark's ``import`` database: the same migrations, with
the seeded province's townships, villages, units, work committees and terms copied
in, and no people, teams or memberships. Before every run those are emptied again,
so that each run starts from the same state. Each run is a process of its own, so
its peak resident memory (``ru_maxrss``) is that of one import.

- ours: ``zhucun.workbooks.importer.run_import(kind="roster")``, the whole roster:
  people, teams, memberships and their audit entries, with every rule checked;
- stock: a ``ModelResource`` for ``Person`` keyed on 身份证号码, with default options
  (row by row), a ``ForeignKeyWidget`` for the unit and the least it needs to accept
  the file (labels to choice values, birth date and gender from the number). It
  writes people only: no teams, memberships or audit trail;
- stock in bulk mode (``use_bulk``, ``skip_diff``, ``force_init_instance``), once.
"""

from __future__ import annotations

import datetime
import gc
import os
import time
from pathlib import Path

from bench.instruments import peak_rss_mb, rss_mb
from bench.process import run_child
from bench.stats import Result, goal, ratio, summary, unavailable

GOAL_RATIO = 20.0
HEADERS = (
    "序号",
    "市（州）",
    "县（市、区）",
    "乡（镇）",
    "村",
    "姓名",
    "性别",
    "民族",
    "出生年月",
    "身份证号码",
    "政治面貌",
    "派出单位",
    "现任职务",
    "职级",
    "驻村职务",
    "是否在编在岗",
    "驻村起始时间",
    "驻村结束时间",
    "联系电话",
    "备注",
)
# Models the import database keeps (copied from the province); the rest of these
# apps is emptied before each run.
KEPT = {
    "teams.workcommittee",
    "teams.unit",
    "teams.term",
    "teams.pairing",
}
EMPTIED_APPS = ("teams", "attendance", "assessments", "funding")
CHILD_TIMEOUT = 1800


def missing_importer() -> str | None:
    """Why the importer cannot be measured yet (None when it can)."""
    try:
        from zhucun.workbooks.importer import run_import  # noqa: F401
        from zhucun.workbooks.kinds import KINDS
    except ImportError as exc:
        return f"花名册导入尚未实现（{exc}）"
    if "roster" not in KINDS:
        return "花名册导入尚未实现（zhucun.workbooks.kinds 中没有 roster）"
    return None


# --- the import database -----------------------------------------------------------
def _copy_places() -> None:
    """Copy townships, villages, units, committees and terms from ``source``."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from teams.models import Term, Unit, WorkCommittee
    from villages.models import Region, Village

    township = Region.Level.TOWNSHIP
    if Village.objects.exists():
        if Village.objects.count() == Village.objects.using("source").count():
            return
        raise RuntimeError("the import database holds other villages than the source")
    mine = set(Region.objects.exclude(level=township).values_list("id", "code"))
    theirs = set(
        Region.objects.using("source").exclude(level=township).values_list("id", "code")
    )
    if mine != theirs:
        raise RuntimeError("the migrated divisions differ between the two databases")
    plan = (
        (Region, Region.objects.using("source").filter(level=township)),
        (WorkCommittee, WorkCommittee.objects.using("source").all()),
        (Unit, Unit.objects.using("source").all()),
        (Term, Term.objects.using("source").all()),
        (Village, Village.objects.using("source").all()),
    )
    with transaction.atomic():
        for model, rows in plan:
            names = [f.attname for f in model._meta.concrete_fields]
            present = set(model.objects.values_list("id", flat=True))
            model.objects.bulk_create(
                [
                    model(**values)
                    for values in rows.order_by("id").values(*names)
                    if values["id"] not in present
                ],
                batch_size=2000,
            )
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [m for m, _ in plan]):
            cursor.execute(sql)
        cursor.execute("ANALYZE")


def _emptied_tables() -> list[str]:
    from django.apps import apps

    from zhucun.models import AuditEntry

    tables = [AuditEntry._meta.db_table]
    for label in EMPTIED_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower not in KEPT and not model._meta.proxy:
                tables.append(model._meta.db_table)
    return tables


def reset() -> None:
    """Empty what an import writes: people, teams, memberships, audit entries …"""
    from django.core.management.color import no_style
    from django.db import connection

    sql = connection.ops.sql_flush(
        no_style(), _emptied_tables(), reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(sql)


# --- the workbook ------------------------------------------------------------------
def _role_label(membership) -> str:
    from teams.models import Membership

    if membership.role == Membership.Role.FIRST_SECRETARY:
        return "第一书记兼队长" if membership.is_leader else "第一书记"
    leads = membership.is_leader or membership.role == Membership.Role.LEADER
    return "队长" if leads else "队员"


def _candidates(wanted: int) -> list[list]:
    """Rows for distinct people, current term first, from the ``source`` database."""
    from teams.models import Membership

    memberships = (
        Membership.objects.using("source")
        .select_related(
            "person",
            "unit",
            "team__village__township",
            "team__village__county__parent",
        )
        .order_by("-team__start_date", "team__village_id", "role", "start_date", "id")
    )
    rows, seen = [], set()
    for m in memberships.iterator(chunk_size=5000):
        person = m.person
        if person.id_number in seen:
            continue
        seen.add(person.id_number)
        village = m.team.village
        rows.append(
            [
                village.county.parent.name,
                village.county.name,
                village.township.name,
                village.name,
                person.name,
                person.get_gender_display(),
                person.ethnicity,
                f"{person.birth_date:%Y.%m}",
                person.id_number,
                person.get_political_status_display(),
                m.unit.name,
                person.current_post,
                person.get_rank_display(),
                _role_label(m),
                "是" if person.on_staff else "否",
                m.start_date,
                m.end_date,
                person.phone,
                "",
            ]
        )
        if len(rows) >= wanted:
            break
    return rows


def _write(path: Path, rows: list[list]) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(HEADERS)
    for n, row in enumerate(rows, start=1):
        sheet.append([n, *row])
    book.save(path)


def _rejected_rows(path: Path) -> set[int] | None:
    """Excel rows a dry run rejects (None when the whole file passes)."""
    from zhucun.workbooks.importer import run_import

    reset()
    result = run_import(kind="roster", path=path, dry_run=True)
    if result.ok:
        return None
    return {e.row for e in result.errors}


def build_workbook(path: Path, rows: int) -> int:
    """Write a workbook of ``rows`` rows (fewer if the province has fewer people)."""
    pool = _candidates(rows + max(100, rows // 20))
    chosen = pool[:rows]
    for _attempt in range(5):
        _write(path, chosen)
        rejected = _rejected_rows(path)
        if rejected is None:
            return len(chosen)
        # Excel row r holds chosen[r - 2] (the header is row 1).
        bad = {id(chosen[r - 2]) for r in rejected if 2 <= r < len(chosen) + 2}
        kept = [row for row in pool if id(row) not in bad]
        pool = kept
        chosen = pool[:rows]
    raise RuntimeError("the roster workbook is still refused after five passes")


# --- stock django-import-export ----------------------------------------------------
def _stock_resources():
    from import_export import fields, resources, widgets

    from teams.models import Person, Unit

    labels = {
        "政治面貌": {str(label): v for v, label in Person.PoliticalStatus.choices},
        "职级": {str(label): v for v, label in Person.Rank.choices},
    }

    class StockPersonResource(resources.ModelResource):
        name = fields.Field("name", column_name="姓名")
        id_number = fields.Field("id_number", column_name="身份证号码")
        ethnicity = fields.Field("ethnicity", column_name="民族")
        political_status = fields.Field("political_status", column_name="政治面貌")
        unit = fields.Field(
            "unit",
            column_name="派出单位",
            widget=widgets.ForeignKeyWidget(Unit, "name"),
        )
        current_post = fields.Field("current_post", column_name="现任职务")
        rank = fields.Field("rank", column_name="职级")
        on_staff = fields.Field(
            "on_staff", column_name="是否在编在岗", widget=widgets.BooleanWidget()
        )
        phone = fields.Field("phone", column_name="联系电话")

        class Meta:
            model = Person
            import_id_fields = ("id_number",)
            fields = (
                "name",
                "id_number",
                "ethnicity",
                "political_status",
                "unit",
                "current_post",
                "rank",
                "on_staff",
                "phone",
            )

        def before_import_row(self, row, **kwargs):
            for column, mapping in labels.items():
                row[column] = mapping.get(row[column], row[column])
            row["是否在编在岗"] = row["是否在编在岗"] == "是"
            for column in ("民族", "现任职务", "联系电话"):
                row[column] = row[column] or ""

        def before_save_instance(self, instance, row, **kwargs):
            number = instance.id_number
            instance.birth_date = datetime.date(
                int(number[6:10]), int(number[10:12]), int(number[12:14])
            )
            instance.gender = "M" if int(number[16]) % 2 else "F"

    class StockBulkPersonResource(StockPersonResource):
        class Meta(StockPersonResource.Meta):
            use_bulk = True
            skip_diff = True
            force_init_instance = True
            batch_size = 1000

    return StockPersonResource, StockBulkPersonResource


# --- one run -----------------------------------------------------------------------
def run_once(config: dict) -> dict:
    """One import of the workbook into the emptied import database, in this process."""
    path = Path(config["path"])
    engine = config["engine"]
    reset()
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    if engine == "ours":
        from zhucun.workbooks.importer import run_import

        result = run_import(kind="roster", path=path)
        if not result.ok:
            raise RuntimeError(
                f"import refused: {[e.line() for e in result.errors[:3]]}"
            )
        rows = result.created + result.updated + result.unchanged
        objects = result.objects
    else:
        from import_export.formats.base_formats import XLSX

        stock, stock_bulk = _stock_resources()
        resource = stock() if engine == "stock" else stock_bulk()
        dataset = XLSX().create_dataset(path.read_bytes())
        outcome = resource.import_data(dataset, dry_run=False, raise_errors=True)
        rows = outcome.totals.get("new", 0) + outcome.totals.get("update", 0)
        objects = dict(outcome.totals)
    seconds = time.perf_counter() - started
    return {
        "engine": engine,
        "seconds": seconds,
        "rows": rows,
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "objects": objects,
    }


def measure(config: dict) -> list[Result]:
    database = config["database"]
    missing = missing_importer()
    if missing:
        return [
            unavailable("import", name, label, database, missing)
            for name, label in (
                ("import.roster", "花名册导入（对照原版）"),
                ("memory.import", "导入峰值内存"),
            )
        ]
    _copy_places()
    path = Path(config["workbook"])
    if not path.exists() or _rejected_rows(path) is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        build_workbook(path, config["import_rows"])

    def runs(engine: str, times: int) -> list[dict]:
        return [
            run_child(
                "roster_once",
                {"path": str(path), "engine": engine},
                env=dict(os.environ),
                timeout=CHILD_TIMEOUT,
            )
            for _ in range(times)
        ]

    ours = runs("ours", config["reps"])
    stock = runs("stock", config["stock_reps"])
    bulk = runs("stock_bulk", 1) if config.get("stock_bulk", True) else []
    rows = ours[0]["rows"]
    if any(r["rows"] != rows for r in [*ours, *stock, *bulk]):
        raise RuntimeError("the runs did not import the same number of rows")

    def rate(runs_: list[dict]) -> dict:
        figure = summary(
            [r["rows"] / r["seconds"] for r in runs_], unit="行/秒", digits=0
        )
        figure["seconds"] = round(
            sorted(r["seconds"] for r in runs_)[len(runs_) // 2], 2
        )
        figure["rows"] = rows
        return figure

    ours_figure = rate(ours) | {"objects": ours[0]["objects"]}
    stock_figure = rate(stock) | {
        "label": "原版 django-import-export ModelResource，默认选项（逐行保存；只写干部表）"
    }
    speedup = ratio(ours_figure["value"], stock_figure["value"])
    results = [
        Result(
            "import",
            "import.roster",
            f"花名册导入 {rows:,} 行（含读文件）",
            database,
            figure=ours_figure,
            anchor=stock_figure,
            ratio=speedup,
            ratio_means="本系统 行/秒 ÷ 原版 行/秒",
            goal=goal(f"≥ {GOAL_RATIO:g} 倍原版", (speedup or 0) >= GOAL_RATIO),
        )
    ]
    if bulk:
        bulk_figure = rate(bulk) | {
            "label": "原版批量模式（use_bulk、skip_diff、force_init_instance；只写干部表）"
        }
        results.append(
            Result(
                "import",
                "import.roster.bulk",
                "花名册导入，对照原版批量模式",
                database,
                figure=ours_figure,
                anchor=bulk_figure,
                ratio=ratio(ours_figure["value"], bulk_figure["value"]),
                ratio_means="本系统 行/秒 ÷ 原版批量 行/秒",
            )
        )
    memory = summary([r["peak_rss_mb"] for r in ours], unit="MB")
    memory["rss_before_mb"] = ours[0]["rss_before_mb"]
    stock_memory = summary([r["peak_rss_mb"] for r in stock], unit="MB") | {
        "label": "同一文件经原版逐行导入时的进程峰值"
    }
    results.append(
        Result(
            "import",
            "memory.import",
            f"导入 {rows:,} 行的进程峰值内存（RSS）",
            database,
            figure=memory,
            anchor=stock_memory,
            ratio=ratio(memory["value"], stock_memory["value"]),
            ratio_means="本系统峰值 ÷ 原版峰值",
        )
    )
    return results
