"""Read an uploaded table (.xlsx or .csv) safely: refuse at once what is not one, never read it whole first.

Checks run cheapest first, each before anything is parsed: the size (from the upload), the name,
the first bytes (an encrypted or old-format workbook is an OLE container, not a zip), the zip
directory (entry count, total uncompressed size, compression ratio: zip bombs), the head of every
XML part (a DOCTYPE or an entity: XML bombs; openpyxl also parses through defusedxml), then the
rows, counted as they stream and refused past the row limit.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from programmes.lib.text import normalise

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML and Excel 97–2003 both use it
MAX_ZIP_ENTRIES = 2_000
MAX_RATIO = 200  # a real sheet compresses 5–20×; a bomb, thousands
MAX_COLUMNS = 60


class RefusedFile(Exception):
    """The file is not one we read; the message says why, in the user's language."""


@dataclass
class Table:
    """The rows of a file's first sheet: `headers` from row 1, then (row number, values) pairs."""

    file_type: str  # "xlsx" or "csv"
    headers: list[str]
    rows: Iterator[tuple[int, list]] = field(repr=False)


def limits() -> tuple[int, int]:
    return settings.KHUYENCONG_IMPORT_MAX_BYTES, settings.KHUYENCONG_IMPORT_MAX_ROWS


def file_type_of(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ("xlsx", "csv"):
        raise RefusedFile(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv) in UTF-8."))
    return extension


def read_table(name: str, data: bytes) -> Table:
    """Return the table in `data` (the upload's bytes, already within the size limit), or raise RefusedFile."""
    check_size(len(data))
    file_type = file_type_of(name)
    max_rows = limits()[1]
    if not data.strip():
        raise RefusedFile(_("The file is empty."))
    if file_type == "xlsx":
        return _read_xlsx(data, max_rows)
    return _read_csv(data, max_rows)


def check_size(size: int | None) -> None:
    max_bytes, _rows = limits()
    if size and size > max_bytes:
        raise RefusedFile(
            _("The file is %(size)s MB; an import may be at most %(limit)s MB.")
            % {"size": f"{size / 1_048_576:.1f}".replace(".", ","), "limit": max_bytes // 1_048_576}
        )


# --- .xlsx --------------------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    if data.startswith(OLE_MAGIC):
        raise RefusedFile(
            _(
                "The workbook is protected by a password or saved in the old Excel 97–2003 format: remove the "
                "password and save it as an Excel workbook (.xlsx)."
            )
        )
    if not data.startswith(ZIP_MAGIC):
        raise RefusedFile(_("The file is not an Excel workbook (.xlsx), or it is damaged."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RefusedFile(_("The workbook is damaged and cannot be read.")) from exc
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise RefusedFile(_("The file is not an Excel workbook (.xlsx), or it is damaged."))
    if "EncryptionInfo" in names or "EncryptedPackage" in names:
        raise RefusedFile(_("The workbook is protected by a password: remove the password and save it again."))
    bomb = _("The workbook unpacks to far more data than it holds (a “zip bomb”); it was not read.")
    if len(entries) > MAX_ZIP_ENTRIES:
        raise RefusedFile(bomb)
    total = sum(entry.file_size for entry in entries)
    if total > settings.KHUYENCONG_IMPORT_MAX_UNPACKED_BYTES:
        raise RefusedFile(bomb)
    for entry in entries:
        if entry.file_size > 1_048_576 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise RefusedFile(bomb)
    for entry in entries:
        if entry.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(entry) as part:
                head = part.read(4096)
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                raise RefusedFile(_("The workbook contains XML declarations that are not allowed; it was not read."))


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    import openpyxl  # defusedxml is installed: openpyxl parses through it

    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        header_row = next(sheet.iter_rows(values_only=True, max_row=1, max_col=MAX_COLUMNS), None)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise RefusedFile(_("The workbook is damaged and cannot be read.")) from exc
    headers = [_header(value) for value in header_row or ()]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise RefusedFile(_("The file is empty."))
    rows = sheet.iter_rows(values_only=True, min_row=2, max_col=len(headers))

    def body():
        try:
            for number, values in enumerate(rows, start=2):
                if number - 1 > max_rows:
                    raise RefusedFile(_too_many(max_rows))
                yield number, [_cell(value) for value in values]
        except RefusedFile:
            raise
        except Exception as exc:
            raise RefusedFile(_("The workbook is damaged and cannot be read.")) from exc
        finally:
            workbook.close()

    return Table("xlsx", headers, body())


def _cell(value):
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return normalise(value)
    return value


def _header(value) -> str:
    # A header only names a column: a stray byte order mark (a CSV saved twice) does not refuse the file.
    return normalise(str(value)).replace("\ufeff", "") if value is not None else ""


def _too_many(max_rows: int) -> str:
    return _("The file has more than %(limit)s rows; split it into several files.") % {
        "limit": f"{max_rows:,}".replace(",", ".")
    }


# --- .csv ---------------------------------------------------------------------------------------


def _read_csv(data: bytes, max_rows: int) -> Table:
    if b"\x00" in data[:65536] or data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise RefusedFile(_("The file is not a CSV text file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RefusedFile(
            _("The CSV file is not in UTF-8: in Excel choose “CSV UTF-8 (Comma delimited)” when saving.")
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header_row = next(reader, None)
    except csv.Error as exc:
        raise RefusedFile(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    if not header_row:
        raise RefusedFile(_("The file is empty."))

    def body():
        try:
            for number, values in enumerate(reader, start=2):
                if number - 1 > max_rows:
                    raise RefusedFile(_too_many(max_rows))
                yield number, [normalise(value) for value in values[:MAX_COLUMNS]]
        except csv.Error as exc:
            raise RefusedFile(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc

    return Table("csv", [_header(value) for value in header_row[:MAX_COLUMNS]], body())


def row_estimate(name: str, data: bytes) -> int:
    """About how many data rows the file holds, read cheaply (a workbook's stated size, a CSV's lines):
    enough to decide whether checking it is work for a background job. 0 when it cannot tell."""
    try:
        if file_type_of(name) == "csv":
            return max(0, data.count(b"\n") - 1)
        import openpyxl

        _check_zip(data)
        sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        return max(0, (sheet.max_row or 0) - 1)
    except Exception:  # a refused or damaged file is refused by the check itself, with its message
        return 0
