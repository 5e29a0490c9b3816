"""The `!!! takeaways` and `!!! exercise` blocks of a lesson body (content/README.md).

One scan finds them, for the file parser (which lifts them out of the body into their own
fields) and for the admin form (where they belong in their own fields, not in the body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SPECIAL_BLOCKS = ("takeaways", "exercise")
SPECIAL_BLOCK_RE = re.compile(r'^!!!\s+(takeaways|exercise)\b(?:\s+"[^"]*")?\s*$')
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
    blocks: list[SpecialBlock] = []
    in_fence = False
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if FENCE_RE.match(line):
            in_fence = not in_fence
        match = None if in_fence else SPECIAL_BLOCK_RE.match(line)
        if not match:
            continue
        start = index - 1
        while index < len(lines) and (
            not lines[index].strip() or lines[index].startswith(("    ", "\t"))
        ):
            index += 1
        content = [unindent(line) for line in lines[start + 1 : index]]
        blocks.append(SpecialBlock(match.group(1), start, index, "\n".join(content).strip("\n")))
    return blocks


def unindent(line: str) -> str:
    """A line of a block's content as it is rendered, one level less indented."""
    return line.removeprefix("\t") if line.startswith("\t") else line[4:]
