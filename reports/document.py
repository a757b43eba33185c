"""A report as a document: the figures, the narrative and the NĐ 30/2020 parts around them.

`build()` gathers what every renderer needs (the HTML preview, the PDF, the Excel workbook), so
the three print the same numbers. The document's own words are Vietnamese whatever the user's
language: it is an official document of a Vietnamese administration (NĐ 30/2020).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from programmes.lib.formatting import millions, percent
from programmes.models import SCHEME_LEVEL_ABBREVIATIONS, Province

from . import charts, figures
from .models import Scope

UNIT_LABEL = "ĐVT: triệu đồng"
BODY_NAMES = {"SỞ CÔNG THƯƠNG": "Sở Công Thương", "CỤC CÔNG NGHIỆP": "Cục Công nghiệp"}


@dataclass
class Document:
    summary: figures.Summary
    project_items: list = field(default_factory=list)
    report: object | None = None  # the draft, with its narrative
    number: str = ""  # "123/BC-SCT" once issued
    issued_on: datetime.date | None = None

    @property
    def coverage(self) -> figures.Coverage:
        return self.summary.coverage

    @property
    def period(self):
        return self.summary.period

    @property
    def title(self) -> str:
        if self.report is not None and self.report.title:
            return self.report.title
        return default_title(self.coverage)

    @property
    def parent_body(self) -> str:
        if self.coverage.scope == Scope.PROVINCE:
            kind = "THÀNH PHỐ" if self.coverage.province.kind == Province.Kind.CITY else "TỈNH"
            return f"UBND {kind} {self.coverage.province.name.upper()}"
        return "BỘ CÔNG THƯƠNG"

    @property
    def issuing_body(self) -> str:
        return "SỞ CÔNG THƯƠNG" if self.coverage.scope == Scope.PROVINCE else "CỤC CÔNG NGHIỆP"

    @property
    def number_line(self) -> str:
        return f"Số: {self.number}" if self.number else "Số:        /BC-SCT"

    @property
    def place_and_date(self) -> str:
        place = self.coverage.province.name if self.coverage.scope == Scope.PROVINCE else "Hà Nội"
        day = self.issued_on
        if day is None:
            return f"{place}, ngày      tháng      năm      "
        return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"

    @property
    def appendix_reference(self) -> str:
        if self.number and self.issued_on:
            body = f"{BODY_NAMES[self.issuing_body]} {self.coverage.name}"
            return f"(Kèm theo Báo cáo số {self.number} ngày {self.issued_on:%d/%m/%Y} của {body})"
        return f"(Kèm theo Báo cáo số        /BC-SCT ngày      của Sở Công Thương {self.coverage.name})"

    @property
    def results(self) -> list[str]:
        """I. Kết quả thực hiện, written from the figures."""
        return results_paragraphs(self.summary)

    def context(self) -> dict:
        """What the document templates read."""
        return {
            "doc": self,
            "unit_label": UNIT_LABEL,
            "status_groups": self.status_groups(),
            "charts": self.charts(),
            **{
                name: self.narrative(name)
                for name in ("advantages", "limitations", "causes", "tasks", "recommendations")
            },
        }

    def charts(self, font: str = "Report Serif") -> dict | None:
        """A region's or the nation's document carries the status page's charts (`reports.charts`)."""
        if self.coverage.scope == Scope.PROVINCE:
            return None
        rows = [row for row in self.summary.status_rows if row.approved_total]
        ratios = [(row.label, row.percent()) for row in rows]
        months = figures.monthly_payments(self.coverage)
        return charts.status_charts(ratios, self.summary.status_total.percent(), self.summary, months, font)

    def status_groups(self):
        if self.coverage.scope == Scope.PROVINCE:
            return [(None, self.summary.status_rows)]
        return figures.status_by_region(self.summary)

    def narrative(self, name: str) -> list[str]:
        text = getattr(self.report, name, "") if self.report is not None else ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def recipients(self) -> list[str]:
        return self.narrative("recipients")

    @property
    def signer_title(self) -> list[str]:
        text = getattr(self.report, "signer_title", "") if self.report is not None else ""
        return [line for line in text.splitlines() if line.strip()]

    @property
    def signer_name(self) -> str:
        return getattr(self.report, "signer_name", "") if self.report is not None else ""

    @property
    def level_label(self) -> str:
        levels = self.coverage.levels
        return figures.LEVEL_TITLES[levels[0]] if len(levels) == 1 else ""

    @property
    def lists_projects(self) -> bool:
        """Biểu 03 is printed for a province; a region's or the nation's list is in the workbook."""
        return self.coverage.scope == Scope.PROVINCE


def default_title(cov: figures.Coverage) -> str:
    where = "" if cov.scope == Scope.PROVINCE else f" {cov.name}"
    return f"Kết quả thực hiện công tác khuyến công{where} {cov.period.label}"


def build(cov: figures.Coverage, *, report=None, number: str = "", issued_on=None, with_projects=None) -> Document:
    summary = figures.summary(cov)
    document = Document(summary, report=report, number=number, issued_on=issued_on)
    if with_projects is None:
        with_projects = document.lists_projects
    if with_projects:
        document.project_items = list(figures.project_rows(cov))
    return document


def results_paragraphs(summary: figures.Summary) -> list[str]:
    period = summary.period
    total = summary.total
    paragraphs = []
    planned = [
        f"{SCHEME_LEVEL_ABBREVIATIONS[b.level]} {millions(b.subtotal.planned_amount)} triệu đồng"
        for b in summary.blocks
    ]
    paragraphs.append(
        f"Kế hoạch kinh phí khuyến công năm {period.year} được giao {millions(total.planned_amount)} triệu đồng"
        + (f" ({'; '.join(planned)})" if len(planned) > 1 else "")
        + f", thực hiện {total.planned_projects:02d} đề án."
    )
    for block in summary.blocks:
        sub = block.subtotal
        paragraphs.append(
            f"{block.title}: {period.label} đã triển khai {sub.started:02d} đề án, nghiệm thu "
            f"{sub.accepted:02d}/{sub.planned_projects:02d} đề án; giải ngân trong kỳ {millions(sub.performed)} "
            f"triệu đồng; lũy kế {millions(sub.cumulative)} triệu đồng, đạt {percent(sub.percent_of_plan)} kế hoạch."
        )
    if summary.carry_over.performed:
        paragraphs.append(
            f"Kinh phí năm trước chuyển sang: giải ngân trong kỳ {millions(summary.carry_over.performed)} triệu đồng."
        )
    status = summary.status_total
    paragraphs.append(
        f"Tình hình giải ngân: kinh phí khuyến công đã phê duyệt {millions(status.approved_total)} triệu đồng, "
        f"đã giải ngân {millions(status.paid_total)} triệu đồng, đạt {percent(status.percent())}."
    )
    if summary.outputs:
        parts = [f"{row.name.lower()} {row.achieved:,}".replace(",", ".") + f" {row.unit}" for row in summary.outputs]
        paragraphs.append("Kết quả chỉ tiêu: " + "; ".join(parts) + ".")
    paragraphs.append("(Chi tiết tại các Biểu kèm theo.)")
    return paragraphs
