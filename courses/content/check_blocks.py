"""The `!!! check` blocks of a lesson body: knowledge checks (content/README.md).

```
!!! check "Which of these is likely to still be true in two years?"
    - [ ] The name of the model at the top of today's leaderboard
      > Leaderboards reshuffle every few weeks.
    - [x] How to compare two models fairly on your own prompts
```

A check stays where it is written in the lesson's markdown (so the body, in a file or in the admin
form, says where each check goes), and is read from it whenever the lesson is checked or saved:
by the file parser (problems as `file:line`), the admin form (the body field's errors, `line N`)
and Lesson.save() (which keeps the lesson's Check rows in step). All three say the same words.

In the rendered body each check leaves an empty marker element, CHECK_MARKER, put in after
sanitising (the lesson allowlist keeps no `data-` attribute, so no text an instructor writes can
forge one); the lesson page puts the reader's part of the page there (lessons.slots).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from courses.content.blocks import FENCE_RE, top_level_blocks, unindent
from courses.content.problems import shortened
from lessons.markup import Rendered, render_lesson_markdown
from lessons.text import validate_no_controls

CHECK_OPENER_RE = re.compile(r"^!!!\s*check(?=\s|$)(.*)$")
_ANY_CHECK_OPENER_RE = re.compile(r"^\s*!!!\s*check(?=\s|$)")
_ANY_FENCE_RE = re.compile(r"^\s*(```|~~~)")
NOT_AT_TOP_LEVEL = (
    "a '!!! check' block must be at the top level of the lesson body, not indented inside a "
    "list or another block (to show the syntax, put it in a fenced code block)"
)
_QUESTION_RE = re.compile(r'^\s+"(.*)"\s*$')
_OPTION_LIKE_RE = re.compile(r"^[-*+](?:\s|$)")
_OPTION_RE = re.compile(r"^[-*+]\s+\[( |x|X)\](?:\s+(.*?))?\s*$")
_EXPLANATION_RE = re.compile(r"^(\s*)>[ \t]?(.*?)\s*$")

MIN_OPTIONS = 2
MAX_OPTIONS = 8
QUESTION_MAX_LENGTH = 300
FINGERPRINT_LENGTH = 16

CHECK_MARKER = '<div class="check-slot" data-check="{number}"></div>'
CHECK_MARKER_RE = re.compile(r'<div class="check-slot" data-check="(\d+)"></div>')


@dataclass(frozen=True)
class CheckOption:
    text: str
    correct: bool
    explanation: str = ""

    def as_data(self) -> dict[str, Any]:
        return {"text": self.text, "correct": self.correct, "explanation": self.explanation}


@dataclass(frozen=True)
class CheckBlock:
    """One `!!! check` block as written: lines[start:end] of the markdown it was found in."""

    number: int  # 1, 2, … in the order of the body
    question: str
    options: tuple[CheckOption, ...]
    start: int
    end: int

    @property
    def multiple(self) -> bool:
        """Several correct options: "choose all that apply"."""
        return sum(option.correct for option in self.options) > 1

    @property
    def fingerprint(self) -> str:
        return check_fingerprint(self.question, [option.as_data() for option in self.options])

    def row_values(self) -> dict[str, Any]:
        """The fields of its Check row."""
        return {
            "question": self.question,
            "multiple": self.multiple,
            "options": [option.as_data() for option in self.options],
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class CheckProblem:
    line: int  # index of the offending line in the markdown
    message: str

    def in_text(self) -> str:
        """As a form shows it, naming the line of the field's text."""
        return f"line {self.line + 1}: {self.message}"


class CheckBlockError(ValueError):
    """Markdown whose `!!! check` blocks have problems (raised when it is rendered)."""

    def __init__(self, problems: list[CheckProblem]):
        self.problems = problems
        super().__init__("; ".join(problem.in_text() for problem in problems))


def check_fingerprint(question: str, options: list[dict[str, Any]]) -> str:
    """A short hash of what a check asks and which answers are right (not of its explanations):
    it changes exactly when the check's meaning may have changed."""
    meaning = [question, [[option["text"], bool(option["correct"])] for option in options]]
    encoded = json.dumps(meaning, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:FINGERPRINT_LENGTH]


def check_blocks_in(markdown: str) -> tuple[list[CheckBlock], list[CheckProblem]]:
    """The checks at the top level of `markdown` (LF line endings; not in fenced code, not
    indented), and every problem they have. A block with problems is not in the list."""
    lines = markdown.split("\n")
    checks: list[CheckBlock] = []
    problems: list[CheckProblem] = []
    in_checks: set[int] = set()
    for number, (match, start, end) in enumerate(top_level_blocks(lines, CHECK_OPENER_RE), start=1):
        in_checks.update(range(start, end))
        reader = _CheckReader(number, match.group(1), start)
        for index in range(start + 1, end):
            reader.line(index, unindent(lines[index]))
        check = reader.finish(end)
        problems.extend(reader.problems)
        if check is not None:
            checks.append(check)
    # Anywhere else, Python-Markdown would render a check as a plain callout, its right answers
    # for everyone to read.
    problems.extend(
        CheckProblem(index, NOT_AT_TOP_LEVEL)
        for index in check_openers_in(lines)
        if index not in in_checks
    )
    problems.sort(key=lambda problem: problem.line)
    return checks, problems


def check_openers_in(lines: list[str]) -> list[int]:
    """The indexes of the lines that open a check at any depth, outside fenced code (indented
    fences too: a fence inside a list or a block shows code as well)."""
    found = []
    fence = None  # "top" in a fence at the start of a line, "indented" in an indented one
    for index, line in enumerate(lines):
        if FENCE_RE.match(line) and fence != "indented":
            fence = None if fence else "top"
        elif _ANY_FENCE_RE.match(line) and fence != "top":
            fence = None if fence else "indented"
        elif fence is None and _ANY_CHECK_OPENER_RE.match(line):
            found.append(index)
    return found


@dataclass
class _CheckReader:
    """Reads one check block line by line, noting each problem on the line that has it."""

    number: int
    header: str  # what follows `!!! check` on its line
    start: int
    question: str = ""
    options: list[dict[str, Any]] = field(default_factory=list)
    explaining: bool = False  # the last line was an option or its explanation
    problems: list[CheckProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        found = _QUESTION_RE.match(self.header)
        self.question = found.group(1).strip() if found else ""
        if not self.question:
            self.problem(
                self.start,
                "has no question: write it in quotes after '!!! check', "
                'like !!! check "Which of these …?"',
            )
        elif len(self.question) > QUESTION_MAX_LENGTH:
            self.problem(
                self.start,
                f"the question is {len(self.question)} characters long; "
                f"the limit is {QUESTION_MAX_LENGTH}",
            )

    @property
    def name(self) -> str:
        """How a message names the check: its number, and its question when it has one."""
        if self.question:
            return f"check {self.number} “{shortened(self.question, 60)}”"
        return f"check {self.number}"

    def problem(self, index: int, message: str) -> None:
        self.problems.append(CheckProblem(index, message))

    def line(self, index: int, line: str) -> None:
        if not line.strip():
            return
        if option := _OPTION_RE.match(line):
            text = (option.group(2) or "").strip()
            if not text:
                self.problem(
                    index,
                    f"option {len(self.options) + 1} has no text: "
                    "write it after '- [ ]' or '- [x]'",
                )
            self.options.append(
                {"text": text, "correct": option.group(1) != " ", "explanation": ""}
            )
            self.explaining = True
            return
        if _OPTION_LIKE_RE.match(line):
            self.problem(
                index,
                "an option is written '- [ ] text', or '- [x] text' for a correct one",
            )
            self.explaining = False
            return
        explanation = _EXPLANATION_RE.match(line)
        if explanation and explanation.group(1) and self.explaining:
            option = self.options[-1]
            text = explanation.group(2)
            option["explanation"] = (
                f"{option['explanation']}\n{text}" if option["explanation"] else text
            )
            return
        if explanation:
            self.problem(index, "an explanation ('> …') must be indented under its option")
            return
        self.problem(
            index,
            "a check holds only options ('- [ ] text' or '- [x] text'), each with an "
            "optional explanation indented under it ('  > why')",
        )
        self.explaining = False

    def finish(self, end: int) -> CheckBlock | None:
        count = len(self.options)
        if count < MIN_OPTIONS:
            self.problem(
                self.start,
                f"has {count} option{'' if count == 1 else 's'}; a check needs at least "
                f"{MIN_OPTIONS} ('- [ ] text' or '- [x] text', indented under '!!! check')",
            )
        elif count > MAX_OPTIONS:
            self.problem(self.start, f"has {count} options; a check has at most {MAX_OPTIONS}")
        if count and not any(option["correct"] for option in self.options):
            self.problem(self.start, "no option is marked correct: mark the right one(s) '- [x]'")
        # Named here, once the question is known (every message of a block names it alike).
        self.problems = [
            CheckProblem(problem.line, f"{self.name}: {problem.message}")
            for problem in self.problems
        ]
        if self.problems:
            return None
        options = tuple(
            CheckOption(option["text"], option["correct"], option["explanation"].strip("\n"))
            for option in self.options
        )
        return CheckBlock(self.number, self.question, options, self.start, end)


def validate_check_blocks(markdown: str) -> None:
    """A lesson body's validator: its checks, in the loader's words, each naming its line."""
    _checks, problems = check_blocks_in(markdown)
    if problems:
        raise ValidationError([problem.in_text() for problem in problems], code="check")


def validate_no_check_blocks(markdown: str) -> None:
    """The validator of a lesson's other markdown (takeaways, exercise, answer): checks go in
    the body."""
    problems = [
        CheckProblem(index, NOT_AT_TOP_LEVEL) for index in check_openers_in(markdown.split("\n"))
    ]
    if problems:
        raise ValidationError([problem.in_text() for problem in problems], code="check")


def validate_check_options(value: Any) -> None:
    """A Check's options as Lesson.save() writes them (a row written some other way is held to
    the same shape): 2 to 8 options, each with its text, whether it is correct and an
    explanation (may be empty), at least one correct, and no control character anywhere."""
    shape = (
        isinstance(value, list)
        and MIN_OPTIONS <= len(value) <= MAX_OPTIONS
        and all(
            isinstance(option, dict)
            and set(option) == {"text", "correct", "explanation"}
            and isinstance(option["text"], str)
            and option["text"].strip()
            and isinstance(option["correct"], bool)
            and isinstance(option["explanation"], str)
            for option in value
        )
    )
    if not shape:
        raise ValidationError(
            f"must be a list of {MIN_OPTIONS} to {MAX_OPTIONS} options, each "
            '{"text": …, "correct": true or false, "explanation": …}',
            code="check_options",
        )
    if not any(option["correct"] for option in value):
        raise ValidationError("no option is marked correct", code="no_correct_option")
    for option in value:
        validate_no_controls(option["text"])
        validate_no_controls(option["explanation"])


def render_lesson_body(markdown: str) -> tuple[Rendered, list[CheckBlock]]:
    """A lesson body rendered (lessons.markup) with each check replaced by its marker, and the
    checks. Raises CheckBlockError for checks with problems, and MarkdownNestingError.

    Each check's lines become a paragraph holding a random word, blank lines around it, so that
    the renderer sees a line for every line of the text (its nesting errors name the right ones);
    after sanitising, that paragraph becomes the marker.
    """
    checks, problems = check_blocks_in(markdown)
    if problems:
        raise CheckBlockError(problems)
    if not checks:
        return render_lesson_markdown(markdown), []
    lines = markdown.split("\n")
    word = f"streamcheck{secrets.token_hex(8)}n"
    for check in checks:
        # A valid check has at least three lines: its `!!!` line and two options.
        lines[check.start : check.end] = ["", f"{word}{check.number}"] + [""] * (
            check.end - check.start - 2
        )
    rendered = render_lesson_markdown("\n".join(lines))
    html = rendered.html
    lost = []
    # Highest numbers first, so that the word for check 1 is never taken for the start of 10's.
    for check in sorted(checks, key=lambda check: -check.number):
        marker = CHECK_MARKER.format(number=check.number)
        placeholder = f"{word}{check.number}"
        if f"<p>{placeholder}</p>" in html:
            html = html.replace(f"<p>{placeholder}</p>", marker)
        elif placeholder in html:  # inside a block of the author's raw HTML
            html = html.replace(placeholder, marker)
        else:  # dropped with the raw HTML around it: the check still gets a place, at the end
            lost.insert(0, marker)
    rendered.html = html + "".join(lost)
    return rendered, checks


def body_pieces(body_html: str) -> list[tuple[str, int | None]]:
    """`body_html` cut at its check markers: (html, number of the check after it, or None)."""
    parts = CHECK_MARKER_RE.split(body_html)
    pieces: list[tuple[str, int | None]] = []
    for index in range(0, len(parts), 2):
        number = int(parts[index + 1]) if index + 1 < len(parts) else None
        pieces.append((parts[index], number))
    return pieces
