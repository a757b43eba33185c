"""The files the imports app writes: exports (streamed), templates, and the uploaded workbook with its errors.

Exports write each row as it is read (`QuerySet.iterator`): a CSV streams to the browser, a
workbook is written by XlsxWriter's constant-memory mode to a temporary file that is then streamed;
memory stays flat whatever the number of rows. Every cell follows `programmes.lib.spreadsheets`:
text that starts like a formula is a string in a workbook and behind a ' in a CSV (the import
takes the ' off again), so a formula in someone's data never runs on an official's machine; the
error files hand the uploaded file back under the same rule.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from programmes.lib.spreadsheets import DATE_FORMAT, csv_text, defuse_sheet, looks_like_formula, text_cell

from .formats import FORMATS, Format

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # the content type
ERROR_HEADER = "Lỗi"
CHUNK = 2_000
_ERROR_FILL = PatternFill("solid", fgColor="FDE2E1")


def iter_rows(format_: type[Format], queryset) -> Iterator[list]:
    return format_.export_rows(queryset, chunk_size=CHUNK)


class _Echo:
    def write(self, value):
        return value


def csv_stream(format_: type[Format], queryset, rows_per_piece: int = 1) -> Iterator[str]:
    """The BOM, the headers, then the rows, `rows_per_piece` to a piece (a job counts pieces as rows)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel opens UTF-8 CSV right only with the BOM
    yield writer.writerow(format_.headers())
    cells = [_CSV_CELLS.get(kind, csv_text) for kind in format_.cell_kinds()]
    piece = []
    for row in iter_rows(format_, queryset):
        piece.append(writer.writerow([cell(value) for cell, value in zip(cells, row, strict=True)]))
        if len(piece) >= rows_per_piece:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


def _csv_day(value) -> str:
    if type(value) is datetime.date:
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"  # csv_text's dd/mm/yyyy, without strftime
    return csv_text(value)


def _csv_number(value):
    if type(value) is int and value >= 0:
        return value  # the csv writer writes it as str() would; a negative one goes through the formula rule
    return csv_text(value)


_CSV_CELLS = {"date": _csv_day, "number": _csv_number}


def xlsx_file(format_: type[Format], rows: Iterable[list]):
    """A temporary file holding the workbook, written by XlsxWriter in constant-memory mode (each row
    goes to disk as it comes; 2× faster than openpyxl's write-only mode on the nation's list).

    Numbers are numbers, dates are dates shown dd/mm/yyyy, and all text is written as a string
    (`write_string`): formula-looking text is a string with Excel's quote prefix, so it stays text
    even when someone edits the cell."""
    import xlsxwriter

    target = tempfile.TemporaryFile()  # noqa: SIM115  (returned open: the response streams and closes it)
    workbook = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    sheet = workbook.add_worksheet(_sheet_title(format_))
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": DATE_FORMAT})
    quoted = workbook.add_format({"quote_prefix": True})
    headers = format_.headers()
    for index, header in enumerate(headers):
        sheet.set_column(index, index, max(12, min(len(header) + 4, 40)))
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, headers, bold)
    writers = _typed_writers(sheet, format_.cell_kinds(), date, quoted) if kinds_known(format_) else None
    for number, row in enumerate(rows, start=1):
        if writers is not None:
            for column, value in enumerate(row):
                if value is not None:
                    writers[column](number, column, value)
            continue
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(number, column, value)
            elif isinstance(value, (int, float, Decimal)):
                sheet.write_number(number, column, value)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(number, column, value, date)
            else:
                text = str(value)
                sheet.write_string(number, column, text, quoted if looks_like_formula(text) else None)
    workbook.close()
    target.seek(0)
    return target


_EXCEL_EPOCH = datetime.date(1899, 12, 30)  # day 0 of Excel's 1900 date system, for days after 1/3/1900


def kinds_known(format_) -> bool:
    return hasattr(format_, "cell_kinds")


def _typed_writers(sheet, kinds: list[str], date, quoted) -> list:
    """One cell writer per column, chosen once from the column's widget instead of per cell: the
    same cells as the per-value path (a date is its serial number shown dd/mm/yyyy, as
    `write_datetime` writes it; text a string, quote-prefixed when it looks like a formula)."""
    write_number, write_string = sheet.write_number, sheet.write_string

    def number(row, column, value):
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            write_number(row, column, value)
        else:
            text(row, column, value)

    def day(row, column, value):
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            write_number(row, column, (value - _EXCEL_EPOCH).days, date)
        else:
            text(row, column, value)

    def text(row, column, value):
        value = str(value)
        write_string(row, column, value, quoted if looks_like_formula(value) else None)

    return [{"number": number, "date": day}.get(kind, text) for kind in kinds]


def _sheet_title(format_) -> str:
    return str(format_.title)[:31].replace("/", "-").replace(":", " ")


# --- Templates ------------------------------------------------------------------------------------


def template_workbook(kind: str) -> bytes:
    """An empty sheet with the kind's headers, and a second sheet explaining every column."""
    format_ = FORMATS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Dữ liệu"
    sheet.append(format_.headers())
    for index, header in enumerate(format_.headers(), start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(14, min(len(header) + 6, 45))
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append([_("Column"), _("Required"), _("What to write"), _("Allowed values")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in format_.columns():
        guide.append([column.column_name, _("yes") if column.required else _("no"), *describe(column)])
    for letter, width in zip("ABCD", (28, 10, 60, 70), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.append([])
    guide.append([_("Rules")])
    guide.cell(row=guide.max_row, column=1).font = Font(bold=True)
    for rule in RULES:
        guide.append([str(rule)])
        guide.merge_cells(start_row=guide.max_row, start_column=1, end_row=guide.max_row, end_column=4)
        guide.cell(row=guide.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    for printed in (sheet, guide):  # printed: landscape, as wide as the page
        printed.page_setup.orientation = "landscape"
        printed.page_setup.fitToWidth, printed.page_setup.fitToHeight = 1, 0
        printed.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


RULES = (
    _("Row 1 holds the headers exactly as in the template; more columns may follow them."),
    _("Dates: a date cell, or text dd/mm/yyyy. Amounts: whole đồng, a number or text such as 1.234.567."),
    _("Blank rows are ignored. Rows may come in any order."),
    _(
        "If any row is wrong nothing is imported: the page lists every bad row, and the errors can be downloaded "
        "as this file with a column of reasons."
    ),  # fmt: skip
    _("Importing the same file again changes nothing."),
    _("Save as Excel workbook (.xlsx) or CSV UTF-8."),
)


def describe(column) -> tuple[str, str]:
    from .widgets import ChoiceWidget, CountWidget, DateWidget, MoneyWidget

    widget = column.widget
    note = str(column.note) if column.note else ""
    if isinstance(widget, ChoiceWidget):
        return note or _("One of the allowed values."), " · ".join(widget.labels.values())
    if isinstance(widget, DateWidget):
        return note or _("A date."), _("dd/mm/yyyy, e.g. 15/03/2024")
    if isinstance(widget, CountWidget):
        return note or _("A whole number."), _("0 or more")
    if isinstance(widget, MoneyWidget):
        return note or _("Whole đồng."), _("e.g. 1.234.567 or 1234567; not negative")
    return note or _("Text."), ""


# --- The uploaded file with its errors ------------------------------------------------------------


def error_file(file_type: str, data: bytes, errors: list) -> tuple[bytes, str]:
    """The uploaded file with a column of reasons beside each bad row; (content, extension)."""
    by_row: dict[int, list[str]] = {}
    for number, column, message in errors:
        by_row.setdefault(number, []).append(f"{column}: {message}" if column else message)
    if file_type == "csv":
        return _error_csv(data, by_row), "csv"
    return _error_xlsx(data, by_row), "xlsx"


def _error_xlsx(data: bytes, by_row) -> bytes:
    workbook = load_workbook(io.BytesIO(data))  # the file passed the checks of files.read_table
    sheet = workbook.worksheets[0]
    defuse_sheet(sheet)  # the upload's text, and any formula it held, come back as text
    column = None
    for cell in sheet[1]:
        if cell.value == ERROR_HEADER:
            column = cell.column
    if column is None:
        column = sheet.max_column + 1
        sheet.cell(row=1, column=column, value=ERROR_HEADER).font = Font(bold=True, color="B00020")
    sheet.column_dimensions[get_column_letter(column)].width = 80
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=column, value=None)
    for number, messages in by_row.items():
        cell = text_cell(sheet.cell(row=number, column=column), "; ".join(messages))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        for other in sheet[number]:
            other.fill = _ERROR_FILL
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _error_csv(data: bytes, by_row) -> bytes:
    text = data.decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    error_index = None
    for number, values in enumerate(reader, start=1):
        if number == 1:
            if ERROR_HEADER in values:
                error_index = values.index(ERROR_HEADER)
            else:
                values = [*values, ERROR_HEADER]
            writer.writerow([csv_text(value) for value in values])
            continue
        if error_index is not None:
            values = values[:error_index]
        writer.writerow([csv_text(value) for value in [*values, "; ".join(by_row.get(number, []))]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
