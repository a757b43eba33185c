"""Digital signatures (issue 19, point 3, the command line): `build_report … --sign FILE.p12` writes a
PAdES-signed PDF whose signature pyHanko's validator reports intact and valid against the
certificate, over the unsigned document's bytes; a changed byte or another document's signature is
found out. A throw-away certificate made here (cryptography), never a real key."""

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command

from reports import figures, render, signing
from reports.periods import period_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]
PASSPHRASE = "mat-khau-thu-nghiem"


@pytest.fixture
def key_file(tmp_path):
    """A self-signed signing certificate for "Nguyễn Văn An, Sở Công Thương Thanh Hóa", as PKCS#12 and PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sở Công Thương Thanh Hóa"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn An"),
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
    p12 = tmp_path / "ky-thu.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"ky-thu", key, cert, None, serialization.BestAvailableEncryption(PASSPHRASE.encode())
        )
    )
    pem = tmp_path / "ky-thu.pem"
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
