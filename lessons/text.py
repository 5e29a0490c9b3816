"""Rules about characters in what learners type: names and comments must show something, and
must not reorder the text around them.

Zero-width spaces, Hangul fillers or a braille blank look like nothing at all, so a name or a
comment made only of them is a blank that passes a "not empty" check. Bidirectional controls
(right-to-left override, isolates, marks) make the browser lay out the text after them backwards,
so a display name could turn the line it sits in, or a comment, into something else. Text in
right-to-left scripts needs none of them: the browser orders Arabic or Hebrew letters by itself.
"""

from __future__ import annotations

import unicodedata

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
