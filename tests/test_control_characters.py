"""The one rule about control characters in text people send (lessons.text): refused by the
validator every typed model field carries, stripped where refusing helps nobody."""

import pytest
from django.core.exceptions import ValidationError

from lessons.text import (
    CONTROL_CHARACTER_MESSAGE,
    control_character_in,
    strip_controls,
    validate_no_controls,
)

REFUSED = {
    "NUL": "\x00",
    "bell": "\x07",
    "vertical tab": "\x0b",
    "form feed": "\x0c",
    "escape": "\x1b",
    "file separator": "\x1c",
    "record separator": "\x1e",
    "unit separator": "\x1f",
    "DEL": "\x7f",
    "C1 padding": "\x80",
    "next line": "\x85",
    "C1 APC": "\x9f",
    "lone carriage return": "\r",
    "lone surrogate": "\ud800",
}

KEPT = {
    "tab": "a\tb",
    "newline": "a\nb",
    "CRLF line ending from a textarea": "line one\r\nline two\r\n",
    "no-break space": "a\u00a0b",
    "Korean": "민아",
    "emoji with zero-width joiner": "👩\u200d💻",
    "line separator": "a\u2028b",
}


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_control_characters_are_refused_naming_the_code_point(char):
    with pytest.raises(ValidationError) as caught:
        validate_no_controls(f"before{char}after")
    code_point = f"U+{ord(char):04X}"
    assert caught.value.messages == [str(CONTROL_CHARACTER_MESSAGE) % {"character": code_point}]
    assert code_point in caught.value.messages[0]
    assert caught.value.code == "control_character"


@pytest.mark.parametrize("text", KEPT.values(), ids=KEPT.keys())
def test_tab_newline_and_line_endings_are_text(text):
    validate_no_controls(text)
    assert control_character_in(text) is None
    assert strip_controls(text) == text


def test_the_first_control_character_is_the_one_named():
    assert control_character_in("ok\x1eand\x00") == "U+001E"


def test_strip_controls_removes_exactly_the_refused_characters():
    text = "".join(REFUSED.values()) + "Mina\t\n\r\n민아"
    assert strip_controls(text) == "Mina\t\n\r\n민아"
