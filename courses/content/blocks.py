"""The `!!! takeaways`, `!!! exercise` and `!!! answer` blocks of a lesson body (content/README.md).

One scan finds them, for the file parser (which lifts them out of the body into their own
fields) and for the admin form (where they belong in their own fields, not in the body). The
same scan finds the `!!! check` blocks (courses.content.check_blocks), which stay in the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# In the order a lesson file ends with them; the answer (optional) comes right after the exercise.
SPECIAL_BLOCKS = ("takeaways", "exercise", "answer")
REQUIRED_BLOCKS = ("takeaways", "exercise")
SPECIAL_BLOCK_RE = re.compile(r'^!!!\s+(takeaways|exercise|answer)\b(?:\s+"[^"]*")?\s*$')
FENCE_RE = re.compile(r"^(```|~~~)")


@dataclass(frozen=True)
class SpecialBlock:
    name: str
    start: int  # index of its `!!! name` line
    end: int  # index of the first line after it
    text: str  # its content, no longer indented


def special_blocks_in(markdown: str) -> list[SpecialBlock]:
    """The special blocks at the top level of `markdown` (LF line endings): not in a fenced code
    block, and not indented (inside a list or another block). A block runs on over its indented
    and blank lines."""
    lines = markdown.split("\n")
    return [
        SpecialBlock(
            match.group(1),
            start,
            end,
            "\n".join(unindent(line) for line in lines[start + 1 : end]).strip("\n"),
        )
        for match, start, end in top_level_blocks(lines, SPECIAL_BLOCK_RE)
    ]


def top_level_blocks(lines: list[str], opener: re.Pattern) -> Iterator[tuple[re.Match, int, int]]:
    """(match, start, end) for each top-level line matching `opener` (outside fenced code, not
    indented), with the indented and blank lines after it: lines[start:end] is the block."""
    in_fence = False
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if FENCE_RE.match(line):
            in_fence = not in_fence
        match = None if in_fence else opener.match(line)
        if not match:
            continue
        start = index - 1
        while index < len(lines) and (
            not lines[index].strip() or lines[index].startswith(("    ", "\t"))
        ):
            index += 1
        yield match, start, index


def unindent(line: str) -> str:
    """A line of a block's content as it is rendered, one level less indented."""
    return line.removeprefix("\t") if line.startswith("\t") else line[4:]
