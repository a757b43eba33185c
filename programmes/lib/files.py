"""Check an uploaded attachment by its name and by its content (its first bytes, its zip entries).

Only what a Sở files as records: PDF, images, Word, Excel and OpenDocument. The content must be
what the name says: a renamed program (.exe called .pdf) is refused.
"""

from __future__ import annotations

import zipfile

from django.utils.translation import gettext as _

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003 and Excel 97–2003
_ZIP = b"PK\x03\x04"

# Extension → the check its content must pass.
_SIGNATURES = {
    "pdf": lambda head: head.startswith(b"%PDF-"),
    "png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "jpg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "gif": lambda head: head[:6] in (b"GIF87a", b"GIF89a"),
    "tif": lambda head: head[:4] in (b"II*\x00", b"MM\x00*"),
    "tiff": lambda head: head[:4] in (b"II*\x00", b"MM\x00*"),
    "webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    "doc": lambda head: head.startswith(_OLE),
    "xls": lambda head: head.startswith(_OLE),
}
# Office Open XML and OpenDocument files are zip archives with a known entry.
_OOXML = {"docx": "word/", "xlsx": "xl/"}
_ODF = {"odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet"}
ALLOWED_EXTENSIONS = sorted([*_SIGNATURES, *_OOXML, *_ODF])


def _zip_kind_ok(upload, extension: str) -> bool:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if extension in _OOXML:
                return "[Content_Types].xml" in names and any(n.startswith(_OOXML[extension]) for n in names)
            if "mimetype" not in names or archive.getinfo("mimetype").file_size > 100:
                return False
            return archive.read("mimetype").decode("ascii", "replace").strip() == _ODF[extension]
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return False
    finally:
        upload.seek(0)


def attachment_errors(upload, max_bytes: int) -> list[str]:
    """Return why the uploaded file may not be kept as an attachment; [] when it may."""
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_EXTENSIONS:
        return [
            _("Attach a PDF, an image, or a Word, Excel or OpenDocument file (%(allowed)s).")
            % {"allowed": ", ".join(ALLOWED_EXTENSIONS)}
        ]
    size = getattr(upload, "size", None) or 0
    if size > max_bytes:
        return [
            _("The file is %(size)s MB; attachments may be at most %(limit)s MB.")
            % {"size": f"{size / 1_048_576:.1f}".replace(".", ","), "limit": max_bytes // 1_048_576}
        ]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if extension in _SIGNATURES:
        ok = _SIGNATURES[extension](head)
    else:
        ok = head.startswith(_ZIP) and _zip_kind_ok(upload, extension)
    if not ok:
        return [_("The content of the file is not a .%(extension)s file.") % {"extension": extension}]
    return []
