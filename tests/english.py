"""Finds English left in what a page shows or says to a screen reader (tests/test_browser_language.py).

A page's visible text, and its aria-label, title, alt, placeholder and button texts, are cut into runs of
words without Vietnamese letters; a run is English when it holds a word of the list below (the words
Django, its admin and the libraries we use print) or is three or more plain lower-case words long, which
Vietnamese text, with its tone marks, almost never is. Proper names and codes are allowed by name.
"""

from __future__ import annotations

import re

# Words of Django's admin, auth, forms and the libraries we use, which no Vietnamese text holds.
ENGLISH_WORDS = frozenset(
    """
    about account action actions active add added address admin administration advanced all another any are
    back before below breadcrumbs by calendar cancel change changed changes choose clear click clock close
    confirm content continue count counts create csrf current date dates days delete deleted details
    documentation download edit editing enter error errors export failed false field fields file
    filter filters first for forbidden form from group groups has have help hide history home import
    important info information invalid item items joined last later list log login logout main midnight more
    name new next noon none not nothing now number object objects only or page password passwords permission
    permissions personal please previous raw records remove request required reset results run save saved
    search see select selected set show site skip sort sorting staff status stored submit superuser that the
    theme this time today toggle token true unknown upload user username users valid value verification view
    was welcome what when which whole with yes you your
    """.split()  # noqa: SIM905 (a word list reads better as words)
)

# Names and codes that are not English sentences even when written in Latin letters only.
ALLOWED = frozenset(
    """
    excel csv pdf xlsx html json api url id otp totp qr email pkcs pades http https www sms ok django
    playwright redis postgresql sqlite libreoffice pyhanko weasyprint
    """.split()  # noqa: SIM905 (a word list reads better as words)
)

VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)
# A code joined by underscores ("province_staff") is one token, and not a word.
TOKEN = re.compile(r"\w+(?:_\w+)+|[^\W\d_]+(?:['’][^\W\d_]+)?|\S")


def english_runs(text: str) -> list[str]:
    """The runs of English words in `text`, as they appear."""
    found = []
    for line in text.splitlines():
        run: list[str] = []
        for token in TOKEN.findall(line) + [""]:
            plain = token.isalpha() and token.isascii()
            if plain and token.lower() not in ALLOWED and not VIETNAMESE.search(token):
                run.append(token)
                continue
            if run and _is_english(run):
                found.append(" ".join(run))
            run = []
    return found


def _is_english(run: list[str]) -> bool:
    words = [word.lower() for word in run]
    if any(word in ENGLISH_WORDS and len(word) > 2 for word in words):
        return True
    plain = [word for word, raw in zip(words, run, strict=True) if raw.islower() and len(word) > 1]
    return len(plain) >= 3
