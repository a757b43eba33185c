"""Digital signatures on an issued report's PDF (PAdES, with pyHanko): NĐ 30/2020 and the law on
electronic transactions make a digitally signed PDF the original.

`sign_pdf` signs with a key the Sở configures outside the database — a PKCS#12 file, by path, with
its passphrase from the environment (KC_SIGN_PASSPHRASE) — as an incremental update, so the
bytes that were issued (and their SHA-256) stay the signed revision's first part. `signatures`
reads every signature of a PDF back with who signed, when, and whether it is intact and valid
against the trust roots given.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

# Ô 7c of NĐ 30 Phụ lục I: the signer's signature (the organisation's, ô 8, is the seal's).
SIGNER_FIELD = "ChuKyNguoiKy"


class SigningError(Exception):
    """The key could not be read or the PDF not signed; the message says which."""


def sign_pdf(data: bytes, *, pkcs12: str, passphrase: bytes | None, signer_name: str = "",
             location: str = "") -> bytes:  # fmt: skip
    """The PDF with the signer's signature added as an incremental update over `data`."""
    try:
        signer = signers.SimpleSigner.load_pkcs12(pfx_file=pkcs12, passphrase=passphrase)
    except (OSError, ValueError) as exc:
        raise SigningError(f"Không đọc được khóa ký (tệp PKCS#12 hoặc mật khẩu): {exc}") from exc
    if signer is None:
        raise SigningError("Không đọc được khóa ký (tệp PKCS#12 hoặc mật khẩu).")
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNER_FIELD, name=signer_name or None, location=location or None, reason="Ký ban hành báo cáo"
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    field: str
    signer: str  # the certificate's subject, as people read it
    signed_at: datetime.datetime | None
    intact: bool  # the bytes it covers are unchanged
    valid: bool  # and its certificate chains to a trust root
    covers_issued: bool  # the revision it signs begins with the issued bytes


def signatures(data: bytes, *, trust_roots=(), issued: bytes | None = None) -> list[SignatureCheck]:
    """Every signature of the PDF, checked (trust roots: certificates or paths to PEM/DER files)."""
    roots = [load_cert_from_pemder(root) if isinstance(root, str) else root for root in trust_roots]
    context = ValidationContext(trust_roots=roots or None)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    found = []
    for embedded in reader.embedded_signatures:
        status = validate_pdf_signature(embedded, context)
        start, end = embedded.byte_range[0], embedded.byte_range[2] + embedded.byte_range[3]
        found.append(
            SignatureCheck(
                field=embedded.field_name,
                signer=status.signing_cert.subject.human_friendly,
                signed_at=embedded.self_reported_timestamp,
                intact=status.intact,
                valid=status.intact and status.valid and status.trusted,
                covers_issued=issued is not None
                and start == 0
                and end >= len(issued)
                and data[: len(issued)] == issued,
            )
        )
    return found
