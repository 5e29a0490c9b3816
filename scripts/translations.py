"""Refresh the message catalogues and fill Korean from JSON files of new translations.

Usage: .venv/bin/python scripts/translations.py [locale/new/*.json]

Each JSON file maps an English msgid to its Korean text (a list of one text for a plural
entry). Runs makemessages for ko and en, fills the Korean catalogue from every file given
(later files win), clears fuzzy marks on filled entries, compiles, and prints the msgids
that still have no Korean.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def manage(*args: str) -> None:
    env = {**os.environ, "DEBUG": "true"}
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main(paths: list[str]) -> int:
    known: dict[str, object] = {}
    for path in paths:
        known.update(json.loads(Path(path).read_text(encoding="utf-8")))
    manage("makemessages", "-l", "ko", "-l", "en", "--no-location", "--ignore=.venv/*",
           "--ignore=tests/*", "--ignore=bench/*", "--ignore=*/tests/*")
    po = polib.pofile(str(ROOT / "locale/ko/LC_MESSAGES/django.po"))
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        text = known.get(entry.msgid)
        filled = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
        if text is not None:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: text[0] if isinstance(text, list) else text}
            else:
                entry.msgstr = text
        elif not filled or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    po.save()
    manage("compilemessages", "--ignore=.venv")
    for msgid in missing:
        print("no Korean yet:", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
