"""Files an import refuses at once, with a clear message, without reading them whole; and what it accepts."""

import datetime
import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from programmes.imports import services
from programmes.imports.files import RefusedFile, read_table
from programmes.imports.models import ImportBatch
from programmes.models import Disbursement, Project
from tests.factories import ProjectFactory
from tests.import_files import csv_bytes, headers, xlsx

d = datetime.date


def refused(name, data) -> str:
    """The refusal, raised by `read_table` itself: before a single row is read."""
    with pytest.raises(RefusedFile) as error:
        read_table(name, data)
    return str(error.value)


def refused_while_reading(name, data, *, rows_read: int) -> str:
    """A refusal that only reading can find (the row limit): raised once `rows_read` rows are read, no later."""
    table = read_table(name, data)
    read = 0
    with pytest.raises(RefusedFile) as error:
        for _row in table.rows:
            read += 1
    assert read == rows_read, f"{read} rows read before the refusal"
    return str(error.value)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _workbook_parts(sheet_xml: bytes) -> dict[str, bytes]:
    """The parts of a real workbook with the first sheet's XML replaced."""
    with zipfile.ZipFile(io.BytesIO(xlsx(["a"], [[1]]))) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = sheet_xml
    return parts


def test_another_file_type_is_refused():
    assert ".xlsx" in refused("bao-cao.pdf", b"%PDF-1.7 ...")
    assert ".xlsx" in refused("cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert ".xlsx" in refused("khong-duoi", b"a,b\n1,2\n")


def test_a_password_protected_workbook_is_refused():
    # Excel saves an encrypted workbook as an OLE container holding EncryptionInfo/EncryptedPackage.
    message = refused("mat-khau.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    assert "mật khẩu" in message or "password" in message


def test_a_corrupt_workbook_is_refused():
    assert refused("hong.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50)
    data = xlsx(["a"], [[1]])
    assert refused("cut.xlsx", data[: len(data) // 2])
    assert refused("not-a-workbook.xlsx", _zip({"hello.txt": b"hi"}))


def test_a_zip_bomb_is_refused():
    parts = _workbook_parts(b"<worksheet>" + b" " * 60_000_000 + b"</worksheet>")
    message = refused("bom.xlsx", _zip(parts))
    assert "zip" in message.lower()


def test_an_xml_bomb_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "&lol%d;&lol%d;&lol%d;&lol%d;">' % (i, i - 1, i - 1, i - 1, i - 1) for i in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    laughs = laughs.replace(b"&lol0;", b"&lol;")
    message = refused("xml-bom.xlsx", _zip(_workbook_parts(laughs)))
    assert "XML" in message


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.KHUYENCONG_IMPORT_MAX_BYTES = 1024
    message = refused("lon.csv", b"a,b\n" + b"1,2\n" * 1000)
    assert "MB" in message


def test_a_file_over_the_row_limit_is_refused(settings):
    settings.KHUYENCONG_IMPORT_MAX_ROWS = 5
    # Counted while streaming: refused as the row past the limit is reached, never after reading the rest.
    message = refused_while_reading("nhieu.xlsx", xlsx(["a"], [[i] for i in range(10)]), rows_read=5)
    assert "5" in message
    assert "5" in refused_while_reading("nhieu.csv", csv_bytes(["a"], [[i] for i in range(10)]), rows_read=5)


def test_a_csv_not_in_utf8_is_refused():
    assert "UTF-8" in refused("windows.csv", "Mã số,Tên\nA-01,Hòa Bình\n".encode("cp1252", "replace"))
    assert "UTF-16" not in refused("utf16.csv", "Mã,Tên\n".encode("utf-16"))
    assert refused("trong.csv", b"")
    assert refused("nhi-phan.csv", b"a,b\n\x00\x01\x02")


def test_accepted_files_dates_amounts_and_nfc():
    # CSV with or without BOM, comma or semicolon; dates as cells or dd/mm/yyyy; decomposed accents made NFC.
    for data in (
        csv_bytes(["Tên", "Ngày"], [["Ho\u0300a", "05/03/2024"]], bom=True),
        csv_bytes(["Tên", "Ngày"], [["Ho\u0300a", "05/03/2024"]], bom=False, delimiter=";"),
    ):
        table = read_table("a.csv", data)
        assert table.headers == ["Tên", "Ngày"]
        assert list(table.rows) == [(2, ["Hòa", "05/03/2024"])]
    table = read_table("a.xlsx", xlsx(["Ngày", "Tiền"], [[d(2024, 3, 5), 1234567.0]]))
    assert list(table.rows) == [(2, [d(2024, 3, 5), 1234567])]


def test_a_file_without_the_headers_is_refused_with_the_missing_columns(db):
    outcome = services.check("disbursements", "a.xlsx", xlsx(["Mã", "Ngày"], [["x", "y"]]), user=None)
    assert "Mã đề án" in outcome.file_error and "Số tiền (đồng)" in outcome.file_error


# --- The command -----------------------------------------------------------------------------------


@pytest.fixture
def project(db):
    return ProjectFactory(code="CMD-01")


def test_the_command_imports_with_full_scope_and_names_itself(project, tmp_path, capsys):
    path = tmp_path / "giai-ngan.xlsx"
    rows = [["CMD-01", d(2024, 6, 1), 1_000_000, "", "Thanh toán", "C-1", ""]]
    path.write_bytes(xlsx(headers("disbursements"), rows))
    call_command("import_data", "disbursements", str(path), "--dry-run")
    assert Disbursement.objects.count() == 0
    call_command("import_data", "disbursements", str(path))
    payment = Disbursement.objects.get()
    batch = ImportBatch.objects.get()
    record = payment.history.first()
    assert record.history_user is None
    assert "manage.py import_data" in record.history_change_reason and str(batch.pk) in record.history_change_reason
    assert "1 dòng" in capsys.readouterr().out


def test_the_command_exits_non_zero_and_writes_nothing_when_a_row_is_bad(project, tmp_path, capsys):
    path = tmp_path / "loi.csv"
    rows = [["CMD-01", "01/06/2024", "1.000.000", "", "Thanh toán", "C-1", ""], ["CMD-01", "x", "1", "", "", "", ""]]
    path.write_bytes(csv_bytes(headers("disbursements"), rows))
    with pytest.raises(CommandError) as error:
        call_command("import_data", "disbursements", str(path))
    assert error.value.returncode == 1
    output = capsys.readouterr().out
    assert "Dòng 3 · Ngày giải ngân" in output and "Dòng 3 · Loại" in output
    assert Disbursement.objects.count() == 0
    assert Project.objects.get().disbursed_amount == 0


def test_the_command_imports_with_a_users_rights(project, tmp_path, danang_officer):
    path = tmp_path / "giai-ngan.xlsx"
    path.write_bytes(xlsx(headers("disbursements"), [["CMD-01", d(2024, 6, 1), 1, "", "Thanh toán", "", ""]]))
    with pytest.raises(CommandError):
        call_command("import_data", "disbursements", str(path), "--user", danang_officer.username)
    assert Disbursement.objects.count() == 0
