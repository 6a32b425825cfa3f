"""Refuse an uploaded file before any parser sees it.

An .xlsx is a zip of XML parts. Before parsing we check, cheaply and in this order:
the size on disk (``ZHUCUN_IMPORT_MAX_BYTES``, default 20 MiB), that it is a zip at
all (an old .xls, a CSV or a renamed file is refused with a hint), that it has the
parts of a workbook, and that it is not a zip bomb: the declared uncompressed sizes
must stay under ``ZHUCUN_IMPORT_MAX_UNCOMPRESSED_BYTES`` (default 512 MiB) and no
large part may claim more than ``ZHUCUN_IMPORT_MAX_RATIO`` (default 200) times its
compressed size. Declared sizes can lie, so every part is then inflated in chunks
(without keeping it) and the reading stops as soon as a part outgrows what it
declared. The workbook's XML is finally parsed with defusedxml, which refuses
entity declarations (billion-laughs, external entities), and every worksheet is
measured (``bounds``) before a reader may allocate for it.

An OLE compound file is either an old .xls or an .xlsx saved with a password
(Excel wraps the encrypted package in one): its directory tells them apart.

``sniff_workbook_file`` is the part of these checks cheap enough for a web request
(the size and the first bytes); the rest runs where the file is read (``sandbox``).
"""

import os
import struct
import zipfile
from pathlib import Path

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _

MiB = 1024 * 1024
_CHUNK = 1024 * 1024
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_XLSX_MAIN = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
)
# Parts smaller than this are never called bombs, whatever their ratio.
_RATIO_FLOOR = MiB


class WorkbookRefused(Exception):
    """The file is not a workbook we will open; the message says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    return int(getattr(settings, "ZHUCUN_IMPORT_MAX_BYTES", 20 * MiB))


def max_uncompressed_bytes() -> int:
    return int(getattr(settings, "ZHUCUN_IMPORT_MAX_UNCOMPRESSED_BYTES", 512 * MiB))


def max_ratio() -> int:
    return int(getattr(settings, "ZHUCUN_IMPORT_MAX_RATIO", 200))


def _mib(size: int) -> str:
    return f"{size / MiB:.1f}"


def check_workbook_file(path: str | os.PathLike) -> None:
    """Raise WorkbookRefused unless ``path`` is an .xlsx safe to parse."""
    path = sniff_workbook_file(path)
    try:
        with zipfile.ZipFile(path) as archive:
            _check_archive(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        raise WorkbookRefused(
            _("文件已损坏，无法作为Excel工作簿（.xlsx）打开。")
        ) from None


def sniff_workbook_file(path: str | os.PathLike) -> Path:
    """Refuse by size and first bytes what cannot be an .xlsx (cheap, no parsing)."""
    path = Path(path)
    size = path.stat().st_size
    limit = max_bytes()
    if size > limit:
        raise WorkbookRefused(
            _(
                "文件太大（%(size)s MB），导入文件不能超过%(limit)s MB。请分成几个文件导入。"
            )
            % {"size": _mib(size), "limit": _mib(limit)}
        )
    if size == 0:
        raise WorkbookRefused(_("文件是空的。"))
    with path.open("rb") as handle:
        head = handle.read(8)
        if head.startswith(_XLS_MAGIC):
            if _is_encrypted_package(handle):
                raise WorkbookRefused(
                    _("文件已加密（设置了打开密码），请取消密码后再导入。")
                )
            raise WorkbookRefused(
                _(
                    "这是旧版Excel（.xls）文件。"
                    "请在Excel中“另存为”Excel工作簿（.xlsx）后再导入。"
                )
            )
    if not head.startswith(_ZIP_MAGIC) or not zipfile.is_zipfile(path):
        raise WorkbookRefused(
            _("文件不是Excel工作簿（.xlsx）。请上传用Excel保存的.xlsx文件。")
        )
    return path


# Names of the streams Excel writes into the compound file of a protected .xlsx.
_ENCRYPTED_STREAMS = ("EncryptionInfo", "EncryptedPackage")
_FAT_END = 0xFFFFFFFA  # at or above: end of chain, free, or a FAT/DIFAT sector
_MAX_DIRECTORY_SECTORS = 256


def _is_encrypted_package(handle) -> bool:
    """Whether an OLE compound file holds an encrypted .xlsx (bounded reads)."""
    handle.seek(0)
    header = handle.read(512)
    if len(header) < 512:
        return False
    shift = struct.unpack_from("<H", header, 30)[0]
    if not 7 <= shift <= 16:
        return False
    size = 1 << shift
    fat_count, first_directory = struct.unpack_from("<II", header, 44)
    fat_sectors = struct.unpack_from("<109I", header, 76)[: min(fat_count, 109)]

    def sector(number: int) -> bytes:
        handle.seek((number + 1) * size)
        return handle.read(size)

    fat: list[int] = []
    for number in fat_sectors:
        data = sector(number)
        fat.extend(struct.unpack_from(f"<{len(data) // 4}I", data))
    names = set()
    number, seen = first_directory, 0
    while number < _FAT_END and seen < _MAX_DIRECTORY_SECTORS:
        data = sector(number)
        for offset in range(0, len(data) - 127, 128):
            length = struct.unpack_from("<H", data, offset + 64)[0]
            if 2 <= length <= 64:
                raw = data[offset : offset + length - 2]
                names.add(raw.decode("utf-16-le", errors="replace"))
        seen += 1
        number = fat[number] if number < len(fat) else _FAT_END
    return any(name in names for name in _ENCRYPTED_STREAMS)


def _check_archive(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    names = {info.filename for info in infos}
    if not all(part in names for part in _REQUIRED_PARTS):
        raise WorkbookRefused(
            _("文件不是Excel工作簿（.xlsx）。请上传用Excel保存的.xlsx文件。")
        )
    declared = sum(info.file_size for info in infos)
    ceiling = max_uncompressed_bytes()
    if declared > ceiling:
        raise WorkbookRefused(_bomb_message())
    ratio = max_ratio()
    for info in infos:
        if info.file_size > _RATIO_FLOOR and info.file_size > ratio * max(
            info.compress_size, 1
        ):
            raise WorkbookRefused(_bomb_message())
    inflated = 0
    for info in infos:
        inflated += _inflate(archive, info, ceiling - inflated)
    _check_content_types(archive)
    # bounds imports WorkbookRefused from here: a real cycle.
    from zhucun.workbooks.bounds import check_sheet_bounds

    check_sheet_bounds(archive)


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, room: int) -> int:
    """Decompress one part without keeping it; stop once it outgrows its claim."""
    allowed = min(info.file_size, room)
    seen = 0
    with archive.open(info) as part:
        while True:
            chunk = part.read(_CHUNK)
            if not chunk:
                return seen
            seen += len(chunk)
            if seen > allowed:
                raise WorkbookRefused(_bomb_message())


def _check_content_types(archive: zipfile.ZipFile) -> None:
    try:
        root = SafeElementTree.fromstring(archive.read("[Content_Types].xml"))
        SafeElementTree.fromstring(archive.read("xl/workbook.xml"))
    except DefusedXmlException:
        raise WorkbookRefused(
            _("文件中含有不安全的XML内容（实体声明），已拒绝导入。")
        ) from None
    except SafeElementTree.ParseError:
        raise WorkbookRefused(
            _("文件已损坏，无法作为Excel工作簿（.xlsx）打开。")
        ) from None
    types = {
        element.get("PartName"): element.get("ContentType")
        for element in root
        if element.tag.endswith("Override")
    }
    if types.get("/xl/workbook.xml") != _XLSX_MAIN:
        raise WorkbookRefused(
            _(
                "文件不是普通的Excel工作簿（.xlsx）（可能是含宏的.xlsm或模板）。"
                "请在Excel中“另存为”Excel工作簿（.xlsx）后再导入。"
            )
        )


def _bomb_message() -> str:
    return _(
        "文件解压后异常巨大（疑似“压缩炸弹”），已拒绝导入。"
        "请用Excel重新保存后再试，或联系管理员。"
    )
