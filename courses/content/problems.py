"""A problem found in a content file, the error that carries every problem of a load, and how a
message shows a value from a file."""

from __future__ import annotations

import builtins
import reprlib
from dataclasses import dataclass
from typing import Any

# A value quoted in a message is cut to this many characters: a file may hold a megabyte in one
# field, and the error about it should still fit on a line.
SHOWN_LENGTH = 80


class _ShortRepr(reprlib.Repr):
    """reprlib's repr, which stops early (a long list is never written out in full just to be
    cut), without its "..." in the middle of strings and numbers: they are cut at the end."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdict = 8
        self.maxlevel = 3
        self.maxother = SHOWN_LENGTH + 1

    def repr_str(self, x: str, level: int) -> str:
        return builtins.repr(x[: SHOWN_LENGTH + 1])

    def repr_int(self, x: int, level: int) -> str:
        return builtins.repr(x)  # may raise ValueError: see shown()


_short_repr = _ShortRepr()


def shortened(text: str, limit: int = SHOWN_LENGTH) -> str:
    """`text` cut to `limit` characters, ending with "…" when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: Any) -> str:
    """`value` as every message that quotes a value from a file shows it: its repr, at most
    SHOWN_LENGTH characters."""
    try:
        return shortened(_short_repr.repr(value))
    except ValueError:  # an int with more digits than Python will print
        return "a number too long to show"


class Shown:
    """A value for a message template with %(value)r or %(value)s (Django's validators), shown
    as `shown` shows it."""

    def __init__(self, value: Any):
        self.value = value

    def __repr__(self) -> str:
        return shown(self.value)

    def __str__(self) -> str:
        return shortened(self.value) if isinstance(self.value, str) else shown(self.value)


@dataclass(frozen=True)
class ContentProblem:
    path: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class ContentError(Exception):
    def __init__(self, errors: list[ContentProblem]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))
