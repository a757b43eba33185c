"""Build the files users upload: .xlsx as Excel saves it (real date and number cells) and UTF-8 CSV."""

import csv
import datetime
import io

import openpyxl

from programmes.imports.formats import FORMATS


def xlsx(headers, rows, *, title="Dữ liệu") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows, *, bom=True, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([f"{value:%d/%m/%Y}" if isinstance(value, datetime.date) else value for value in row])
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def headers(kind: str) -> list[str]:
    return FORMATS[kind].headers()
