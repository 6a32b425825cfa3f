"""Measure every worksheet of an .xlsx before a parser allocates anything for it.

calamine and openpyxl size what they allocate by the sheet: one cell at XFD1048576
makes calamine ask for the whole A1:XFD1048576 rectangle (512 GiB), and a merged
range is filled cell by cell. So before either sees the file, each worksheet's XML
is streamed in chunks (never held whole) and measured against settings sized
for the real rosters:

- ``ZHUCUN_IMPORT_MAX_SHEETS`` (20) worksheets;
- ``ZHUCUN_IMPORT_MAX_ROWS`` (200,000) rows and ``ZHUCUN_IMPORT_MAX_COLUMNS`` (200)
  columns, for the declared ``<dimension>`` and for the cells actually there;
- ``ZHUCUN_IMPORT_MAX_CELLS`` (2,000,000) cells, counted and as the rectangle from
  A1 to the last cell (what the readers allocate);
- ``ZHUCUN_IMPORT_MAX_MERGED_CELLS`` (200,000) cells covered by merged ranges.

The declared dimension may lie or be missing: the cells streamed are the truth, and a
declared dimension beyond the limits is refused as well, since the readers trust it.
"""

import posixpath
import re
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree as SafeElementTree
from django.conf import settings
from django.utils.translation import gettext as _

from zhucun.workbooks.safety import WorkbookRefused

_CHUNK = 64 * 1024
_REF = re.compile(r"^\$?([A-Za-z]{1,3})?\$?([0-9]{1,7})?$")
_CELL = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKSHEET_REL = "/worksheet"


@dataclass(frozen=True)
class Limits:
    sheets: int
    rows: int
    columns: int
    cells: int
    merged_cells: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            sheets=int(getattr(settings, "ZHUCUN_IMPORT_MAX_SHEETS", 20)),
            rows=int(getattr(settings, "ZHUCUN_IMPORT_MAX_ROWS", 200_000)),
            columns=int(getattr(settings, "ZHUCUN_IMPORT_MAX_COLUMNS", 200)),
            cells=int(getattr(settings, "ZHUCUN_IMPORT_MAX_CELLS", 2_000_000)),
            merged_cells=int(
                getattr(settings, "ZHUCUN_IMPORT_MAX_MERGED_CELLS", 200_000)
            ),
        )


def column_number(letters: str) -> int:
    """1 for A, 16384 for XFD."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str) -> tuple[int, int]:
    """(row, column) of ``B7``; 0 for a part a reference leaves out (``B`` or ``7``)."""
    match = _REF.match(ref.strip())
    if match is None:
        raise ValueError(ref)
    letters, digits = match.groups()
    return (int(digits) if digits else 0, column_number(letters) if letters else 0)


def _range(ref: str) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of ``A1:C9`` (or of one cell)."""
    first, _sep, last = ref.partition(":")
    top, left = _cell(first)
    bottom, right = _cell(last) if last else (top, left)
    return top, left, bottom, right


def check_sheet_bounds(archive: zipfile.ZipFile, limits: Limits | None = None) -> None:
    """Raise WorkbookRefused when a worksheet is larger than the limits allow."""
    limits = limits or Limits.from_settings()
    sheets = _worksheets(archive)
    if len(sheets) > limits.sheets:
        raise WorkbookRefused(
            _("工作簿有%(n)d个工作表，超过上限（最多%(limit)d个）。")
            % {"n": len(sheets), "limit": limits.sheets}
        )
    for name, part in sheets:
        _SheetScan(name, limits).scan(archive, part)


def _worksheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip part) of every worksheet the workbook lists, in its order."""
    names = set(archive.namelist())
    try:
        book = SafeElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels_part = "xl/_rels/workbook.xml.rels"
        rels = (
            SafeElementTree.fromstring(archive.read(rels_part))
            if rels_part in names
            else None
        )
    except SafeElementTree.ParseError:
        raise WorkbookRefused(
            _("文件已损坏，无法作为Excel工作簿（.xlsx）打开。")
        ) from None
    targets = {}
    for rel in rels if rels is not None else ():
        if str(rel.get("Type", "")).endswith(_WORKSHEET_REL):
            target = str(rel.get("Target", ""))
            if target.startswith("/"):
                part = target.lstrip("/")
            else:
                part = posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = part
    listed = []
    for element in book.iter():
        if element.tag.rpartition("}")[2] != "sheet":
            continue
        part = targets.get(element.get(f"{{{_REL_NS}}}id"))
        if part in names:
            listed.append((str(element.get("name", "")), part))
    # A worksheet part the workbook does not list is still measured: a reader
    # might open it by its path.
    seen = {part for _name, part in listed}
    for part in sorted(names):
        if part.startswith("xl/worksheets/") and part.endswith(".xml"):
            if part not in seen:
                listed.append((posixpath.basename(part)[:-4], part))
    return listed


class _Stop(Exception):
    """Raised to stop reading: the message says why."""


# The start of the four elements measured, with any namespace prefix (the readers
# match local names). The attributes are taken up to the next ">".
_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row|dimension|mergeCell)(?=[\s/>])")
# One pass finds every cell and row start and, when its tag has a plain ``r="B7"``
# (what Excel writes), where it is: (element, column letters, row digits).
_POSITIONED = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(c|row)(?=[\s/>])"
    rb'(?:(?=[^>]*?\sr\s*=\s*"([A-Z]{0,3})([0-9]{1,9})")|)'
)
_PLAIN = {(b"c", True), (b"row", False)}  # a cell has a column, a row has none
_ATTRIBUTE = re.compile(rb"""(?:^|\s)(r|ref)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_MAX_TAG = 64 * 1024


class _SheetScan:
    """One worksheet's XML streamed in chunks: its dimension, merges and cells.

    A regular expression over the bytes, not an XML parser: expat calling back for
    every element took longer than the read it protects. It is strict where that
    would matter: anything that could hide a cell from it (comments, CDATA, a DTD,
    another encoding than UTF-8, a "<" or an odd quote inside a measured tag, a
    reference that is not plain ``B7``) refuses the sheet.
    """

    def __init__(self, name: str, limits: Limits):
        self.name = name
        self.limits = limits
        self.row = 0
        self.column = 0
        self.max_row = 0
        self.max_column = 0
        self.cells = 0
        self.merged = 0

    def scan(self, archive: zipfile.ZipFile, part: str) -> None:
        try:
            with archive.open(part) as stream:
                self._scan(stream)
        except _Stop as stop:
            raise WorkbookRefused(str(stop.args[0])) from None

    @staticmethod
    def _refuse(message: str):
        raise _Stop(message)

    def _damaged(self, why: str = "") -> None:
        raise _Stop(
            _(
                "工作表“%(sheet)s”的内容格式异常（%(why)s），无法安全读取。"
                "请用Excel重新保存后再导入。"
            )
            % {"sheet": self.name, "why": why}
        )

    def _scan(self, stream) -> None:
        first = stream.read(_CHUNK)
        self._check_encoding(first)
        tail, chunk = b"", first
        while chunk:
            buffer = tail + chunk
            if b"<!" in buffer:
                if b"<!DOCTYPE" in buffer or b"<!ENTITY" in buffer:
                    raise _Stop(
                        _("文件中含有不安全的XML内容（实体声明），已拒绝导入。")
                    )
                self._damaged(_("含有注释或CDATA"))
            # Cut before a tag the chunk ends inside of; it is read with the next.
            last = buffer.rfind(b"<")
            if last == -1 or buffer.rfind(b">") > last:
                part, tail = buffer, b""
            else:
                part, tail = buffer[:last], buffer[last:]
            self._part(part)
            if len(tail) > _MAX_TAG:
                self._damaged(_("标签过长"))
            chunk = stream.read(_CHUNK)
        self._part(tail)

    def _part(self, part: bytes) -> None:
        """Measure the complete tags of ``part``, in bulk when every one is plain."""
        found = _POSITIONED.findall(part)
        if not found:
            if b"dimension" in part or b"mergeCell" in part:
                self._tags(part)
            return
        kinds, letters, digits = zip(*found, strict=True)
        if (
            b"" in digits
            or not set(zip(kinds, map(bool, letters), strict=True)) <= _PLAIN
            or b"dimension" in part
            or b"mergeCell" in part
        ):
            self._tags(part)  # one tag at a time, strictly
            return
        # Every cell and row says where it is: the largest positions are enough.
        columns = {ref for ref in letters if ref}
        self.cells += kinds.count(b"c")
        self._grow(
            max(map(int, digits)),
            max((column_number(ref.decode()) for ref in columns), default=0),
        )
        self.row = int(digits[-1])
        self.column = column_number(letters[-1].decode()) if letters[-1] else 0

    def _check_encoding(self, first: bytes) -> None:
        if first.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in first[:512]:
            self._damaged(_("不是UTF-8编码"))
        declared = _DECLARED_ENCODING.search(first[:200])
        if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
            self._damaged(_("不是UTF-8编码"))

    def _tags(self, buffer: bytes) -> None:
        """Measure the tags of ``buffer`` one by one."""
        for match in _START.finditer(buffer):
            close = buffer.find(b">", match.end())
            if close == -1:
                self._damaged(_("标签不完整"))
            attributes = buffer[match.end() : close]
            if (
                b"<" in attributes
                or attributes.count(b'"') % 2
                or attributes.count(b"'") % 2
            ):
                self._damaged(_("标签中有异常字符"))
            self._element(match.group(1), attributes)

    def _values(self, attributes: bytes, wanted: bytes) -> list[str]:
        values = []
        for found in _ATTRIBUTE.finditer(attributes):
            if found.group(1) == wanted:
                raw = found.group(2) if found.group(2) is not None else found.group(3)
                values.append(raw.decode("ascii", errors="replace"))
        return values

    def _element(self, local: bytes, attributes: bytes) -> None:
        if local == b"c":
            refs = self._values(attributes, b"r")
            if not refs:
                self.column += 1
            for ref in refs:
                row, column = self._reference(ref)
                self.row, self.column = row, column
            self.cells += 1
            self._grow(self.row, self.column)
        elif local == b"row":
            refs = self._values(attributes, b"r")
            if not refs:
                self.row += 1
            for ref in refs:
                if not ref.isdigit() or len(ref) > 9:
                    self._damaged(_("行号“%(ref)s”无法识别") % {"ref": ref[:20]})
                self.row = int(ref)
            self.column = 0
            self._grow(self.row, 0)
        elif local == b"dimension":
            for ref in self._values(attributes, b"ref"):
                self._dimension(ref)
        else:
            for ref in self._values(attributes, b"ref"):
                self._merge(ref)

    def _reference(self, ref: str) -> tuple[int, int]:
        """(row, column) of a cell's plain ``B7`` reference, else the sheet is refused."""
        match = _CELL.match(ref)
        if match is None:
            self._damaged(_("单元格位置“%(ref)s”无法识别") % {"ref": ref[:20]})
        return int(match.group(2)), column_number(match.group(1))

    def _grow(self, row: int, column: int) -> None:
        limits = self.limits
        if row > self.max_row:
            self.max_row = row
            if row > limits.rows:
                self._refuse(self._too_many_rows(row))
        if column > self.max_column:
            self.max_column = column
            if column > limits.columns:
                self._refuse(self._too_many_columns(column))
        if self.cells > limits.cells:
            self._refuse(
                _("工作表“%(sheet)s”的单元格超过上限（最多%(limit)s个）。")
                % {"sheet": self.name, "limit": f"{limits.cells:,}"}
            )
        if self.max_row * self.max_column > limits.cells:
            self._refuse(
                _(
                    "工作表“%(sheet)s”的范围 A1:%(last)s 共%(n)s个单元格，"
                    "超过上限（最多%(limit)s个）。请删除多余的行和列后再导入。"
                )
                % {
                    "sheet": self.name,
                    "last": f"{column_letters(self.max_column)}{self.max_row}",
                    "n": f"{self.max_row * self.max_column:,}",
                    "limit": f"{limits.cells:,}",
                }
            )

    def _too_many_rows(self, row: int) -> str:
        return _(
            "工作表“%(sheet)s”有数据或格式的行到第%(row)s行，超过上限（最多%(limit)s行）。"
            "如果下面是空行，请在Excel中删除这些空行后再导入。"
        ) % {
            "sheet": self.name,
            "row": f"{row:,}",
            "limit": f"{self.limits.rows:,}",
        }

    def _too_many_columns(self, column: int) -> str:
        return _(
            "工作表“%(sheet)s”有数据或格式的列到第%(column)s列（%(letters)s列），"
            "超过上限（最多%(limit)d列）。请删除多余的列后再导入。"
        ) % {
            "sheet": self.name,
            "column": f"{column:,}",
            "letters": column_letters(column),
            "limit": self.limits.columns,
        }

    def _dimension(self, ref: str) -> None:
        try:
            top, left, bottom, right = _range(ref)
        except ValueError:
            return  # an unreadable dimension is ignored: the cells are measured
        rows, columns = max(top, bottom), max(left, right)
        limits = self.limits
        if rows > limits.rows:
            what = _("最多%(limit)s行") % {"limit": f"{limits.rows:,}"}
        elif columns > limits.columns:
            what = _("最多%(limit)d列") % {"limit": limits.columns}
        elif rows * columns > limits.cells:
            what = _("最多%(limit)s个单元格") % {"limit": f"{limits.cells:,}"}
        else:
            return
        self._refuse(
            _(
                "工作表“%(sheet)s”声明的范围 %(ref)s 超过上限（%(what)s）。"
                "请删除多余的行和列，用Excel重新保存后再导入。"
            )
            % {"sheet": self.name, "ref": ref, "what": what}
        )

    def _merge(self, ref: str) -> None:
        try:
            top, left, bottom, right = _range(ref)
        except ValueError:
            self._refuse(
                _("工作表“%(sheet)s”的合并单元格 %(ref)s 无法识别。")
                % {"sheet": self.name, "ref": ref[:40]}
            )
        limits = self.limits
        if bottom > limits.rows or right > limits.columns:
            self._refuse(
                _(
                    "工作表“%(sheet)s”的合并单元格 %(ref)s 超出上限"
                    "（最多%(rows)s行、%(columns)d列）。"
                )
                % {
                    "sheet": self.name,
                    "ref": ref,
                    "rows": f"{limits.rows:,}",
                    "columns": limits.columns,
                }
            )
        self.merged += max(bottom - top + 1, 1) * max(right - left + 1, 1)
        if self.merged > limits.merged_cells:
            self._refuse(
                _(
                    "工作表“%(sheet)s”的合并单元格共覆盖%(n)s个单元格，"
                    "超过上限（最多%(limit)s个）。请取消大范围的合并后再导入。"
                )
                % {
                    "sheet": self.name,
                    "n": f"{self.merged:,}",
                    "limit": f"{limits.merged_cells:,}",
                }
            )
