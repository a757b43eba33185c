"""manage.py build_report: the Reports page's parameters on the command line."""

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def build(tmp_path, *args, suffix="html"):
    out = tmp_path / f"report.{suffix}"
    call_command("build_report", *args, "--format", suffix, "-o", str(out), verbosity=0)
    return out


def test_a_province_by_code_resolved_with_the_period(thanhhoa_2024, tmp_path):
    html = build(tmp_path, "--province", "38", "--year", "2024", "--preset", "h1", "--level", "all").read_text()
    assert "02/08" in html and "UBND TỈNH THANH HÓA" in html
    pdf = build(
        tmp_path, "--province", "38", "--year", "2024", "--from", "2024-01-01", "--until", "2024-12-31", suffix="pdf"
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    xlsx = build(tmp_path, "--province", "38", "--year", "2024", "--preset", "year", "--level", "local", suffix="xlsx")
    rows = list(load_workbook(xlsx)["Biểu 01"].iter_rows(min_row=5, values_only=True))
    assert any(row[1] == "Cộng KCĐP" and row[7] == 3277 for row in rows)


def test_the_nation_and_a_region(thanhhoa_2024, tmp_path):
    assert "6.227" in build(tmp_path, "--nation", "--year", "2024", "--preset", "year").read_text()
    assert "6.227" in build(tmp_path, "--region", "north", "--year", "2024", "--preset", "year").read_text()


def test_bad_parameters_are_refused_with_a_message(tmp_path, thanhhoa_officer):
    with pytest.raises(CommandError, match="99"):
        build(tmp_path, "--province", "99", "--year", "2024", "--preset", "h1")
    with pytest.raises(CommandError, match="95"):  # Bạc Liêu is part of Cà Mau (96) since 1/7/2025
        build(tmp_path, "--province", "95", "--year", "2025", "--preset", "year")
    with pytest.raises(CommandError):
        build(tmp_path, "--province", "38", "--year", "2024", "--preset", "h1", "--from", "2024-01-01")
    with pytest.raises(CommandError, match="may only"):
        build(tmp_path, "--province", "48", "--year", "2026", "--preset", "h1", "--user", thanhhoa_officer.username)
    with pytest.raises(CommandError, match="may only"):
        build(tmp_path, "--nation", "--year", "2026", "--preset", "h1", "--user", thanhhoa_officer.username)
    build(tmp_path, "--province", "38", "--year", "2026", "--preset", "h1", "--user", thanhhoa_officer.username)
