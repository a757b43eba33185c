"""The report workbook prints (issue 19, point 4): landscape A4 fitted to the page's width, the header
row repeated, text wrapped in Biểu 03, every row as tall as its wrapped text — converted to PDF by
LibreOffice headless and read back: no word drawn over another, every beneficiary line whole."""

import html
import io
import re
import subprocess

import openpyxl
import pytest

from reports import figures, render
from reports.periods import period_for
from tests.factories import BeneficiaryFactory, FacilityFactory
from tests.report_data import TRIEU, d, project
from tests.test_report_documents import need

pytestmark = pytest.mark.django_db

LONG_NAMES = [
    "Công ty TNHH Chế biến nông sản xuất khẩu Vĩnh Lộc Thanh Hóa",
    "Hợp tác xã sản xuất kinh doanh dịch vụ nông nghiệp tổng hợp Hậu Lộc",
    "Cơ sở chế biến sắn và tinh bột sắn Ngọc Lặc",
    "Doanh nghiệp tư nhân cơ khí chế tạo máy nông nghiệp Hà Trung",
    "Hộ kinh doanh sản xuất bánh gai truyền thống Tứ Trụ",
]


@pytest.fixture
def printed(thanhhoa_2024, tmp_path):
    group = thanhhoa_2024["group"]
    for name in LONG_NAMES:
        BeneficiaryFactory(project=group, facility=FacilityFactory(name=name, province=group.plan.province.current))
    long = project(
        thanhhoa_2024["local"],
        100,
        name="Hỗ trợ xây dựng mô hình trình diễn kỹ thuật ứng dụng dây chuyền máy móc thiết bị tiên tiến trong "
        "sản xuất, chế biến sản phẩm từ gỗ rừng trồng phục vụ xuất khẩu",
        decision_date=d(2024, 3, 1),
    )
    assert long.kc_support == 100 * TRIEU
    cov = figures.coverage(period_for(2024, "year"), province=thanhhoa_2024["province"])
    data = render.rendered(cov, "xlsx")[1]
    soffice = need("soffice")
    (tmp_path / "bc.xlsx").write_bytes(data)
    result = subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "out"), str(tmp_path / "bc.xlsx")],
        capture_output=True, text=True, timeout=300, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return data, (tmp_path / "out" / "bc.pdf").read_bytes(), tmp_path


def words(pdf: bytes, tmp_path) -> list[tuple[int, str, float, float, float, float]]:
    """(page, word, x1, top, x2, bottom) of every word, as pdftotext -bbox reads them."""
    need("pdftotext")
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found, page = [], -1
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if match:
            found.append((page, html.unescape(match.group(5)), *(float(match.group(i)) for i in range(1, 5))))
    return found


def overlaps(first, second) -> bool:
    """Whether two words' boxes cover each other by more than a sliver (letters drawn over letters)."""
    width = min(first[4], second[4]) - max(first[2], second[2])
    height = min(first[5], second[5]) - max(first[3], second[3])
    if width <= 0 or height <= 0:
        return False
    smaller = min((a[4] - a[2]) * (a[5] - a[3]) for a in (first, second))
    return width * height > 0.25 * smaller


def test_the_workbook_is_set_up_to_print(printed):
    data, _pdf, _tmp = printed
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.paperSize in (9, "9")
        # fitToWidth left out means 1 (the default of the file format)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (None, 1, "1")
        assert sheet.page_setup.fitToHeight in (0, "0")
        assert sheet.print_title_rows == "$4:$4", sheet.title
        assert sheet.freeze_panes == "A5"
        header = [cell for cell in sheet[4] if cell.value]
        assert all(cell.alignment.wrap_text and cell.border.left.style == "thin" for cell in header)
    b03 = workbook["Biểu 03"]
    beneficiaries = next(row for row in b03.iter_rows(min_row=5) if row[5].value and LONG_NAMES[0] in row[5].value)
    assert beneficiaries[5].alignment.wrap_text
    # Six lines at least (the names wrap in their column): the row is as tall as they are.
    assert b03.row_dimensions[beneficiaries[5].row].height >= 6 * render.LINE_HEIGHT


def test_libreoffice_prints_every_line_whole_and_nothing_over_anything(printed):
    _data, pdf, tmp_path = printed
    found = words(pdf, tmp_path)
    text = " ".join(word[1] for word in found)
    for name in LONG_NAMES:
        for part in name.split():
            assert part in text, part
    for part in ("phục", "xuất", "khẩu", "rừng"):  # the end of the long đề án name: wrapped, not clipped
        assert part in text
    by_page: dict[int, list] = {}
    for word in found:
        by_page.setdefault(word[0], []).append(word)
    for page, items in by_page.items():
        items.sort(key=lambda word: (word[3], word[2]))
        for index, first in enumerate(items):
            for second in items[index + 1 : index + 40]:
                assert not overlaps(first, second), (page, first, second)
