"""Text helpers for Vietnamese: accent-free search keys and Unicode normalisation."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Return the text in NFC form; spreadsheets and some keyboards send decomposed accents."""
    return unicodedata.normalize("NFC", value)


def search_key(*parts: object) -> str:
    """Return a lower-case, accent-free key for accent-insensitive search ("Quảng Nam" → "quang nam")."""
    text = " ".join(str(part) for part in parts if part not in (None, ""))
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


# Zero-width and invisible formatting characters that pasting from Word or the web brings along.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_INLINE_SPACES = re.compile(r"[^\S\n]+")


def normalise(value: str, *, multiline: bool = False) -> str:
    """Return text as stored: NFC, invisible characters removed, trimmed, inner spaces collapsed.

    Names and codes are compared in this form, so "Hợp  tác xã" typed with a double space, in
    decomposed accents or with a zero-width space is the same name.
    """
    text = nfc(value).translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    if multiline:
        lines = [_INLINE_SPACES.sub(" ", line).strip() for line in text.split("\n")]
        return "\n".join(lines).strip()
    return _SPACES.sub(" ", text).strip()
