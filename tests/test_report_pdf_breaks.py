"""Where the PDF's pages break (issue 19, point 1): a table's "Tổng cộng" row never stands alone at the
top of a page under the repeated header — the row before it goes with it."""

import re
import subprocess

import pytest

from reports import document, figures, render
from reports.periods import period_for
from tests.factories import disburse
from tests.report_data import TRIEU, d, project
from tests.test_report_documents import need

pytestmark = pytest.mark.django_db
ROW = re.compile(r"\d{1,3}(\.\d{3})+|\b\d+,\d\d%")  # an amount or a percentage: a row with figures


def pages_of(data: bytes, tmp_path) -> list[str]:
    need("pdftotext")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.split("\f")


def orphaned_totals(pages: list[str]) -> list[int]:
    """The pages whose first table row is a "Tổng cộng" (the line before it has no figures)."""
    found = []
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        for index, line in enumerate(lines):
            if line.startswith("Tổng cộng") and not any(
                ROW.search(before) for before in lines[max(0, index - 3) : index]
            ):
                found.append(number)
    return found


def test_the_total_row_keeps_the_row_before_it(thanhhoa_2024, tmp_path):
    cov = figures.coverage(period_for(2024, "year"), province=thanhhoa_2024["province"])
    seen = []
    # One đề án more at a time, across a page's worth of rows: with one more, the total of Biểu 03
    # once began page 5 alone under the repeated header.
    for extra in range(0, 12):
        if extra:
            name = f"Đề án bổ sung số {extra} hỗ trợ máy móc thiết bị"
            disburse(
                project(thanhhoa_2024["local"], 10, started=d(2024, 3, 5), name=name), 5 * TRIEU, paid_on=d(2024, 5, 2)
            )
        pages = pages_of(render.pdf(document.build(cov)), tmp_path)
        seen.append((extra, len(pages), orphaned_totals(pages)))
    assert not [item for item in seen if item[2]], seen
