"""A report as a document: the figures, the narrative and the NĐ 30/2020 parts around them.

`build()` gathers what every renderer needs (the HTML preview, the PDF, the Excel workbook), so
the three print the same numbers. The document's own words are Vietnamese whatever the user's
language: it is an official document of a Vietnamese administration (NĐ 30/2020).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings

from programmes.lib.formatting import millions, percent
from programmes.models import SCHEME_LEVEL_ABBREVIATIONS, Province
from programmes.reference_data import bare_name

from . import charts, figures
from .models import Scope

UNIT_LABEL = "ĐVT: triệu đồng"


def nd30_date(day: datetime.date) -> str:
    """ "ngày 05 tháng 7 năm 2024": days 1–9 and months 1–2 take a leading zero (NĐ 30/2020, Phụ lục I)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def listed(lines: list[str]) -> list[str]:
    """Lines of a list as NĐ 30 writes them: each ends with ";", the last with "."."""
    bare = [line.lstrip("-–• ").rstrip(";. ") for line in lines]
    bare = [line for line in bare if line]
    return [f"{line};" for line in bare[:-1]] + [f"{line}." for line in bare[-1:]]


@dataclass(frozen=True)
class Issuer:
    """Who issues a report (NĐ 30 ô 2–4, 9): a province's Sở, or the Ministry's department for a region
    or the nation (KHUYENCONG_MINISTRY_*); each draft may still change whom it is sent to."""

    parent: str  # "UBND TỈNH THANH HÓA", "BỘ CÔNG THƯƠNG"
    body: str  # "Sở Công Thương", the department's name
    symbol: str  # the body's part of the number's symbol: 15/BC-SCT
    place: str  # the place name before the date: "Thanh Hóa", "Đà Nẵng", "Hà Nội"
    body_with_place: str  # "Sở Công Thương Thanh Hóa", "Cục … Bộ Công Thương"
    addressees: list[str]
    recipients: list[str]


def issuer_of(cov: figures.Coverage) -> Issuer:
    ministry = settings.KHUYENCONG_MINISTRY
    department = settings.KHUYENCONG_MINISTRY_DEPARTMENT
    if cov.scope == Scope.PROVINCE:
        province = cov.province
        place = bare_name(province.name)
        city = province.kind == Province.Kind.CITY
        people = f"Ủy ban nhân dân {'thành phố' if city else 'tỉnh'} {place}"
        return Issuer(
            parent=f"UBND {'THÀNH PHỐ' if city else 'TỈNH'} {place.upper()}",
            body="Sở Công Thương",
            symbol="SCT",
            place=place,
            body_with_place=f"Sở Công Thương {place}",
            addressees=[f"{ministry} ({department})", people],
            recipients=["Như trên", "Lãnh đạo Sở", "Lưu: VT, QLCN."],
        )
    return Issuer(
        parent=ministry.upper(),
        body=department,
        symbol=settings.KHUYENCONG_MINISTRY_DEPARTMENT_SYMBOL,
        place="Hà Nội",
        body_with_place=f"{department}, {ministry}",
        addressees=[f"Lãnh đạo {ministry}"],
        recipients=["Như trên", "Lưu: VT, KC."],
    )


@dataclass
class Document:
    summary: figures.Summary
    project_items: list = field(default_factory=list)
    report: object | None = None  # the draft, with its narrative
    number: str = ""  # "123/BC-SCT" once issued
    issued_on: datetime.date | None = None
    impact: list = field(default_factory=list)  # Biểu 05 (figures.impact)
    others: figures.OtherProgrammes | None = None  # Biểu 06, when asked (figures.other_programmes)

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
    def issuer(self) -> Issuer:
        return issuer_of(self.coverage)

    @property
    def parent_body(self) -> str:
        return self.issuer.parent

    @property
    def issuing_body(self) -> str:
        return self.issuer.body.upper()

    @property
    def number_line(self) -> str:
        return f"Số: {self.number}" if self.number else f"Số:        /BC-{self.issuer.symbol}"

    @property
    def place_and_date(self) -> str:
        place = self.issuer.place
        if self.issued_on is None:
            return f"{place}, ngày      tháng      năm      "
        return f"{place}, {nd30_date(self.issued_on)}"

    @property
    def appendix_reference(self) -> str:
        body = self.issuer.body_with_place
        if self.number and self.issued_on:
            return f"(Kèm theo Báo cáo số {self.number} ngày {self.issued_on:%d/%m/%Y} của {body})"
        return f"(Kèm theo Báo cáo số        /BC-{self.issuer.symbol} ngày      của {body})"

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
    def addressees(self) -> list[str]:
        """Kính gửi (NĐ 30 Phụ lục I, II.9.b: a report sent upwards names whom it is sent to)."""
        return listed(self.narrative("addressees") or self.issuer.addressees)

    @property
    def recipients(self) -> list[str]:
        """Nơi nhận: each line ends with ";", the last ("Lưu: VT, …") with "."."""
        return listed(self.narrative("recipients") or self.issuer.recipients)

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


def build(
    cov: figures.Coverage,
    *,
    report=None,
    number: str = "",
    issued_on=None,
    with_projects=None,
    with_others: bool | None = None,
) -> Document:
    """The document of `cov`; `with_others` (by default the draft's choice) adds Biểu 06, the
    centre's other programmes beside khuyến công."""
    summary = figures.summary(cov)
    document = Document(summary, report=report, number=number, issued_on=issued_on)
    document.impact = figures.impact(cov)
    if with_others is None:
        with_others = bool(getattr(report, "other_programmes", False))
    if with_others:
        document.others = figures.other_programmes(cov)
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
        f"Kế hoạch kinh phí khuyến công {period.plan_years} được giao {millions(total.planned_amount)} triệu đồng"
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
        # The document groups thousands with "." whatever the reader's language; a name keeps its commas.
        parts = [f"{row.name.lower()} {f'{row.achieved:,}'.replace(',', '.')} {row.unit}" for row in summary.outputs]
        paragraphs.append("Kết quả chỉ tiêu: " + "; ".join(parts) + ".")
    paragraphs.append("(Chi tiết tại các Biểu kèm theo.)")
    return paragraphs
