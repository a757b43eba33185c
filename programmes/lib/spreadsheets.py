"""The one rule for every cell a workbook or CSV of this app holds: someone's text never becomes a formula.

Text that a spreadsheet program would read as a formula — starting with =, +, -, @, a tab or a
carriage return (OWASP's list for CSV injection) — is written as text: in a workbook a string
cell (openpyxl would otherwise store "=…" as a live formula), in a CSV behind a leading
apostrophe, which spreadsheet programs take as "text follows" and the imports take off again.
Numbers and dates stay typed. Every writer — reports, drafts, issued versions, list exports,
error files, job results — goes through `text_cell` / `xlsx_value` / `csv_text`.
"""

from __future__ import annotations

import datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def text_cell(cell, value: str):
    """Put `value` into an openpyxl cell as a string, whatever it starts with; return the cell."""
    cell.value = value
    cell.data_type = "s"
    return cell


def xlsx_value(sheet, value):
    """A value for a write-only sheet's row: a number as it is, a date shown dd/mm/yyyy, text as text."""
    from openpyxl.cell import WriteOnlyCell

    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    text = str(value)
    if not looks_like_formula(text):
        return text
    return text_cell(WriteOnlyCell(sheet), text)


def csv_text(value) -> str:
    """A value as CSV text: dates dd/mm/yyyy, formula-looking text behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if looks_like_formula(text):
        return "'" + text
    return text


def defuse_sheet(sheet) -> None:
    """Turn every formula of a (loaded, not read-only) sheet into its text: a file the app hands back."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or (isinstance(cell.value, str) and looks_like_formula(cell.value)):
                text_cell(cell, str(cell.value))
