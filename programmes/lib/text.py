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
