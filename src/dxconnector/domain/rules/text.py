"""Text as Xero counts and keeps it: UTF-16 lengths, cuts that never split a character, single-line fields, and the
characters Xero can't store."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from dxconnector.domain.rules.reasons import Reason, Why


def utf16_length(text: str) -> int:
    """Xero runs on .NET, which counts UTF-16 code units; an emoji counts two."""
    return len(text.encode("utf-16-le")) // 2


def cut_text(text: str, limit: int) -> str:
    """At most `limit` characters by Xero's count, never splitting a character from its accents."""
    text = unicodedata.normalize("NFC", text)
    if utf16_length(text) <= limit:
        return text
    end, used = 0, 0
    for end, char in enumerate(text):  # noqa: B007 — where the limit was passed is read after the loop
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            break
    while end > 0 and unicodedata.combining(text[end]):
        end -= 1  # the accent would be cut off its letter: drop the letter too
    return text[:end].rstrip()


def one_line(text: str | None) -> str:
    """A single-line field as Xero keeps it: canonical Unicode (NFC), runs of white space (line breaks too) as
    one space, none at either end. Names are matched by this form, so what we send is what we look for."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


# What Xero can't keep: it serves every record as XML too, and XML 1.0 has no place for control characters other
# than tab and line breaks, for unpaired surrogates, or for U+FFFE and U+FFFF.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def unstorable(text: str | None) -> bool:
    return text is not None and UNSTORABLE.search(text) is not None


def text_problem(text: str | None, what: str) -> Reason | None:
    """A field Xero could not keep exactly is held back rather than sent changed."""
    return unstorable_text(what) if unstorable(text) else None


def unstorable_text(what: str) -> Reason:
    return Reason(Why.TEXT_XERO_CANNOT_STORE, f"{what} contains a control character Xero can't store: remove it.")


def plain(number: Decimal) -> str:
    return format(number.normalize(), "f")
