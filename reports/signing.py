"""Digital signatures on an issued report's PDF (PAdES, with pyHanko): NĐ 30/2020 and the law on
electronic transactions make a digitally signed PDF the original.

- `reserve_fields` adds the two empty signature fields of NĐ 30 Phụ lục I to a rendered report:
  the signer's (ô 7c, between chức vụ and the name) and the organisation's (ô 8, the seal, over the
  left third of the signer's), where the document's layout put the signer's space;
- `sign_pdf` signs one of them with a key the Sở configures outside the database — a PKCS#12 file
  by path or a PKCS#11 token (USB or HSM) by module, token and key label, the passphrase or PIN
  from the environment (`settings.KHUYENCONG_SIGNING`) — as an incremental update, so the bytes
  that were issued (and their SHA-256) stay the signed revision's first part; the signature's
  appearance is the signer's image (blue) or the seal's (red) when configured, else a text stamp;
- `signatures` reads every signature of a PDF back with who signed, when, and whether it is intact,
  valid against the trust roots, and over the issued bytes; `check_signed` says why an uploaded
  PDF signed elsewhere (the CA's plug-in, a remote-signing service) is refused, if it is.
"""

from __future__ import annotations

import datetime
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

# Ô 7c of NĐ 30 Phụ lục I: the signer's signature; ô 8: the organisation's (its seal).
SIGNER_FIELD = "ChuKyNguoiKy"
SEAL_FIELD = "DauCoQuan"
FIELDS = {SIGNER_FIELD: "signer", SEAL_FIELD: "seal"}
# The layout's anchor of the signer's space (reports/_document.html) and its size (document.html).
SIGNER_ANCHOR = "o-7c"
MM = 72 / 25.4
SEAL_SIZE = (34 * MM, 34 * MM)
CSS_PX = 0.75  # points per CSS pixel


class SigningError(Exception):
    """The key could not be read or the PDF not signed; the message says which (in Vietnamese)."""


# --- The reserved fields ---------------------------------------------------------------------------


def field_boxes(rendered) -> dict[str, tuple[int, tuple[float, float, float, float]]]:
    """Where the two fields go on a WeasyPrint document: {field: (page index, (x1, y1, x2, y2) in points)}."""
    for index, page in enumerate(rendered.pages):
        if SIGNER_ANCHOR in page.anchors:
            left, top, right, bottom = page.anchors[SIGNER_ANCHOR]  # the space's box, CSS px from the top
            height = page.height * CSS_PX
            x1, y2 = left * CSS_PX, height - top * CSS_PX
            width, tall = (right - left) * CSS_PX, (bottom - top) * CSS_PX
            signer = (x1, y2 - tall, x1 + width, y2)
            # The seal over the left third of the signature, centred on it in height.
            seal_w, seal_h = SEAL_SIZE
            middle = y2 - tall / 2
            seal_right = x1 + width / 3
            seal = (seal_right - seal_w / 2 - width / 6, middle - seal_h / 2, seal_right + seal_w / 2 - width / 6,
                    middle + seal_h / 2)  # fmt: skip
            return {SIGNER_FIELD: (index, signer), SEAL_FIELD: (index, seal)}
    return {}


def reserve_fields(data: bytes, boxes) -> bytes:
    """The PDF with the empty signature fields added (an incremental update, before it is frozen)."""
    if not boxes:
        return data
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    for name, (page, box) in boxes.items():
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(sig_field_name=name, on_page=page, box=tuple(round(value, 2) for value in box)),
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def reserved_fields(data: bytes) -> dict[str, tuple[int, tuple[float, float, float, float]]]:
    """The signature fields a PDF holds, filled or not: {name: (page index, box in points)}."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    pages = {}
    for index in range(int(reader.root["/Pages"]["/Count"])):
        page = reader.find_page_for_modification(index)[0]
        for annotation in page.get_object().get("/Annots", []) or []:
            pages[annotation.reference.idnum if hasattr(annotation, "reference") else annotation.idnum] = index
    found = {}
    for name, _value, ref in fields.enumerate_sig_fields(reader, filled_status=None):
        widget = ref.get_object()
        box = tuple(float(v) for v in widget.get("/Rect", [0, 0, 0, 0]))
        found[name] = (pages.get(ref.idnum, 0), box)
    return found


# --- Signing on the server -------------------------------------------------------------------------


def configured(role: str = "signer") -> dict | None:
    """The key the Sở configured for `role` ("signer" or "seal"), or None."""
    config = settings.KHUYENCONG_SIGNING.get(role) or {}
    if config.get("pkcs12") or config.get("pkcs11_module"):
        return config
    return None


def _signer(config: dict):
    if config.get("pkcs11_module"):
        try:
            from pyhanko.sign import pkcs11
        except ImportError as exc:  # python-pkcs11 is not installed
            raise SigningError(_("PKCS#11 signing needs the python-pkcs11 package on the server.")) from exc
        from pyhanko.config.pkcs11 import TokenCriteria

        try:
            session = pkcs11.open_pkcs11_session(
                config["pkcs11_module"],
                token_criteria=TokenCriteria(label=config.get("pkcs11_token") or None),
                user_pin=config.get("pkcs11_pin") or None,
            )
        except Exception as exc:  # the token's own errors: unplugged, wrong PIN, no such token
            logger.warning("PKCS#11 token: %s", exc)
            raise SigningError(
                _("The PKCS#11 token could not be used (not plugged in, wrong PIN, or no such token).")
            ) from exc
        label = config.get("pkcs11_key") or None
        return pkcs11.PKCS11Signer(session, key_label=label, cert_label=label), session
    passphrase = config.get("passphrase") or ""
    try:
        signer = signers.SimpleSigner.load_pkcs12(
            pfx_file=config["pkcs12"], passphrase=passphrase.encode() if passphrase else None
        )
    except (OSError, ValueError) as exc:
        logger.warning("PKCS#12 key: %s", exc)
        raise SigningError(_("The signing key could not be read (PKCS#12 file or passphrase).")) from exc
    if signer is None:
        raise SigningError(_("The signing key could not be read (PKCS#12 file or passphrase)."))
    return signer, None


def _stamp(config: dict, role: str, who: str):
    """The signature's appearance: the configured image (the signer's blue signature, the red seal), or
    the signer's name and the time written in the field (blue for the signer, red for the seal)."""
    from PIL import Image
    from pyhanko import stamp
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule

    image = Image.open(config["image"]) if config.get("image") else _text_image(role, who)
    return stamp.StaticStampStyle(
        background=PdfImage(image),
        background_opacity=1,
        border_width=0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID, margins=Margins.uniform(0)
        ),
    )


def _text_image(role: str, who: str):
    """The appearance written with the report's font (pyHanko's own text stamps have no Vietnamese
    letters), on a transparent ground: the signer's “Ký bởi: …, Thời gian ký: …” in blue; for the
    seal, a red ring around the organisation's name and the time, as a seal reads."""
    import textwrap

    from django.utils import timezone
    from PIL import Image, ImageDraw, ImageFont

    when = f"{timezone.localtime():%d/%m/%Y %H:%M}"
    path = str(settings.KHUYENCONG_REPORT_FONT_DIR / "LiberationSerif-Regular.ttf")
    if role == "seal":
        font = ImageFont.truetype(path, 30)
        image = Image.new("RGBA", (400, 400), (255, 255, 255, 0))
        draw = ImageDraw.Draw(image)
        red = (200, 20, 20, 255)
        draw.ellipse([6, 6, 394, 394], outline=red, width=8)
        draw.ellipse([30, 30, 370, 370], outline=red, width=3)
        lines = textwrap.wrap(who, 16)[:4] + [when]
        top = 200 - len(lines) * 20
        for number, line in enumerate(lines):
            draw.text((200, top + number * 40), line, font=font, fill=red, anchor="ma")
        return image
    font = ImageFont.truetype(path, 34)
    lines = [_("Signed by: %(signer)s") % {"signer": who}, _("Signed at: %(time)s") % {"time": when}]
    width = max(int(font.getlength(line)) for line in lines) + 24
    image = Image.new("RGBA", (max(width, 400), 110), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    blue = (20, 40, 170, 255)
    draw.rectangle([1, 1, image.width - 2, image.height - 2], outline=blue, width=2)
    for number, line in enumerate(lines):
        draw.text((12, 12 + number * 44), line, font=font, fill=blue)
    return image


def sign_pdf(data: bytes, *, pkcs12: str = "", passphrase: bytes | None = None, signer_name: str = "",
             location: str = "", field: str = SIGNER_FIELD, config: dict | None = None) -> bytes:  # fmt: skip
    """The PDF with a signature in `field` added as an incremental update over `data`.

    The key is `config` (as `settings.KHUYENCONG_SIGNING` holds it) or the PKCS#12 file given."""
    role = FIELDS.get(field, "signer")
    if config is None:
        config = {"pkcs12": pkcs12, "passphrase": passphrase.decode() if passphrase else ""}
    signer, session = _signer(config)
    who = signer_name or _who(signer.signing_cert)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        existing = {name for name, _value, _ref in fields.enumerate_sig_fields(writer.prev, filled_status=None)}
        meta = signers.PdfSignatureMetadata(
            field_name=field,
            name=signer_name or None,
            location=location or None,
            reason="Ký ban hành báo cáo" if role == "signer" else "Đóng dấu cơ quan",
        )
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer,
            stamp_style=_stamp(config, role, who) if field in existing else None,
            new_field_spec=None if field in existing else fields.SigFieldSpec(sig_field_name=field),
        )
        out = pdf_signer.sign_pdf(writer)
        return out.getvalue()
    except (PdfError, ValueError, KeyError) as exc:
        logger.warning("Signing failed: %s", exc)
        raise SigningError(_("The PDF could not be signed: it is not a report this server issued.")) from exc
    finally:
        if session is not None:
            session.close()


# --- Reading signatures back ---------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    field: str
    signer: str  # the certificate's subject, as people read it
    signed_at: datetime.datetime | None
    intact: bool  # the bytes it covers are unchanged
    valid: bool  # and its certificate chains to a trust root
    covers_issued: bool  # the revision it signs begins with the issued bytes
    trusted: bool = False
    changes_after: bool = False  # the file was changed after it beyond what signing may add

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "signer": self.signer,
            "signed_at": self.signed_at.isoformat() if self.signed_at else "",
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "covers_issued": self.covers_issued,
        }


def _who(certificate) -> str:
    """“Lê Văn Bình (Sở Công Thương Thanh Hóa)”: the certificate's common name and organisation."""
    subject = certificate.subject.native
    name, organisation = subject.get("common_name", ""), subject.get("organization_name", "")
    if isinstance(name, list):
        name = ", ".join(name)
    if isinstance(organisation, list):
        organisation = ", ".join(organisation)
    if not name:
        return certificate.subject.human_friendly
    return f"{name} ({organisation})" if organisation and organisation != name else name


def trust_roots() -> list:
    return [load_cert_from_pemder(path) for path in settings.KHUYENCONG_SIGNING_TRUST_ROOTS]


def signatures(data: bytes, *, trust_roots=(), issued: bytes | None = None) -> list[SignatureCheck]:
    """Every signature of the PDF, checked (trust roots: certificates or paths to PEM/DER files)."""
    from pyhanko.sign.diff_analysis import ModificationLevel

    roots = [load_cert_from_pemder(root) if isinstance(root, str) else root for root in trust_roots]
    context = ValidationContext(trust_roots=roots or None)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    found = []
    for embedded in reader.embedded_signatures:
        status = validate_pdf_signature(embedded, context)
        start, end = embedded.byte_range[0], embedded.byte_range[2] + embedded.byte_range[3]
        modified = status.modification_level is not None and status.modification_level > ModificationLevel.FORM_FILLING
        found.append(
            SignatureCheck(
                field=embedded.field_name,
                signer=_who(status.signing_cert),
                signed_at=embedded.self_reported_timestamp,
                intact=status.intact,
                valid=status.intact and status.valid and status.trusted and not modified,
                covers_issued=issued is not None
                and start == 0
                and end >= len(issued)
                and data[: len(issued)] == issued,
                trusted=status.trusted,
                changes_after=modified or status.docmdp_ok is False,
            )
        )
    return found


def check_signed(data: bytes, issued: bytes, *, roots=None) -> list[SignatureCheck]:
    """The signatures of a PDF signed outside the app, or SigningError naming the check that failed:
    a PDF, beginning byte for byte with the issued version (signed as an incremental update over
    it), at least one signature, each intact, over the issued bytes, chaining to a trust root when
    the Sở configured some, and nothing changed after signing but further signatures."""
    if not data.startswith(b"%PDF-"):
        raise SigningError(_("The file is not a PDF."))
    if len(data) <= len(issued) or data[: len(issued)] != issued:
        raise SigningError(
            _("The signed file does not begin with the issued version byte for byte: it was not signed as an "
              "incremental update of this report (another document, or the issued PDF was changed before signing).")
        )  # fmt: skip
    try:
        found = signatures(data, trust_roots=trust_roots() if roots is None else roots, issued=issued)
    except Exception as exc:  # pyHanko's parse and CMS errors: the file is not a readable signed PDF
        logger.info("Unreadable signed upload: %s", exc)
        raise SigningError(
            _("A signature of the file is broken, or the file is cut short: its signatures cannot be read.")
        ) from exc
    if not found:
        raise SigningError(_("The file holds no digital signature."))
    for check in found:
        if not check.intact:
            raise SigningError(
                _("The signature “%(field)s” of %(signer)s is broken: the bytes it covers were changed after signing.")
                % {"field": check.field, "signer": check.signer}
            )
        if not check.covers_issued:
            raise SigningError(
                _("The signature “%(field)s” of %(signer)s does not cover the issued version.")
                % {"field": check.field, "signer": check.signer}
            )
        if check.changes_after:
            raise SigningError(
                _("The file was changed after the signature “%(field)s” in ways signing does not allow.")
                % {"field": check.field}
            )
        if (roots or settings.KHUYENCONG_SIGNING_TRUST_ROOTS) and not check.trusted:
            raise SigningError(
                _("The certificate of %(signer)s does not chain to a trusted certification authority.")
                % {"signer": check.signer}
            )
    return found
