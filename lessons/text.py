"""Rules about characters in what learners type: names and comments must show something, and
must not reorder the text around them.

Zero-width spaces, Hangul fillers or a braille blank look like nothing at all, so a name or a
comment made only of them is a blank that passes a "not empty" check. Bidirectional controls
(right-to-left override, isolates, marks) make the browser lay out the text after them backwards,
so a display name could turn the line it sits in, or a comment, into something else. Text in
right-to-left scripts needs none of them: the browser orders Arabic or Hebrew letters by itself.

Control characters are refused wherever text comes in (see validate_no_controls).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the marks
# (U+200E, U+200F, U+061C): they change the order text is shown in, and show nothing themselves.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_WITHOUT_BIDI = str.maketrans(dict.fromkeys(BIDI_CONTROLS))

# Letters and symbols by their Unicode category that fonts draw as empty space: the Hangul
# fillers (U+3164, U+115F, U+1160, U+FFA0) and the blank braille pattern (U+2800).
BLANK_LETTERS = frozenset("\u3164\u115f\u1160\uffa0\u2800")

# What a reader can see: letters, marks on them aside, numbers, punctuation and symbols
# (emoji are symbols). Spaces (Z*), controls and format characters such as zero-width spaces
# and joiners (C*), and combining marks on their own (M*) draw nothing.
_VISIBLE_CATEGORIES = ("L", "N", "P", "S")


def strip_bidi_controls(text: str) -> str:
    """`text` without bidirectional controls (see BIDI_CONTROLS)."""
    return text.translate(_WITHOUT_BIDI)


def is_visible(char: str) -> bool:
    """Whether a single character draws something a reader can see."""
    return char not in BLANK_LETTERS and unicodedata.category(char).startswith(_VISIBLE_CATEGORIES)


def has_visible_text(text: str) -> bool:
    """Whether `text` shows at least one character, rather than only spaces or invisibles."""
    return any(is_visible(char) for char in text)


# Control characters (the C0 set U+0000–U+001F, DEL and the C1 set U+0080–U+009F) are not text:
# nobody types them, they come from pasted binary or terminal output. PostgreSQL cannot store
# U+0000 at all (the query fails, and the reader gets a 500), and Python takes some of the others
# for spaces or line ends (str.split and str.splitlines split at U+001C–U+001E and U+0085), so
# they would quietly change how text is cut into words or lines. Tab and newline are text. A
# carriage return is accepted only before a newline: browsers send every textarea's line endings
# as CRLF, and the places that keep lines (markdown, the loader) normalise them to LF. Lone
# surrogates (U+D800–U+DFFF) only arrive through JSON escapes and cannot be encoded as UTF-8, so
# they would fail the same way.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]|\r(?!\n)")

CONTROL_CHARACTER_MESSAGE = _(
    "This text contains an invisible control character (%(character)s): please remove it."
)


def control_character_in(text: str) -> str | None:
    """The first character of `text` that text may not hold (see _CONTROL), written as
    "U+001E", or None when there is none."""
    found = _CONTROL.search(text)
    return f"U+{ord(found.group()[0]):04X}" if found else None


def strip_controls(text: str) -> str:
    """`text` without the characters validate_no_controls refuses, for input where refusing
    would help nobody (a search query)."""
    return _CONTROL.sub("", text)


def validate_no_controls(value: str) -> None:
    """Refuse text holding a control character (see _CONTROL): the validator of every model
    field people type into, so forms, the admin and the content loader say the same."""
    if character := control_character_in(value):
        raise ValidationError(
            CONTROL_CHARACTER_MESSAGE, code="control_character", params={"character": character}
        )
