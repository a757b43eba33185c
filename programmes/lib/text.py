"""Text helpers for Vietnamese: accent-free search keys, Unicode normalisation, and the one text rule.

The rule every name, number and free-text field follows, in forms, imports and the API alike
(`RegisterModel.clean_fields` applies it to every text field of the register; other forms call
`text_problem` through `validate_text`):

1. stored NFC, trimmed, inner spaces collapsed, zero-width characters that pasting brings along
   removed (`normalise`);
2. refused when it holds a control or formatting character that changes what a reader sees —
   bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), a byte
   order mark, C0/C1 controls, private-use, surrogate or unassigned code points;
3. in a single-line field (names, codes, numbers: what must match), refused when it holds a
   compatibility lookalike — a character whose NFKC form differs, such as fraktur 𝔅, fullwidth
   Ｂ or the ligature ﬁ — except the few that Vietnamese text uses as themselves (m², m³, …).
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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


def file_slug(text: str) -> str:
    """Return a download's name part: Vietnamese without accents, Đ as D ("Thành phố Đà Nẵng" →
    "thanh-pho-da-nang"; Django's slugify alone drops the Đ, which has no decomposition)."""
    from django.utils.text import slugify

    return slugify(search_key(text))


# Zero-width and invisible formatting characters that pasting from Word or the web brings along.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\u00ad"), None)
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


_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})
# Compatibility characters Vietnamese documents use as themselves: "nhà xưởng 500 m²", "…".
_COMPAT_ALLOWED = frozenset("²³½¼¾…")


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Return why the (normalised) text is refused, in Vietnamese; None when it is fine."""
    for char in value:
        if char == "\n" and multiline:
            continue
        if char in _BIDI:
            return _(
                "The text holds a character that reverses or isolates the direction of writing (%(code)s): "
                "it can make the text read differently from what is stored. Type the text again."
            ) % {"code": _code_point(char)}
        if char == "\ufeff":
            return _("The text holds an invisible byte order mark (U+FEFF). Type the text again.")
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return _("The text holds an invisible control character (%(code)s). Type the text again.") % {
                "code": _code_point(char)
            }
    if multiline:
        return None
    for char in value:
        if char in _COMPAT_ALLOWED or char.isascii():
            continue
        plain = unicodedata.normalize("NFKC", char)
        if plain != char:
            return _(
                "“%(char)s” (%(code)s) only looks like “%(plain)s”: names, codes and numbers must be typed "
                "with ordinary letters and digits."
            ) % {"char": char, "code": _code_point(char), "plain": plain}
    return None


def validate_text(value: str, *, multiline: bool = False) -> None:
    """Raise ValidationError when the text rule refuses `value` (for forms outside the register's models)."""
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ValidationError(problem, code="text_refused")
