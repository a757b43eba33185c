"""Digital signatures (issue 19, point 3, the command line): `build_report … --sign FILE.p12` writes a
PAdES-signed PDF whose signature pyHanko's validator reports intact and valid against the
certificate, over the unsigned document's bytes; a changed byte or another document's signature is
found out. A throw-away certificate made here (cryptography), never a real key."""

import datetime
import html
import io
import os
import re
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from reports import document, figures, render, signing
from reports import services as report_services
from reports.models import IssuedReport, SignedReport
from reports.periods import period_for
from tests.factories import current_province, draft_report
from tests.report_data import d
from tests.test_report_documents import need

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]
PASSPHRASE = "mat-khau-thu-nghiem"


@pytest.fixture
def key_file(tmp_path):
    """A self-signed signing certificate for "Nguyễn Văn An, Sở Công Thương Thanh Hóa", as PKCS#12 and PEM."""
    return make_key(tmp_path, "Nguyễn Văn An", "ky-thu")


@pytest.fixture
def seal_file(tmp_path):
    """The organisation's certificate (its seal, ô 8)."""
    return make_key(tmp_path, "Sở Công Thương Thanh Hóa", "dau-thu")


def make_key(tmp_path, common_name: str, stem: str):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sở Công Thương Thanh Hóa"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .sign(key, hashes.SHA256())
    )
    p12 = tmp_path / f"{stem}.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            stem.encode(), key, cert, None, serialization.BestAvailableEncryption(PASSPHRASE.encode())
        )
    )
    pem = tmp_path / f"{stem}.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return p12, pem


def test_the_command_signs_a_pdf_that_validates(thanhhoa_2024, key_file, tmp_path, monkeypatch):
    p12, pem = key_file
    monkeypatch.setenv("KC_SIGN_PASSPHRASE", PASSPHRASE)
    out = tmp_path / "bc-ky.pdf"
    call_command("build_report", "--province", "38", "--year", "2024", "--preset", "h1", "--format", "pdf",
                 "--signer-name", "Nguyễn Văn An", "--signer-title", "KT. GIÁM ĐỐC|PHÓ GIÁM ĐỐC",
                 "--sign", str(p12), "-o", str(out), verbosity=0)  # fmt: skip
    signed = out.read_bytes()
    unsigned = render.pdf(render.build(figures.coverage(period_for(2024, "h1"), province=thanhhoa_2024["province"])))
    [check] = signing.signatures(signed, trust_roots=[str(pem)])
    assert check.field == signing.SIGNER_FIELD
    assert "Nguyễn Văn An" in check.signer
    assert check.intact and check.valid
    assert check.signed_at is not None
    # An incremental update: the unsigned document's bytes plus the signature, nothing rewritten
    # (checked byte for byte against the issued bytes in the next test).
    assert len(signed) > len(unsigned)


def test_a_changed_byte_or_an_untrusted_key_is_found_out(thanhhoa_2024, key_file, tmp_path):
    p12, pem = key_file
    doc = render.build(figures.coverage(period_for(2024, "h1"), province=thanhhoa_2024["province"]))
    issued = render.pdf(doc)
    signed = signing.sign_pdf(issued, pkcs12=str(p12), passphrase=PASSPHRASE.encode(), signer_name="Nguyễn Văn An")
    [check] = signing.signatures(signed, trust_roots=[str(pem)], issued=issued)
    assert check.intact and check.valid and check.covers_issued
    # One byte of the signed part changed (inside the first page's content): no longer intact.
    position = signed.index(b"stream", 2000) + 20
    tampered = signed[:position] + bytes([signed[position] ^ 0x01]) + signed[position + 1 :]
    [broken] = signing.signatures(tampered, trust_roots=[str(pem)], issued=issued)
    assert not broken.intact and not broken.valid
    # Signed over another document: intact, but not over the issued bytes.
    other = render.pdf(render.build(figures.coverage(period_for(2024, "year"), province=thanhhoa_2024["province"])))
    [elsewhere] = signing.signatures(
        signing.sign_pdf(other, pkcs12=str(p12), passphrase=PASSPHRASE.encode()), trust_roots=[str(pem)], issued=issued
    )
    assert elsewhere.intact and not elsewhere.covers_issued
    # Without the certificate among the trust roots: intact but not valid.
    [untrusted] = signing.signatures(signed, issued=issued)
    assert untrusted.intact and not untrusted.valid


def test_a_wrong_passphrase_is_refused_plainly(thanhhoa_2024, key_file, tmp_path, monkeypatch):
    p12, _pem = key_file
    monkeypatch.setenv("KC_SIGN_PASSPHRASE", "sai")
    with pytest.raises(CommandError, match="Không đọc được khóa ký"):
        call_command("build_report", "--province", "38", "--year", "2024", "--preset", "h1", "--format", "pdf",
                     "--sign", str(p12), "-o", str(tmp_path / "x.pdf"), verbosity=0)  # fmt: skip
    assert not (tmp_path / "x.pdf").exists()


# --- The two fields of NĐ 30 Phụ lục I, signing on the server, signed copies uploaded ----------------


def words(data: bytes, tmp_path) -> list[tuple[int, str, float, float, float, float]]:
    """(page, word, x1, top, x2, bottom) in points from the page's top, as pdftotext -bbox reads them."""
    need("pdftotext")
    path = tmp_path / "words.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found, page = [], -1
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if match:
            x1, top, x2, bottom = (float(match.group(i)) for i in range(1, 5))
            found.append((page, html.unescape(match.group(5)), x1, top, x2, bottom))
    return found


def page_height(data: bytes) -> float:
    return float(PdfFileReader(io.BytesIO(data)).root["/Pages"]["/Kids"][0]["/MediaBox"][3])


@pytest.mark.parametrize("paragraphs", [1, 9])
def test_the_issued_pdf_reserves_the_signers_and_the_seals_fields(thanhhoa_2024, tmp_path, paragraphs):
    recommendations = "\n".join(["Kiến nghị tăng kinh phí."] * paragraphs)
    report = draft_report(
        province=thanhhoa_2024["province"],
        year=2024,
        preset="h1",
        date_from=d(2024, 1, 1),
        date_until=d(2024, 6, 30),
        recommendations=recommendations,
        signer_name="Lê Văn Bình",
    )
    cov = figures.coverage(period_for(2024, "h1"), province=thanhhoa_2024["province"])
    data = render.pdf(document.build(cov, report=report))
    reserved = signing.reserved_fields(data)
    assert set(reserved) == {signing.SIGNER_FIELD, signing.SEAL_FIELD}
    (page, (x1, y1, x2, y2)), (seal_page, (s1, t1, s2, t2)) = (
        reserved[signing.SIGNER_FIELD],
        reserved[signing.SEAL_FIELD],
    )
    assert page == seal_page
    height = page_height(data)
    top, bottom = height - y2, height - y1  # from the page's top, as pdftotext counts
    on_page = [word for word in words(data, tmp_path) if word[0] == page]
    title = [w for w in on_page if w[1] == "ĐỐC"]  # "PHÓ GIÁM ĐỐC", the last line of chức vụ
    name = [w for w in on_page if w[1] == "Bình"]
    assert title and name, "the signature block is on the field's page"
    # Between chức vụ and the name, centred over the name.
    assert max(w[5] for w in title) <= top + 1 and bottom <= min(w[3] for w in name) + 1
    name_words = [w for w in on_page if w[1] in ("Lê", "Văn", "Bình") and abs(w[3] - name[0][3]) < 2]
    name_centre = (min(w[2] for w in name_words) + max(w[4] for w in name_words)) / 2
    assert abs((x1 + x2) / 2 - name_centre) < 3 * signing.MM
    # The seal over the left third of the signature.
    assert s1 < x1 + (x2 - x1) / 3 < s2 and s2 < x1 + (x2 - x1) / 2
    assert t1 < (y1 + y2) / 2 < t2


@pytest.fixture
def issued(thanhhoa_manager):
    report = report_services.report_save(
        report=draft_report(province=current_province("38"), year=2026, preset="h1", date_from=d(2026, 1, 1),
                            date_until=d(2026, 6, 30)),
        user=thanhhoa_manager,
    )  # fmt: skip
    return report_services.report_issue(report=report, user=thanhhoa_manager, number="21/BC-SCT",
                                        issued_on=d(2026, 7, 10))  # fmt: skip


def configure(settings, signer=None, seal=None, roots=()):
    empty = dict.fromkeys(
        ("pkcs12", "passphrase", "pkcs11_module", "pkcs11_token", "pkcs11_key", "pkcs11_pin", "image"), ""
    )
    settings.KHUYENCONG_SIGNING = {
        "signer": {**empty, **({"pkcs12": str(signer), "passphrase": PASSPHRASE} if signer else {})},
        "seal": {**empty, **({"pkcs12": str(seal), "passphrase": PASSPHRASE} if seal else {})},
    }
    settings.KHUYENCONG_SIGNING_TRUST_ROOTS = [str(root) for root in roots]


def test_a_manager_signs_on_the_server_with_the_configured_keys(
    settings, issued, thanhhoa_manager, key_file, seal_file
):
    configure(settings, signer=key_file[0], seal=seal_file[0], roots=[key_file[1], seal_file[1]])
    copy = report_services.report_sign(issued=issued, user=thanhhoa_manager)
    data = bytes(copy.pdf)
    assert (
        data.startswith(bytes(issued.pdf)) and IssuedReport.digest(data[: len(bytes(issued.pdf))]) == issued.pdf_sha256
    )
    checks = signing.signatures(data, trust_roots=[str(key_file[1]), str(seal_file[1])], issued=bytes(issued.pdf))
    assert [(check.field, check.intact, check.valid, check.covers_issued) for check in checks] == [
        (signing.SIGNER_FIELD, True, True, True),
        (signing.SEAL_FIELD, True, True, True),
    ]
    assert "Nguyễn Văn An" in checks[0].signer and copy.source == SignedReport.Source.SERVER
    assert [entry["field"] for entry in copy.signatures] == [signing.SIGNER_FIELD, signing.SEAL_FIELD]
    # Signed already with every key: refused, nothing kept twice.
    with pytest.raises(ValidationError):
        report_services.report_sign(issued=issued, user=thanhhoa_manager)
    assert SignedReport.objects.count() == 1


def test_only_a_manager_signs_and_only_with_a_key(settings, issued, thanhhoa_officer, thanhhoa_manager, key_file):
    configure(settings, signer=key_file[0])
    with pytest.raises(PermissionDenied):
        report_services.report_sign(issued=issued, user=thanhhoa_officer)
    configure(settings)
    with pytest.raises(ValidationError, match="khóa ký"):
        report_services.report_sign(issued=issued, user=thanhhoa_manager)
    assert not SignedReport.objects.exists()


def refusal_of(issued, user, data) -> str:
    with pytest.raises(ValidationError) as refused:
        report_services.report_attach_signed(issued=issued, user=user, data=data)
    return " ".join(refused.value.message_dict["pdf"])


def test_an_uploaded_signed_pdf_is_kept_only_if_it_holds(settings, issued, thanhhoa_manager, key_file, tmp_path):
    configure(settings, roots=[key_file[1]])
    original = bytes(issued.pdf)
    signed = signing.sign_pdf(
        original, pkcs12=str(key_file[0]), passphrase=PASSPHRASE.encode(), signer_name="Nguyễn Văn An"
    )

    # A changed byte inside what the signature covers.
    position = signed.index(b"stream", len(original) // 2) + 20
    tampered = signed[:position] + bytes([signed[position] ^ 0x01]) + signed[position + 1 :]
    assert "byte" in refusal_of(issued, thanhhoa_manager, tampered) or "thay đổi" in refusal_of(
        issued, thanhhoa_manager, tampered
    )
    # A broken signature: its bytes changed in the part appended after the issued file.
    at = signed.index(b"/Contents <", len(original)) + 40
    broken = signed[:at] + (b"0" if signed[at : at + 1] != b"0" else b"1") + signed[at + 1 :]
    assert "hỏng" in refusal_of(issued, thanhhoa_manager, broken)
    # A signature over another document.
    other = render.pdf(render.build(figures.coverage(period_for(2026, "year"), province=current_province("38"))))
    elsewhere = signing.sign_pdf(other, pkcs12=str(key_file[0]), passphrase=PASSPHRASE.encode())
    assert refusal_of(issued, thanhhoa_manager, elsewhere)
    # Not a PDF; the issued PDF without any signature.
    assert refusal_of(issued, thanhhoa_manager, b"PK\x03\x04 not a pdf")
    assert refusal_of(issued, thanhhoa_manager, original + b"\n%%EOF\n")
    # A certificate the Sở does not trust.
    stranger = make_key(tmp_path, "Người lạ", "la")
    strange = signing.sign_pdf(original, pkcs12=str(stranger[0]), passphrase=PASSPHRASE.encode())
    assert refusal_of(issued, thanhhoa_manager, strange)
    assert not SignedReport.objects.exists()

    copy = report_services.report_attach_signed(issued=issued, user=thanhhoa_manager, data=signed)
    assert copy.source == SignedReport.Source.UPLOAD and copy.signatures[0]["valid"]


def test_the_report_page_shows_the_signatures_and_offers_the_signed_copy(
    client, settings, issued, thanhhoa_manager, thanhhoa_officer, key_file
):
    configure(settings, signer=key_file[0], roots=[key_file[1]])
    client.force_login(thanhhoa_manager)
    page = client.get(reverse("reports:draft", args=[issued.report_id]))
    assert "Ký số trên máy chủ" in page.content.decode() and "Chưa ký số." in page.content.decode()
    response = client.post(reverse("reports:sign", args=[issued.pk]))
    assert response.status_code == 302
    page = client.get(reverse("reports:draft", args=[issued.report_id])).content.decode()
    assert "Nguyễn Văn An" in page and "hợp lệ" in page
    download = client.get(reverse("reports:issued_download", args=[issued.pk, "signed"]))
    assert download["Content-Type"] == "application/pdf" and download.content.startswith(bytes(issued.pdf))
    assert download["X-Content-SHA256"] == SignedReport.objects.get().pdf_sha256
    # The unsigned one is still there, byte for byte.
    assert client.get(reverse("reports:issued_download", args=[issued.pk, "pdf"])).content == bytes(issued.pdf)
    # An upload that fails says why, at the file.
    rubbish = SimpleUploadedFile("ky.pdf", b"%PDF-1.7 rubbish", content_type="application/pdf")
    bad = client.post(reverse("reports:upload_signed", args=[issued.pk]), {"pdf": rubbish})
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.content.decode()
    # Staff see the signatures but sign nothing.
    client.force_login(thanhhoa_officer)
    page = client.get(reverse("reports:draft", args=[issued.report_id])).content.decode()
    assert "Nguyễn Văn An" in page and "Ký số trên máy chủ" not in page
    assert client.post(reverse("reports:sign", args=[issued.pk])).status_code in (302, 403)
    assert SignedReport.objects.count() == 1


SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


@pytest.fixture
def token(tmp_path, monkeypatch, key_file):
    """A SoftHSM token (standing in for a USB token or an HSM) holding the signer's key and certificate."""
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509

    tool = need("softhsm2-util")
    if not os.path.exists(SOFTHSM_MODULE):
        need("libsofthsm2.so (package softhsm2)")
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run([tool, "--init-token", "--free", "--label", "kc-thu", "--pin", "123456", "--so-pin", "12345678"],
                   check=True, capture_output=True)  # fmt: skip
    p12, pem = key_file
    key, cert, _extra = pkcs12.load_key_and_certificates(p12.read_bytes(), PASSPHRASE.encode())
    key_path = tmp_path / "key8.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    subprocess.run([tool, "--import", str(key_path), "--token", "kc-thu", "--label", "ky", "--id", "01",
                    "--pin", "123456"], check=True, capture_output=True)  # fmt: skip
    import pkcs11 as p11

    der = asn1_pem.unarmor(pem.read_bytes())[2]
    certificate = asn1_x509.Certificate.load(der)
    with p11.lib(SOFTHSM_MODULE).get_token(token_label="kc-thu").open(rw=True, user_pin="123456") as session:
        session.create_object(
            {
                p11.Attribute.CLASS: p11.ObjectClass.CERTIFICATE,
                p11.Attribute.CERTIFICATE_TYPE: p11.CertificateType.X_509,
                p11.Attribute.TOKEN: True,
                p11.Attribute.LABEL: "ky",
                p11.Attribute.ID: b"\x01",
                p11.Attribute.SUBJECT: certificate.subject.dump(),
                p11.Attribute.ISSUER: certificate.issuer.dump(),
                p11.Attribute.SERIAL_NUMBER: certificate["tbs_certificate"]["serial_number"].dump(),
                p11.Attribute.VALUE: der,
            }
        )
    return pem


def test_a_key_on_a_pkcs11_token_signs(settings, issued, thanhhoa_manager, token):
    configure(settings, roots=[token])
    settings.KHUYENCONG_SIGNING["signer"].update(
        pkcs11_module=SOFTHSM_MODULE, pkcs11_token="kc-thu", pkcs11_key="ky", pkcs11_pin="000000"
    )
    # A wrong PIN: refused in Vietnamese, nothing kept.
    with pytest.raises(ValidationError, match="PKCS#11"):
        report_services.report_sign(issued=issued, user=thanhhoa_manager)
    assert not SignedReport.objects.exists()
    settings.KHUYENCONG_SIGNING["signer"]["pkcs11_pin"] = "123456"
    copy = report_services.report_sign(issued=issued, user=thanhhoa_manager)
    [check] = signing.signatures(bytes(copy.pdf), trust_roots=[str(token)], issued=bytes(issued.pdf))
    assert check.field == signing.SIGNER_FIELD and check.valid and check.covers_issued
