"""The stylesheet parses as its authors meant: one unclosed block swallows every rule after it
(a merge once left an @media block open and the header search lost its 44 px targets)."""

import re
from pathlib import Path

from django.conf import settings


def test_every_block_in_the_stylesheet_is_closed():
    text = Path(settings.BASE_DIR, "static", "css", "stream.css").read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    open_at: list[int] = []
    for number, line in enumerate(text.splitlines(), 1):
        for character in line:
            if character == "{":
                open_at.append(number)
            elif character == "}":
                assert open_at, f"stream.css:{number}: a '}}' closes nothing"
                open_at.pop()
    assert not open_at, f"stream.css: blocks opened on lines {open_at} are never closed"
