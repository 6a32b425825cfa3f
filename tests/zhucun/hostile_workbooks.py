"""Workbooks written by hand, part by part, to attack the reader (issue 14, point 2).

Each is a few KB on disk: the XML is streamed into the zip, never built whole.
"""

import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{overrides}</Types>"
)
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _cell(ref: str, text: str | None) -> str:
    if text is None:
        return f'<c r="{ref}"/>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(
    rows: Iterable[str],
    *,
    dimension: str | None = None,
    merges: Iterable[str] = (),
) -> Iterable[bytes]:
    """A worksheet's XML in pieces: ``rows`` are ready-made ``<row>`` elements."""
    yield (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{RELS}">'
    ).encode()
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 10_000:
            yield "".join(batch).encode()
            batch = []
    yield "".join(batch).encode()
    yield b"</sheetData>"
    merges = list(merges)
    if merges:
        refs = "".join(f'<mergeCell ref="{ref}"/>' for ref in merges)
        yield f'<mergeCells count="{len(merges)}">{refs}</mergeCells>'.encode()
    yield b"</worksheet>"


def row(number: int, cells: dict[str, str | None]) -> str:
    """A ``<row>`` of inline-string cells, e.g. ``row(2, {"A": "张三"})``."""
    body = "".join(_cell(f"{col}{number}", text) for col, text in cells.items())
    return f'<row r="{number}">{body}</row>'


def header_rows(headers: list[str], data: list[list[str]] = ()) -> list[str]:
    """A header row and data rows, from column A."""
    letters = [chr(65 + i) for i in range(len(headers))]
    out = [row(1, dict(zip(letters, headers, strict=True)))]
    for n, values in enumerate(data, start=2):
        out.append(row(n, dict(zip(letters, values, strict=True))))
    return out


def write_workbook(path: Path, sheets: dict[str, Iterable[bytes]]) -> Path:
    """An .xlsx holding ``sheets`` ({name: XML pieces}), compressed."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>'
        for n in range(1, len(sheets) + 1)
    )
    listed = "".join(
        f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(sheets, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(overrides=overrides))
        zf.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{listed}</sheets>'
            "</workbook>",
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG_RELS}">{rels}</Relationships>',
        )
        for n, pieces in enumerate(sheets.values(), start=1):
            with zf.open(f"xl/worksheets/sheet{n}.xml", "w") as part:
                for piece in pieces:
                    part.write(piece)
    return path


def compound_file(path: Path, streams: list[str]) -> Path:
    """A minimal OLE compound file whose directory names ``streams`` (no content).

    An .xlsx saved with a password is such a file, with the streams
    ``EncryptionInfo`` and ``EncryptedPackage``; an old .xls has ``Workbook``.
    """
    sector = 512
    entries = ["Root Entry", *streams]
    directory = b""
    for n, name in enumerate(entries):
        encoded = (name + "\0").encode("utf-16-le")
        entry = bytearray(128)
        entry[: len(encoded)] = encoded
        struct.pack_into("<H", entry, 64, len(encoded))
        entry[66] = 5 if n == 0 else 2  # root storage / stream
        entry[67] = 1  # black
        # left, right, child sibling ids: a simple chain through the right links
        struct.pack_into(
            "<iii",
            entry,
            68,
            -1,
            n + 1 if 0 < n < len(entries) - 1 else -1,
            1 if n == 0 and len(entries) > 1 else -1,
        )
        struct.pack_into("<I", entry, 116, 0xFFFFFFFE)  # no data
        directory += bytes(entry)
    directory = directory.ljust(sector * ((len(directory) + sector - 1) // sector))
    directory_sectors = len(directory) // sector
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHH", header, 24, 0x3E, 3, 0xFFFE)
    struct.pack_into("<HH", header, 30, 9, 6)  # 512-byte sectors, 64-byte mini
    struct.pack_into("<I", header, 44, 1)  # one FAT sector
    struct.pack_into("<I", header, 48, 1)  # the directory starts at sector 1
    struct.pack_into("<I", header, 56, 4096)
    struct.pack_into("<iIiI", header, 60, -2, 0, -2, 0)  # no mini FAT, no DIFAT
    difat = [0] + [0xFFFFFFFF] * 108  # the FAT is sector 0
    struct.pack_into("<109I", header, 76, *difat)
    fat = [0xFFFFFFFD]  # sector 0 is the FAT
    fat += [n + 2 for n in range(1, directory_sectors)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    path.write_bytes(bytes(header) + struct.pack("<128I", *fat) + directory)
    return path
