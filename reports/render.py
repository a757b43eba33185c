"""Renderers of a report document: standalone HTML, PDF (WeasyPrint) and Excel (XlsxWriter).

All three print `reports.document.Document`, so every number comes from `reports.figures`.
The PDF embeds the bundled Liberation Serif (metric-compatible with Times New Roman, every
Vietnamese letter) and no other font. The workbook is written by XlsxWriter in constant-memory
mode, row by row, so the nation's list of đề án streams with flat memory; it prints (landscape A4
fitted to the width, the header repeated, rows as tall as their wrapped text). openpyxl reads
workbooks (imports, tests); XlsxWriter wrote the nation's list about twice as fast with the styles
a printed table needs (`manage.py benchmark --reports-only` measures both).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from programmes.lib.spreadsheets import DATE_FORMAT, looks_like_formula
from programmes.lib.text import file_slug

from . import figures
from .document import UNIT_LABEL, Document, build


def html(document: Document) -> str:
    with translation.override("vi"):
        return render_to_string(
            "reports/document.html",
            {**document.context(), "fonts": settings.KHUYENCONG_REPORT_FONT_DIR.as_uri()},
        )


_font_config = None


def pdf(document: Document, *, fields: bool = True, step=None) -> bytes:
    """The PDF, with the two empty signature fields of NĐ 30 (ô 7c, ô 8) where its layout put the
    signer's space (`reports.signing.reserve_fields`); `fields=False` for the layout alone. `step`
    is called as each stage starts ("layout", "write"), for a job's progress."""
    step = step or _no_step
    step("layout")
    rendered = layout(html(document))
    step("write")
    data = rendered.write_pdf(pdf_identifier=b"khuyencong")
    if not fields:
        return data
    from . import signing

    return signing.reserve_fields(data, signing.field_boxes(rendered))


def layout(markup: str):
    """WeasyPrint's layout of the document's HTML (its pages, boxes and anchors)."""
    from weasyprint import HTML  # imported here: it needs Pango, which only the PDF needs
    from weasyprint.text.fonts import FontConfiguration

    global _font_config
    if _font_config is None:
        # One per process: the bundled fonts are loaded once, not for every report.
        _font_config = FontConfiguration()
    return HTML(string=markup, base_url=str(settings.KHUYENCONG_REPORT_FONT_DIR)).render(font_config=_font_config)


# What each rendering is served as (the pages, the jobs).
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def file_name(doc: Document, suffix: str) -> str:
    """The download's name: the unit and the period's dates (bao-cao-khuyen-cong-thanh-hoa-20240101-20240630.pdf)."""
    period = doc.period
    dates = f"{period.date_from:%Y%m%d}-{period.date_until:%Y%m%d}"
    return f"bao-cao-khuyen-cong-{file_slug(doc.coverage.name)}-{dates}.{suffix}"


def _no_step(stage: str) -> None:
    pass


# The stages `rendered` goes through, in order (a job shows them as its steps).
STAGES = {"pdf": ("figures", "layout", "write"), "xlsx": ("figures", "write"), "html": ("figures",)}


def rendered(cov, kind: str, *, step=None, **document_fields) -> tuple[Document, bytes]:
    """The document of `cov` as html, pdf or xlsx: the one way the page, the drafts, the jobs and the
    command render. `step(stage)` is called as each of `STAGES[kind]` starts.

    The workbook streams Biểu 03 straight from the database; the PDF and HTML read it once.
    """
    step = step or _no_step
    step("figures")
    if kind == "xlsx":
        doc = build(cov, with_projects=False, **document_fields)
        step("write")
        return doc, xlsx(doc, project_items=figures.project_rows(cov))
    doc = build(cov, **document_fields)
    return doc, pdf(doc, step=step) if kind == "pdf" else html(doc).encode()


# --- Excel --------------------------------------------------------------------------------------

TRIEU = "#,##0"
TRIEU_DECIMALS = "#,##0.000"
PERCENT = "0.00%"


def _workbook(stream):
    """An XlsxWriter workbook in constant-memory mode (each row goes to disk as it is finished, so the
    nation's list streams with flat memory), Times New Roman 11 as every cell's font."""
    import xlsxwriter

    return xlsxwriter.Workbook(
        stream,
        {
            "constant_memory": True,
            "strings_to_formulas": False,  # text is text, whatever it starts with (lib.spreadsheets)
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_format_properties": {"font_name": "Times New Roman", "font_size": 11},
        },
    )


# How many characters of Times New Roman 11 a column of width 1 holds on a line (Excel's width unit is
# the default font's "0", a little wider than the average letter), and a line's height in points.
CHARS_PER_WIDTH = 1.1
LINE_HEIGHT = 13


def lines_of(text: str, width: float, *, bold: bool = False) -> int:
    """The lines `text` takes wrapped in a column of `width`: each of its own lines, wrapped."""
    per_line = max(1, int(width * (CHARS_PER_WIDTH * 0.9 if bold else CHARS_PER_WIDTH)) - 1)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


class _Sheet:
    """A sheet with a title block, a unit line, a frozen header row repeated on every printed page,
    landscape A4 fitted to the page's width, text wrapped in its column and each row as tall as its
    longest cell (LibreOffice and Excel print row heights as stored)."""

    HEADER_ROW = 3  # zero-based: the fourth row

    def __init__(self, workbook, name: str, title: str, headers: list[str], widths: list[int], unit: str | None):
        self.workbook = workbook
        self.sheet = workbook.add_worksheet(name)
        self.widths = widths
        self.formats: dict[tuple, object] = {}
        self.next_row = 0
        for index, width in enumerate(widths):
            self.sheet.set_column(index, index, width)
        self.sheet.freeze_panes(self.HEADER_ROW + 1, 0)
        self.sheet.repeat_rows(self.HEADER_ROW)
        self.sheet.set_landscape()
        self.sheet.set_paper(9)  # A4
        self.sheet.fit_to_pages(1, 0)
        self.sheet.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
        self.sheet.set_footer("&C&P/&N")
        self.sheet.write_string(0, 0, title, self._format("title"))
        self.sheet.write_string(1, 0, unit or "", self._format("unit"))
        self.next_row = self.HEADER_ROW
        height = max(lines_of(text, width, bold=True) for text, width in zip(headers, widths, strict=True))
        self.sheet.set_row(self.HEADER_ROW, height * LINE_HEIGHT + 4)
        for column, text in enumerate(headers):
            self.sheet.write_string(self.HEADER_ROW, column, text, self._format("header"))
        self.next_row += 1

    def _format(self, kind: str, bold: bool = False, number_format: str | None = None, quoted: bool = False):
        """One XlsxWriter format per combination, made once."""
        key = (kind, bold, number_format, quoted)
        found = self.formats.get(key)
        if found is None:
            properties = {"font_name": "Times New Roman", "font_size": 11}
            if kind == "title":
                properties.update(bold=True)
            elif kind == "unit":
                properties.update(italic=True, font_size=10)
            elif kind == "header":
                properties.update(bold=True, text_wrap=True, align="center", valign="vcenter", border=1)
            else:
                properties.update(border=1, valign="top", bold=bold)
                if kind == "text":
                    properties.update(text_wrap=True)
                if number_format:
                    properties.update(num_format=number_format)
            if quoted:
                properties.update(quote_prefix=True)  # shown as text, and stays text when edited
            found = self.formats[key] = self.workbook.add_format(properties)
        return found

    def append(self, values) -> None:
        """A row of plain text (the title block)."""
        for column, value in enumerate(values):
            self._write(self.next_row, column, value, False)
        self.next_row += 1

    def row(self, values, *, bold: bool = False) -> None:
        """A table row: sub-totals bold; amounts in their number format; text wrapped, the row as tall
        as its longest text (set before the row is written: constant-memory mode writes rows in order)."""
        values = list(values)
        widths = self.widths
        tallest = 1
        for column, value in enumerate(values):
            # Short text fits: only count the lines of what may wrap.
            if isinstance(value, str) and column < len(widths) and ("\n" in value or len(value) >= widths[column]):
                tallest = max(tallest, lines_of(value, widths[column], bold=bold))
        if tallest > 1:
            self.sheet.set_row(self.next_row, tallest * LINE_HEIGHT + 2)
        for column, value in enumerate(values):
            self._write(self.next_row, column, value, bold)
        for column in range(len(values), len(widths)):
            self.sheet.write_blank(self.next_row, column, None, self._format("text", bold))
        self.next_row += 1

    def _write(self, row: int, column: int, value, bold: bool) -> None:
        sheet = self.sheet
        if isinstance(value, _Amount):
            sheet.write_number(row, column, value.amount, self._format("number", bold, "#,##0"))
        elif isinstance(value, Money):
            amount = value.amount
            if amount % 1_000_000:
                sheet.write_number(row, column, amount / 1_000_000, self._format("number", bold, TRIEU_DECIMALS))
            else:
                sheet.write_number(row, column, amount // 1_000_000, self._format("number", bold, TRIEU))
        elif isinstance(value, Decimal):
            sheet.write_number(row, column, float(value / 100), self._format("number", bold, PERCENT))
        elif isinstance(value, bool) or value is None:
            sheet.write_blank(row, column, None, self._format("text", bold))
        elif isinstance(value, (int, float)):
            sheet.write_number(row, column, value, self._format("number", bold, "#,##0" if bold else None))
        elif isinstance(value, datetime.date):
            sheet.write_datetime(row, column, value, self._format("number", bold, DATE_FORMAT))
        else:
            text = str(value)
            # Someone's text, never a formula (lib.spreadsheets): a string cell, kept text when edited.
            sheet.write_string(row, column, text, self._format("text", bold, quoted=looks_like_formula(text)))


class Money:
    """An amount in đồng that the workbook writes in triệu đồng (a real number, never text)."""

    __slots__ = ("amount",)

    def __init__(self, amount: int):
        self.amount = int(amount or 0)


def xlsx(document: Document, *, project_items=None) -> bytes:
    """The workbook: Biểu 01–04, one sheet each, numbers as numbers, the unit on every table.

    `project_items` (an iterator from `figures.project_rows`) streams Biểu 03 without holding it.
    """
    stream = io.BytesIO()
    workbook = _workbook(stream)
    summary = document.summary
    period = summary.period

    sheet = _Sheet(
        workbook,
        "Biểu 01",
        f"Biểu 01. Tổng hợp kết quả thực hiện kế hoạch khuyến công {period.label} – {document.coverage.name}",
        [
            "STT",
            "Nội dung hoạt động",
            f"{period.plan_heading} – số đề án",
            f"{period.plan_heading} – kinh phí KC",
            "Số đề án triển khai trong kỳ",
            "Số đề án nghiệm thu trong kỳ",
            "Kinh phí giải ngân trong kỳ",
            period.cumulative_heading,
            "Tỷ lệ % so KH",
            "So cùng kỳ (%)",
            "Vốn đối ứng",
        ],
        [6, 44, 12, 14, 12, 12, 14, 14, 10, 10, 14],
        UNIT_LABEL,
    )

    def b01(line, number=""):
        sheet.row(
            [
                number or line.number,
                line.label,
                line.planned_projects,
                Money(line.planned_amount),
                line.started,
                line.accepted,
                Money(line.performed),
                Money(line.cumulative),
                line.percent_of_plan,
                line.percent_of_last_year,
                Money(line.counterpart),
            ],
            bold=line.kind != "content",
        )

    for block in summary.blocks:
        sheet.row([block.letter, block.title], bold=True)
        for line in block.lines:
            b01(line)
        b01(block.subtotal)
    if summary.carry_over.performed:
        b01(summary.carry_over, "C")
    b01(summary.total)

    sheet = _Sheet(
        workbook,
        "Biểu 02",
        f"Biểu 02. Kết quả thực hiện các chỉ tiêu {period.label} – {document.coverage.name}",
        ["STT", "Chỉ tiêu", "ĐVT", "Kế hoạch", "Thực hiện", "Tỷ lệ %"],
        [6, 50, 14, 12, 12, 10],
        "Đơn vị tính theo từng chỉ tiêu (cột ĐVT)",
    )
    for row in summary.outputs:
        sheet.row([row.number, row.name, row.unit, row.planned, row.achieved, row.percent])

    sheet = _Sheet(
        workbook,
        "Biểu 03",
        f"Biểu 03. Danh mục đề án và tình hình giải ngân {period.label} – {document.coverage.name}",
        [
            "STT",
            "Mã đề án",
            "Tên đề án",
            "Nội dung hoạt động",
            "Đơn vị thực hiện",
            "Đơn vị thụ hưởng",
            "Địa điểm",
            "Thời gian thực hiện",
            "Tổng kinh phí",
            "KC hỗ trợ",
            "Vốn đối ứng",
            "Giải ngân trong kỳ",
            "Lũy kế giải ngân",
            "Tỷ lệ giải ngân %",
            "Tình trạng",
            "Ghi chú",
        ],
        [6, 16, 40, 22, 26, 30, 24, 20, 12, 12, 12, 12, 12, 10, 16, 24],
        UNIT_LABEL,
    )
    items = project_items if project_items is not None else document.project_items
    for item in items:
        kind = getattr(item, "kind", "row")
        if kind in ("level", "content"):
            sheet.row(["", "", item.label], bold=True)
        elif kind in ("subtotal", "total"):
            sheet.row(
                [
                    "",
                    "",
                    item.label,
                    "",
                    "",
                    "",
                    "",
                    "",
                    Money(item.total_cost),
                    Money(item.support),
                    Money(item.counterpart),
                    Money(item.paid_in_period),
                    Money(item.paid_to_date),
                    item.percent_paid,
                    "",
                    "",
                ],
                bold=True,
            )
        else:
            sheet.row(
                [
                    item.number,
                    item.code,
                    item.name,
                    item.content_label,
                    item.unit,
                    "\n".join(item.beneficiaries),
                    item.place,
                    item.dates,
                    Money(item.total_cost),
                    Money(item.support),
                    Money(item.counterpart),
                    Money(item.paid_in_period),
                    Money(item.paid_to_date),
                    item.percent_paid,
                    item.status,
                    item.note,
                ]
            )

    sheet = _Sheet(
        workbook,
        "Biểu 04",
        f"Biểu 04. Tình hình giải ngân kinh phí khuyến công {period.label} – {document.coverage.name}",
        [
            "STT",
            "Đơn vị",
            "KCQG – đã phê duyệt",
            "KCQG – đã giải ngân",
            "KCQG – %",
            "KCĐP – đã phê duyệt",
            "KCĐP – đã giải ngân",
            "KCĐP – %",
            "Tổng – đã phê duyệt",
            "Tổng – đã giải ngân",
            "Tổng – %",
        ],
        [6, 30, 14, 14, 9, 14, 14, 9, 14, 14, 9],
        UNIT_LABEL,
    )

    def b04(row, number=""):
        sheet.row(
            [
                number,
                row.label,
                Money(row.approved["kcqg"]),
                Money(row.paid["kcqg"]),
                row.percent("kcqg"),
                Money(row.approved["kcdp"]),
                Money(row.paid["kcdp"]),
                row.percent("kcdp"),
                Money(row.approved_total),
                Money(row.paid_total),
                row.percent(),
            ],
            bold=row.kind != "unit",
        )

    for subtotal, members in document.status_groups():
        if subtotal is not None:
            b04(subtotal)
        for number, row in enumerate(members, start=1):
            b04(row, number)
    b04(summary.status_total)

    if document.impact:
        _impact_sheet(workbook, document)
    if document.others is not None:
        _others_sheet(workbook, document)
    workbook.close()
    return stream.getvalue()


def _impact_sheet(workbook, document: Document) -> None:
    """Biểu 05, hiệu quả sau hỗ trợ: each measure before, after and its growth, per content."""
    period, name = document.period, document.coverage.name
    measures = [("Doanh thu", Money), ("Tổng tài sản", Money), ("Lao động", int), ("Sản phẩm", int)]
    headers = ["STT", "Nội dung hoạt động", "Số cơ sở được hỗ trợ", "Số cơ sở có số liệu"]
    for label, _kind in measures:
        headers += [f"{label} – trước hỗ trợ", f"{label} – sau hỗ trợ", f"{label} – tăng %"]
    sheet = _Sheet(
        workbook,
        "Biểu 05",
        f"Biểu 05. Hiệu quả sau hỗ trợ của các cơ sở được hỗ trợ {period.label} – {name}",
        headers,
        [6, 34, 12, 12, *([14, 14, 9] * len(measures))],
        f"{UNIT_LABEL} (doanh thu, tài sản); lao động: người; sản phẩm: sản phẩm",
    )
    for number, row in enumerate(document.impact, start=1):
        total = row.kind == "total"
        values = ["" if total else number, row.label, row.facilities, row.with_figures]
        for (_label, kind), measure_name in zip(measures, figures.IMPACT_MEASURES, strict=True):
            measure = row.measure(measure_name)
            values += [kind(measure.before), kind(measure.after), measure.growth]
        sheet.row(values, bold=total)


def _others_sheet(workbook, document: Document) -> None:
    """Biểu 06: the centre's other programmes and its consultancy, never inside khuyến công's figures."""
    others, period = document.others, document.period
    sheet = _Sheet(
        workbook,
        "Biểu 06",
        f"Biểu 06. Các chương trình khác do Trung tâm thực hiện {period.label} – {document.coverage.name}",
        ["STT", "Chương trình / dịch vụ tư vấn", "Kế hoạch", "Đã phê duyệt", "Giải ngân trong kỳ",
         "Lũy kế giải ngân", "Tỷ lệ giải ngân %"],
        [6, 44, 14, 14, 14, 14, 12],
        UNIT_LABEL,
    )  # fmt: skip
    for number, row in enumerate(others.programmes, start=1):
        sheet.row([number, row.label, Money(row.planned), Money(row.approved), Money(row.performed),
                   Money(row.paid), row.percent])  # fmt: skip
    sheet.row(["STT", "Dịch vụ tư vấn", "Số hợp đồng", "Doanh thu"], bold=True)
    for number, row in enumerate(others.consultancy, start=1):
        sheet.row([number, row.service, row.contracts, Money(row.revenue)])
    if others.consultancy:
        total = others.consultancy_total
        sheet.row(["", total.service, total.contracts, Money(total.revenue)], bold=True)


# --- The status page's workbook ---------------------------------------------------------------------


def status_xlsx(table) -> bytes:
    """The status page as shown: the same rows (regions, their provinces, the total), columns and order.

    Amounts in whole đồng as numbers, the percentage as a number, every text cell through the
    spreadsheet rule (`_Sheet`).
    """
    stream = io.BytesIO()
    workbook = _workbook(stream)
    period = table.period
    sheet = _Sheet(
        workbook,
        "Tình hình",
        f"Tình hình thực hiện khuyến công {period.label} ({period.dates}) – {table.coverage.name}",
        [
            "STT",
            "Tỉnh / thành phố",
            "Kinh phí KC được duyệt (đồng)",
            "Giải ngân trong kỳ (đồng)",
            "Giải ngân lũy kế (đồng)",
            "Tỷ lệ giải ngân (%)",
            "Số đề án",
            "Đề án chậm",
            "Báo cáo kỳ",
        ],
        [6, 34, 20, 20, 20, 12, 10, 10, 30],
        f"Đơn vị tính: đồng · số liệu chậm tính đến ngày {table.day:%d/%m/%Y}",
    )

    def report_text(row) -> str:
        cell = row.report
        if cell is None:
            return ""
        if cell.issued is not None:
            text = f"{cell.label}: số {cell.issued.number} ngày {cell.issued.issued_on:%d/%m/%Y}"
            return text + (" (muộn)" if cell.late else "")
        return cell.label

    def line(row, number=""):
        bold = row.kind != "unit"
        values = [number, row.name, row.approved, row.performed, row.paid, row.paid_ratio, row.projects,
                  row.lagging, report_text(row)]  # fmt: skip
        sheet.row([values[0], values[1], *(_Amount(v) for v in values[2:5]), values[5], *values[6:]], bold=bold)

    for subtotal, members in table.groups:
        line(subtotal)
        for number, row in enumerate(members, start=1):
            line(row, number)
    line(table.total)
    workbook.close()
    return stream.getvalue()


class _Amount(Money):
    """An amount the status workbook writes in whole đồng (the page's unit), not in triệu."""
