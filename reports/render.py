"""Renderers of a report document: standalone HTML, PDF (WeasyPrint) and Excel (openpyxl).

All three print `reports.document.Document`, so every number comes from `reports.figures`.
The PDF embeds the bundled Liberation Serif (metric-compatible with Times New Roman, every
Vietnamese letter) and no other font. The workbook is written in openpyxl's write-only mode, row
by row, so the nation's list of đề án streams with flat memory.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from programmes.lib.spreadsheets import looks_like_formula, text_cell, xlsx_value

from . import figures
from .document import UNIT_LABEL, Document, build


def html(document: Document) -> str:
    with translation.override("vi"):
        return render_to_string(
            "reports/document.html",
            {**document.context(), "fonts": settings.KHUYENCONG_REPORT_FONT_DIR.as_uri()},
        )


_font_config = None


def pdf(document: Document) -> bytes:
    from weasyprint import HTML  # imported here: it needs Pango, which only the PDF needs
    from weasyprint.text.fonts import FontConfiguration

    global _font_config
    if _font_config is None:
        # One per process: the bundled fonts are loaded once, not for every report.
        _font_config = FontConfiguration()
    return HTML(string=html(document), base_url=str(settings.KHUYENCONG_REPORT_FONT_DIR)).write_pdf(
        pdf_identifier=b"khuyencong", font_config=_font_config
    )


def rendered(cov, kind: str, **document_fields) -> tuple[Document, bytes]:
    """The document of `cov` as html, pdf or xlsx: the one way the page, the drafts and the command render.

    The workbook streams Biểu 03 straight from the database; the PDF and HTML read it once.
    """
    if kind == "xlsx":
        doc = build(cov, with_projects=False, **document_fields)
        return doc, xlsx(doc, project_items=figures.project_rows(cov))
    doc = build(cov, **document_fields)
    return doc, pdf(doc) if kind == "pdf" else html(doc).encode()


# --- Excel --------------------------------------------------------------------------------------

TRIEU = "#,##0"
TRIEU_DECIMALS = "#,##0.000"
PERCENT = "0.00%"


def _workbook():
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    workbook = Workbook(write_only=True)
    # The font of every unstyled cell is the workbook's first; make it the legal Times New Roman
    # (openpyxl keeps it in `_fonts`, with no public setter).
    workbook._fonts = IndexedList([Font(name="Times New Roman", size=11, family=1)])
    return workbook


class _Sheet:
    """A write-only sheet with a title block, a unit line, a frozen header row and print set-up."""

    def __init__(self, workbook, name: str, title: str, headers: list[str], widths: list[int], unit: str | None):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Border, Font, Side

        self.cell_class = WriteOnlyCell
        self.prototypes: dict[tuple, object] = {}
        self.sheet = workbook.create_sheet(name)
        thin = Side(style="thin")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.bold = Font(name="Times New Roman", bold=True, size=11)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.header_alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[_column(index)].width = width
        header_row = 4
        self.sheet.freeze_panes = f"A{header_row + 1}"
        self.sheet.print_title_rows = f"{header_row}:{header_row}"
        self.sheet.page_setup.orientation = "landscape"
        self.sheet.page_setup.paperSize = 9  # A4
        self.sheet.page_setup.fitToWidth = 1
        self.sheet.page_setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        self.append(self._styled(value, self.bold) for value in (title,))
        self.append(self._styled(value, Font(name="Times New Roman", italic=True, size=10)) for value in (unit or "",))
        self.append([])
        self.append(self._styled(text, self.bold, self.header_alignment, border=True) for text in headers)

    def _styled(self, value, font=None, alignment=None, *, border=False, number_format=None):
        """A cell of this value and styles: one cell object per combination of styles, reused.

        openpyxl's write-only sheet writes each cell of a row as the row's iterator yields it, so
        one styled cell can carry every value of its style in turn (rows are appended as
        generators). Styling a new cell for every value makes openpyxl look each style up in the
        workbook's tables: on the nation's list, most of the time it takes.
        """
        key = (id(font), id(alignment), border, number_format)
        cell = self.prototypes.get(key)
        if cell is None:
            cell = self.cell_class(self.sheet)
            if font is not None:
                cell.font = font
            if alignment is not None:
                cell.alignment = alignment
            if border:
                cell.border = self.border
            if number_format:
                cell.number_format = number_format
            self.prototypes[key] = cell
        if isinstance(value, str) and looks_like_formula(value):
            return text_cell(cell, value)  # someone's text, never a formula (lib.spreadsheets)
        cell.value = value
        return cell

    def append(self, cells) -> None:
        self.sheet.append(cells)

    def row(self, values, *, bold: bool = False) -> None:
        """A table row: sub-totals bold and boxed; a đề án's row as plain values, amounts formatted.

        The nation's list has some 30.000 rows: a styled cell costs openpyxl several times a plain
        value, so only what needs a format (amounts, percentages) gets one.
        """
        if bold:
            self.sheet.append(self._cell(value, self.bold, border=True) for value in values)
            return
        self.sheet.append(self._cell(value) for value in values)

    def _cell(self, value, font=None, *, border=False):
        if isinstance(value, _Amount):
            return self._styled(value.amount, font, border=border, number_format="#,##0")
        if isinstance(value, Money):
            amount = value.amount
            if amount % 1_000_000:
                return self._styled(amount / 1_000_000, font, border=border, number_format=TRIEU_DECIMALS)
            return self._styled(amount // 1_000_000, font, border=border, number_format=TRIEU)
        if isinstance(value, Decimal):
            return self._styled(float(value / 100), font, border=border, number_format=PERCENT)
        if font is None:
            return xlsx_value(self.sheet, value)
        if isinstance(value, int) and not isinstance(value, bool):
            return self._styled(value, font, border=border, number_format="#,##0")
        return self._styled(value, font, self.wrap, border=border)


class Money:
    """An amount in đồng that the workbook writes in triệu đồng (a real number, never text)."""

    __slots__ = ("amount",)

    def __init__(self, amount: int):
        self.amount = int(amount or 0)


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def xlsx(document: Document, *, project_items=None) -> bytes:
    """The workbook: Biểu 01–04, one sheet each, numbers as numbers, the unit on every table.

    `project_items` (an iterator from `figures.project_rows`) streams Biểu 03 without holding it.
    """
    stream = io.BytesIO()
    workbook = _workbook()
    summary = document.summary
    period = summary.period

    sheet = _Sheet(
        workbook,
        "Biểu 01",
        f"Biểu 01. Tổng hợp kết quả thực hiện kế hoạch khuyến công {period.label} – {document.coverage.name}",
        [
            "STT",
            "Nội dung hoạt động",
            f"Kế hoạch năm {period.year} – số đề án",
            f"Kế hoạch năm {period.year} – kinh phí KC",
            "Số đề án triển khai trong kỳ",
            "Số đề án nghiệm thu trong kỳ",
            "Kinh phí giải ngân trong kỳ",
            "Lũy kế từ đầu năm",
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

    workbook.save(stream)
    return stream.getvalue()


# --- The status page's workbook ---------------------------------------------------------------------


def status_xlsx(table) -> bytes:
    """The status page as shown: the same rows (regions, their provinces, the total), columns and order.

    Amounts in whole đồng as numbers, the percentage as a number, every text cell through the
    spreadsheet rule (`_Sheet`).
    """
    stream = io.BytesIO()
    workbook = _workbook()
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
    workbook.save(stream)
    return stream.getvalue()


class _Amount(Money):
    """An amount the status workbook writes in whole đồng (the page's unit), not in triệu."""
