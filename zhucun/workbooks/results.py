"""What an import finds: each row's values and problems, and the import's tally.

``RowError`` is one problem (sheet, Excel row, column, what was there, why); ``Row``
a data row with its parsed values and its errors; ``ImportResult`` the counts and
the errors kept (``MAX_ERRORS_KEPT``) that the pages, the API and the command show.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zhucun.id_numbers import mask_personal
from zhucun.workbooks.columns import KEEP
from zhucun.workbooks.reading import SourceRow
from zhucun.workbooks.values import clean_text

# Most errors kept in a result (the error workbook still marks every bad row).
MAX_ERRORS_KEPT = 5000


@dataclass(frozen=True)
class RowError:
    """One problem: where it is (sheet, Excel row, column), what was there, why."""

    sheet: str
    row: int
    column: str
    value: str
    message: str

    def line(self, *, with_sheet: bool = False) -> str:
        """``ROW<TAB>COLUMN<TAB>MESSAGE`` (the command-line contract)."""
        message = self.message
        if self.value:
            message = _("%(message)s（填写的是：%(value)s）") % {
                "message": message,
                "value": self.value,
            }
        if with_sheet and self.sheet:
            message = _("工作表“%(sheet)s”：%(message)s") % {
                "sheet": self.sheet,
                "message": message,
            }
        return f"{self.row}\t{self.column}\t{message}"

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class Row:
    """A data row: its source, its parsed values (by field name) and its errors."""

    __slots__ = ("source", "data", "errors", "outcome", "plan", "place")

    def __init__(self, source: SourceRow, data: dict):
        self.source = source
        self.data = data
        self.errors: list[RowError] = []
        self.outcome = ""  # "created", "updated" or "unchanged" once placed
        self.plan = None  # what the importer will do with the row
        self.place = None  # (county, township, village) once located

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def number(self) -> int:
        return self.source.number

    @property
    def sheet(self) -> str:
        return self.source.sheet

    def where(self) -> str:
        return _("工作表“%(sheet)s”第%(row)d行") % {
            "sheet": self.sheet,
            "row": self.number,
        }

    def reject(self, column: str, message: str) -> None:
        """Record a problem with this row; ``column`` is the header it is about."""
        self.errors.append(
            RowError(
                sheet=self.sheet,
                row=self.number,
                column=column,
                value=display_value(column, self.source.raw.get(column)),
                message=message,
            )
        )

    def given(self, name: str) -> bool:
        """Whether the row sets this field (a KEEP value leaves it as stored)."""
        return self.data.get(name, KEEP) is not KEEP


def display_value(column: str, value) -> str:
    """A cell value for an error message, personal numbers masked."""
    if value is None:
        return ""
    text = clean_text(value)
    if column == "身份证号码":
        return mask_personal("id_number", text)
    if column == "联系电话":
        return mask_personal("phone", text)
    return text[:60]


@dataclass
class ImportResult:
    kind: str
    title: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    notes: list[str] = field(default_factory=list)
    new_townships: list[str] = field(default_factory=list)
    objects: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0
    written: bool = False
    # The file could not be read at all (the reader died or ran out of memory).
    failed: bool = False
    # Errors of the file or a sheet as a whole (not of one row): every one is kept.
    file_errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error)

    def count_object(self, label: str, action: str, n: int = 1) -> None:
        if n:
            bucket = self.objects.setdefault(label, {"created": 0, "updated": 0})
            bucket[action] += n

    def summary(self) -> str:
        return _(
            "新增%(created)d行，更新%(updated)d行，未变%(unchanged)d行，"
            "拒绝%(rejected)d行"
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "error_count": self.error_count,
            "notes": self.notes,
            "new_townships": self.new_townships,
            "objects": self.objects,
            "seconds": round(self.seconds, 2),
            "written": self.written,
        }
