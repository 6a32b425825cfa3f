"""The import pipeline: every row checked first, then all written at once or none.

``run_import`` does, in order:

1. refuse an unsafe file (``safety``, ``bounds``) before any parsing;
2. read every sheet (``reading``) in a bounded child process (``sandbox``), refuse
   a workbook without data rows, and parse every cell through its column, keeping
   every problem as a ``RowError`` (sheet, Excel row, column, value, message);
3. let the kind's ``Importer`` place each row (regions, people, teams …) with a few
   set-based queries, and check the rules that span rows (duplicates, one person in
   two villages, one first secretary, Liangshan's cap …);
4. if any row is rejected, or for a dry run, stop: nothing is written;
5. otherwise write everything in ONE transaction with bulk operations, with one
   ``AuditEntry`` per changed object (source ``import``) in the same transaction.

Steps 3–5 of a real import run inside the transaction, after the rows that stand
for a group (a team, a county) are locked, so the rules checked are still true
when the rows are written.

Blank cells: a required column must be filled; an optional one takes its column's
``blank`` value, where ``KEEP`` leaves the stored value alone on an update (a
missing column keeps every stored value). Yes/no flags read blank as 否.
"""

import abc
import gc
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from zhucun.access import scoped, sees_everything, user_scope
from zhucun.audit import AuditBatch, audit_context, diff
from zhucun.workbooks.columns import KEEP, Column
from zhucun.workbooks.reading import WorkbookData
from zhucun.workbooks.reports import write_error_workbook
from zhucun.workbooks.results import ImportResult, Row, RowError
from zhucun.workbooks.safety import WorkbookRefused
from zhucun.workbooks.sandbox import WorkbookUnreadable, read_workbook_bounded
from zhucun.workbooks.values import CellError

Progress = Callable[[int, str], None]


class ScopeGate:
    """Whether the importing user may write rows of a place (None user = the system)."""

    def __init__(self, user):
        self.user = user
        self.everything = user is None or sees_everything(user)
        scope = user_scope(user) if user is not None else None
        self.path = (
            scope.region.path
            if scope is not None and scope.region_id and user.is_active
            else None
        )
        self.scope_label = str(scope) if scope is not None else _("无管辖范围")

    def allows_path(self, path: str) -> bool:
        return self.everything or bool(self.path and path.startswith(self.path))

    def visible(self, queryset: models.QuerySet, ids: Iterable[int]) -> set[int]:
        """Which of ``ids`` the user may see in ``queryset``'s model."""
        ids = sorted(set(ids))
        if self.everything:
            return set(ids)
        seen: set[int] = set()
        for chunk in chunks(ids):
            seen.update(
                scoped(self.user, queryset.filter(pk__in=chunk)).values_list(
                    "pk", flat=True
                )
            )
        return seen

    def refusal(self, what: str) -> str:
        return _("%(what)s不在您的管辖范围（%(scope)s）内，不能导入。") % {
            "what": what,
            "scope": self.scope_label,
        }


def chunks(items: Sequence, size: int = 900) -> Iterable[Sequence]:
    """Slices small enough for an ``IN (…)`` on SQLite."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def changed_fields(current: models.Model | dict, new: dict) -> dict:
    """{attname: [before, after]} of the ``new`` values that differ (unmasked).

    ``current`` is a model instance or a dict of stored values (``.values()``).
    """
    if isinstance(current, dict):
        return {
            name: [current[name], value]
            for name, value in new.items()
            if current[name] != value
        }
    return {
        name: [getattr(current, name), value]
        for name, value in new.items()
        if getattr(current, name) != value
    }


def apply_changes(instance: models.Model, changes: dict) -> dict:
    """Set the changed values on ``instance``; return the audit diff (masked)."""
    before = {name: pair[0] for name, pair in changes.items()}
    for name, (_old, new) in changes.items():
        setattr(instance, name, new)
    return diff(
        snapshot_values(before), snapshot_values({n: p[1] for n, p in changes.items()})
    )


def snapshot_values(values: dict) -> dict:
    plain = {}
    for name, value in values.items():
        if value is None or isinstance(value, (bool, int, str)):
            plain[name] = value
        else:
            plain[name] = str(value)
    return plain


class Importer(abc.ABC):
    """One kind's rules: place the rows, check them, write them in bulk.

    Subclasses implement ``check`` (set ``row.outcome`` and ``row.plan`` or reject
    the row) and ``write`` (bulk writes plus ``audit`` records). ``permissions``
    are what a user needs to run this import.
    """

    permissions: tuple[str, ...] = ()

    def __init__(self, *, user, result: ImportResult):
        self.user = user
        self.result = result
        self.gate = ScopeGate(user)

    @abc.abstractmethod
    def check(self, rows: list[Row], *, lock: bool) -> None:
        """Set each row's ``outcome`` and ``plan``, or reject it."""

    @abc.abstractmethod
    def write(self, rows: list[Row], audit: AuditBatch) -> None:
        """Write the checked rows in bulk and record them in ``audit``."""

    # --- helpers for subclasses ---------------------------------------------
    @staticmethod
    def duplicates(rows: Iterable[Row], key: Callable[[Row], object], column: str):
        """Reject every row whose key an earlier row already had."""
        first: dict[object, Row] = {}
        for row in rows:
            if not row.ok:
                continue
            k = key(row)
            if k is None:
                continue
            earlier = first.setdefault(k, row)
            if earlier is not row:
                row.reject(
                    column,
                    _("与%(where)s重复。") % {"where": earlier.where()},
                )


def may_import(user, kind: str) -> bool:
    """Whether ``user`` holds the permissions the kind's import needs."""
    # The kinds' registry imports every app's resources, which import this module.
    from zhucun.workbooks.kinds import resource_class

    importer = resource_class(kind).importer_class
    return user is None or user.has_perms(importer.permissions)


_MISSING = object()


def parse_rows(book: WorkbookData, by_name: dict[str, tuple[str, Column]], result):
    """Rows with every cell parsed; rows of a sheet missing a required column are out."""
    rows: list[Row] = []
    for sheet in book.sheets:
        if sheet.missing_columns:
            for name in sheet.missing_columns:
                error = RowError(
                    sheet=sheet.name,
                    row=sheet.header_row,
                    column=name,
                    value="",
                    message=_("缺少必填列“%(column)s”，本工作表未导入。")
                    % {"column": name},
                )
                result.add_error(error)
                result.file_errors.append(error)
            result.rejected += len(sheet.rows)
            result.rows += len(sheet.rows)
            continue
        present = [
            (name, column, {} if column.cacheable else None)
            for name, column in (
                by_name[canonical]
                for canonical in sheet.columns.values()
                if canonical in by_name
            )
            if column.imported
        ]
        absent = {name: KEEP for name, _c in by_name.values()}
        for source in sheet.rows:
            data = dict(absent)
            row = Row(source, data)
            raw_values = source.raw
            for name, column, cache in present:
                raw = raw_values.get(column.column_name)
                if raw is None:
                    if column.required:
                        row.reject(column.column_name, _("必填，不能为空。"))
                    else:
                        data[name] = column.blank
                    continue
                # Most columns repeat (one village for five members, one unit
                # for many): a value is cleaned once per column and remembered.
                outcome = cache.get(raw, _MISSING) if cache is not None else _MISSING
                if outcome is _MISSING:
                    try:
                        outcome = (True, column.widget.clean(raw))
                    except CellError as exc:
                        outcome = (False, exc.message)
                    if cache is not None:
                        cache[raw] = outcome
                if outcome[0]:
                    data[name] = outcome[1]
                else:
                    row.reject(column.column_name, outcome[1])
            rows.append(row)
        if sheet.unknown_columns:
            result.notes.append(
                _("工作表“%(sheet)s”中以下列不认识，已忽略：%(columns)s")
                % {"sheet": sheet.name, "columns": "、".join(sheet.unknown_columns)}
            )
    return rows


def run_import(
    *,
    kind: str,
    path: str | Path,
    user=None,
    dry_run: bool = False,
    ip_address: str | None = None,
    progress: Progress | None = None,
    error_workbook: str | Path | None = None,
) -> ImportResult:
    """Import a workbook of ``kind`` whole, or nothing; a dry run writes nothing.

    With ``error_workbook``, a rejected import also writes there the workbook a
    clerk downloads: every error, and the original rows with an error column.
    """
    # Hundreds of thousands of small objects live through an import: without the
    # cyclic collector scanning them again and again it runs about twice as fast.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result, book, rows = _run_import(
            kind, path, user, dry_run, ip_address, progress or _no_progress
        )
        if error_workbook is not None and not result.ok:
            errors = [*result.file_errors, *(e for r in rows for e in r.errors)]
            write_error_workbook(error_workbook, book, errors)
        return result
    finally:
        if collecting:
            gc.enable()


def _no_progress(percent: int, stage: str) -> None:
    return None


def _run_import(kind, path, user, dry_run, ip_address, report):
    # The kinds' registry imports every app's resources, which import this module.
    from zhucun.workbooks.kinds import resource_class

    started = time.monotonic()
    resource = resource_class(kind)
    result = ImportResult(kind=kind, title=resource.title, dry_run=dry_run)
    try:
        report(5, _("正在读取工作簿"))
        book = read_workbook_bounded(path, resource.import_columns())
    except WorkbookRefused as refused:
        result.failed = isinstance(refused, WorkbookUnreadable)
        _file_error(result, refused.message)
        return result, None, []
    if book.blank:
        _file_error(result, _("文件没有数据行：工作簿是空的。"))
        return result, book, []
    result.notes.extend(
        _("工作表“%(sheet)s”前%(n)d行中没有找到表头，已跳过。")
        % {"sheet": name, "n": 10}
        for name in book.skipped_sheets
    )
    if not book.sheets:
        error = RowError(
            "",
            0,
            "",
            "",
            _("没有找到%(title)s的表头：前10行中应有这些列：%(columns)s。")
            % {
                "title": resource.title,
                "columns": "、".join(
                    c.column_name for c in resource.import_columns() if c.required
                ),
            },
        )
        result.add_error(error)
        result.file_errors.append(error)
        return result, book, []
    if not any(sheet.rows for sheet in book.sheets):
        _file_error(
            result,
            _("文件没有数据行：表头（第%(row)d行）下面没有任何数据。")
            % {"row": book.sheets[0].header_row},
        )
        return result, book, []
    report(20, _("正在检查每一个单元格"))
    rows = parse_rows(book, resource.column_by_name(), result)
    report(35, _("正在核对地区、人员和工作队"))
    importer = resource.importer_class(user=user, result=result)
    with audit_context(user=user, source="import", ip_address=ip_address):
        if dry_run:
            importer.check(rows, lock=False)
            _tally(rows, result)
        else:
            _import_in_transaction(importer, rows, result, user, ip_address, report)
    result.seconds = time.monotonic() - started
    report(100, _("完成"))
    return result, book, rows


def _file_error(result: ImportResult, message: str) -> None:
    """An error of the whole file (row 0), kept with the others."""
    error = RowError("", 0, "", "", message)
    result.add_error(error)
    result.file_errors.append(error)


class _Rollback(Exception):
    pass


def _import_in_transaction(importer, rows, result, user, ip_address, report) -> None:
    try:
        with transaction.atomic():
            importer.check(rows, lock=True)
            _tally(rows, result)
            if not result.ok:
                raise _Rollback
            report(60, _("正在写入数据库"))
            audit = AuditBatch(user=user, ip_address=ip_address)
            importer.write(rows, audit)
            report(85, _("正在写入操作日志"))
            audit.write()
            result.written = True
    except _Rollback:
        result.written = False
    except IntegrityError:
        # The database refused what the checks let through: someone changed the
        # same rows meanwhile. Everything was rolled back.
        result.written = False
        result.new_townships = []
        error = RowError(
            "",
            0,
            "",
            "",
            _(
                "写入时数据库拒绝了部分数据（可能有人同时修改了相同的记录），"
                "本次导入已全部撤销，请重新导入。"
            ),
        )
        result.add_error(error)
        result.file_errors.append(error)


def _tally(rows: list[Row], result: ImportResult) -> None:
    result.rows += len(rows)
    for row in rows:
        if row.errors:
            result.rejected += 1
            for error in row.errors:
                result.add_error(error)
        elif row.outcome == "created":
            result.created += 1
        elif row.outcome == "updated":
            result.updated += 1
        else:
            result.unchanged += 1
