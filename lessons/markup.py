"""Markdown to safe HTML: the one place where Stream renders and sanitises text.

Text is rendered once, when it is loaded or saved, and the sanitised HTML is stored; templates
print the stored HTML and never render markdown per request. Lessons (written by instructors)
get a generous allowlist; comments (written by anyone) get their own, much shorter one.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.codehilite import CodeHiliteExtension
from markdown.extensions.toc import TocExtension, slugify_unicode
from markdown.treeprocessors import Treeprocessor
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from lessons.text import strip_bidi_controls

URL_SCHEMES = {"http", "https", "mailto"}

LESSON_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li",
    "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
LESSON_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "code": {"class"},
    "div": {"class"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "img": {"src", "alt", "title", "width", "height"},
    "li": {"id"},
    "ol": {"start"},
    "p": {"class"},
    "pre": {"class"},
    "span": {"class"},
    "sup": {"id"},
    "td": {"style"},
    "th": {"style"},
}  # fmt: skip

# Script-like elements lose their content too, not only their tags.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}

_lesson_cleaner = nh3.Cleaner(
    tags=LESSON_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=LESSON_ATTRIBUTES,
    tag_attribute_values={"a": {"target": {"_blank"}}},
    link_rel="noopener noreferrer",
    url_schemes=URL_SCHEMES,
    filter_style_properties={"text-align"},
)


class _ExternalLinks(Treeprocessor):
    """Open links to other sites in a new tab (the sanitiser adds rel="noopener noreferrer")."""

    def run(self, root: Element) -> None:
        for link in root.iter("a"):
            if urlsplit(link.get("href", "")).scheme in {"http", "https"}:
                link.set("target", "_blank")


class ExternalLinksExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(_ExternalLinks(md), "external_links", 1)


@dataclass
class Rendered:
    html: str
    toc: list[dict] = field(default_factory=list)


def _lesson_markdown() -> markdown.Markdown:
    # A fresh instance per document: Markdown objects keep state and are not thread-safe.
    return markdown.Markdown(
        extensions=[
            "abbr",
            "admonition",
            "def_list",
            "fenced_code",
            "footnotes",
            "sane_lists",
            "tables",
            CodeHiliteExtension(css_class="highlight", guess_lang=False),
            TocExtension(slugify=slugify_unicode, toc_depth="2-3"),
            ExternalLinksExtension(),
        ],
        output_format="html",
    )


def _flatten_toc(tokens: list[dict]) -> list[dict]:
    entries: list[dict] = []
    for token in tokens:
        entries.append(
            {"level": token["level"], "id": token["id"], "title": html.unescape(token["name"])}
        )
        entries.extend(_flatten_toc(token["children"]))
    return entries


# Python-Markdown parses nested blocks (lists, admonitions, footnotes, indented blocks) by
# recursion, two to four Python frames a level, and walks the result recursively again: a few
# hundred levels exhaust the interpreter's stack (1,000 frames) and raise RecursionError, and
# "[" left open cost time that grows with the square of how many are open at once. No lesson
# needs more than a handful of levels; 100 leaves the renderer half its stack even when it is
# called from deep inside a request.
LESSON_MAX_NESTING = 100

# What opens one more level of blocks at the start of a line: a quote, a list item, an
# admonition, a definition, a footnote. (Four spaces of indentation open one too.)
_BLOCK_OPENER_RE = re.compile(
    r"(?:>|[*+-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)|!!!|:(?=[ \t])|\[\^[^\]]*\]:)[ \t]?"
)
_OPENER_FIRST_CHARACTERS = frozenset(" \t>*+-0123456789!:[")  # most lines are prose
_SPACES_RE = re.compile(r" *")
_BRACKET_RE = re.compile(r"\\.|[\[\]]")


class MarkdownNestingError(ValueError):
    """Markdown nested deeper than render_lesson_markdown takes.

    `what` ("blocks" or "brackets") nests `depth` levels deep on `deep_line`, from `line`
    (1-based lines of the text); all of them are None when only the renderer's RecursionError
    told.
    """

    def __init__(
        self,
        what: str | None = None,
        *,
        depth: int | None = None,
        line: int | None = None,
        deep_line: int | None = None,
    ):
        self.what, self.depth, self.line, self.deep_line = what, depth, line, deep_line
        super().__init__(self.message())

    def line_in_file(self, first_line: int) -> int | None:
        """The line the nesting starts on, in a file where the text starts on `first_line`."""
        return None if self.line is None else first_line + self.line - 1

    def message(self, first_line: int = 1) -> str:
        """What is wrong, naming lines of a file where the text starts on `first_line`."""
        if self.what is None:
            return (
                "nested too deeply for the renderer (quotes, lists, indented blocks, brackets "
                f"or emphasis); at most {LESSON_MAX_NESTING} levels are allowed"
            )
        where = "" if self.deep_line == self.line else f" by line {first_line + self.deep_line - 1}"
        if self.what == "brackets":
            return f"{self.depth} '[' open at once{where}; at most {LESSON_MAX_NESTING} are allowed"
        return (
            f"quotes, lists and indented blocks nested {self.depth} levels deep{where}; "
            f"at most {LESSON_MAX_NESTING} levels are allowed"
        )


def lesson_markdown_check(text: str) -> None:
    """Raise MarkdownNestingError when `text` nests deeper than LESSON_MAX_NESTING, naming the line
    where that nesting starts.

    A line-by-line estimate that never counts fewer levels than Python-Markdown opens: every
    four spaces of indentation and every quote, list, admonition, definition or footnote marker
    at the start of a line count one (so fenced code counts too, and a line of 101 spaced
    dashes, which Python-Markdown takes for a rule, is refused); and every "[" still open in a
    paragraph counts one.
    """
    nesting_start: int | None = None  # the first line of the nesting the line is in
    brackets = 0  # open in this paragraph
    brackets_start = brackets_deepest = 0
    brackets_too_deep: int | None = None  # the line where they went over the limit
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if brackets_too_deep is not None:
                break
            brackets = 0  # a blank line ends the paragraph, and its brackets
            continue
        depth = _block_depth(line) if line[0] in _OPENER_FIRST_CHARACTERS else 0
        if depth <= 1:
            nesting_start = None
        elif nesting_start is None:
            nesting_start = number
        if depth > LESSON_MAX_NESTING:
            raise MarkdownNestingError("blocks", depth=depth, line=nesting_start, deep_line=number)
        if "[" not in line and "]" not in line:
            continue
        for match in _BRACKET_RE.finditer(line):
            if match.group() == "[":
                if brackets == 0 and brackets_too_deep is None:
                    brackets_start = number
                brackets += 1
                brackets_deepest = max(brackets_deepest, brackets)
                if brackets > LESSON_MAX_NESTING and brackets_too_deep is None:
                    brackets_too_deep = number
            elif match.group() == "]":
                brackets = max(brackets - 1, 0)
    if brackets_too_deep is not None:
        raise MarkdownNestingError(
            "brackets", depth=brackets_deepest, line=brackets_start, deep_line=brackets_too_deep
        )


def _block_depth(line: str) -> int:
    """How many levels of blocks `line` is inside, at most."""
    line = line.expandtabs(4)
    depth = position = 0
    while True:
        spaces = _SPACES_RE.match(line, position).end() - position
        depth += spaces // 4
        position += spaces
        opener = _BLOCK_OPENER_RE.match(line, position)
        if opener is None:
            return depth
        depth += 1
        position = opener.end()


def render_lesson_markdown(text: str) -> Rendered:
    """Render instructor-written markdown to sanitised HTML and a table of contents.

    Raises MarkdownNestingError for markdown nested deeper than the renderer can take.
    """
    lesson_markdown_check(text)
    md = _lesson_markdown()
    try:
        raw = md.convert(text)
    except RecursionError:
        # What the check does not count (emphasis inside emphasis, hundreds deep) still ends
        # here, as a message rather than a traceback.
        raise MarkdownNestingError() from None
    return Rendered(html=sanitize_lesson_html(raw), toc=_flatten_toc(md.toc_tokens))


def sanitize_lesson_html(raw: str) -> str:
    return _lesson_cleaner.clean(raw)


# --- Comments ----------------------------------------------------------------------------------
# Anyone can write a comment, so the allowlist is short: text formatting, lists, quotes, code and
# plain links (no images, headings or raw HTML). Raw HTML is shown as typed, never interpreted.
#
# Comments are rendered by markdown-it-py (CommonMark), not Python-Markdown: its parser is linear
# on CommonMark's pathological inputs, where Python-Markdown takes seconds on 4,000 characters of
# "[" and overflows the stack on nested lists. Lessons, written by instructors, keep
# Python-Markdown and its extensions.

COMMENT_TAGS = {"a", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "strong", "ul"}

# Open blocks (a quote counts one, a list two: the list and its item) beyond which the rest of a
# comment is shown as plain paragraphs, markers and all: ten quotes, five lists, or one more
# level when a list opens across the line. Nobody needs more to discuss a lesson, and it keeps
# the HTML, the sanitiser and the browser's layout shallow.
COMMENT_MAX_BLOCK_DEPTH = 10
# Emphasis (em, strong) inside emphasis beyond which the markers are shown as typed. The inline
# parser pairs markers without nesting calls, so "a*a**a***…" would otherwise nest without end.
COMMENT_MAX_INLINE_DEPTH = 4
# markdown-it's own guard, for inline nesting (emphasis in links in …) and recursion. It drops
# blocks nested deeper than this outright, which _flatten_deep_blocks never lets happen.
COMMENT_MAX_NESTING = 20

_comment_cleaner = nh3.Cleaner(
    tags=COMMENT_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes={"a": {"href"}, "*": set()},  # no generic attributes (nh3 allows title, lang)
    link_rel="nofollow ugc noopener",
    url_schemes=URL_SCHEMES,
)


def _flatten_deep_blocks(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """At the depth limit, read every line up to the next blank one as a plain paragraph."""
    if silent or state.level < COMMENT_MAX_BLOCK_DEPTH:
        return False
    next_line = start_line + 1
    while next_line < end_line and not state.isEmpty(next_line):
        # A line less indented than this block belongs to the blocks around it.
        if 0 <= state.sCount[next_line] < state.blkIndent:
            break
        next_line += 1
    state.line = next_line
    state.push("paragraph_open", "p", 1).map = [start_line, next_line]
    inline = state.push("inline", "", 0)
    inline.content = state.getLines(start_line, next_line, state.blkIndent, False).strip()
    inline.map = [start_line, next_line]
    inline.children = []
    state.push("paragraph_close", "p", -1)
    return True


def _as_typed(token: Token) -> None:
    token.type, token.tag, token.nesting, token.content = "text", "", 0, token.markup


def _flatten_deep_emphasis(state: StateCore) -> None:
    """Beyond COMMENT_MAX_INLINE_DEPTH, show emphasis markers as text instead of nesting."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        opened: list[Token] = []
        depth = 0
        for token in block.children:
            if token.nesting == 1:
                if token.type in {"em_open", "strong_open"} and depth >= COMMENT_MAX_INLINE_DEPTH:
                    _as_typed(token)
                else:
                    depth += 1
                opened.append(token)
            elif token.nesting == -1 and opened:
                if opened.pop().type == "text":  # its opening marker was shown as typed
                    _as_typed(token)
                else:
                    depth -= 1


@cache
def _comment_markdown() -> MarkdownIt:
    # One parser for every comment, built once: markdown-it keeps each document's state in
    # objects of its own, so a configured MarkdownIt is safe to share between threads.
    md = MarkdownIt(
        "commonmark",
        {
            "html": False,  # raw HTML is escaped, shown as typed
            "linkify": False,  # only links written as links
            "typographer": False,
            "breaks": True,  # a new line is a line break, as learners expect from a text box
            "xhtmlOut": False,
            "maxNesting": COMMENT_MAX_NESTING,
        },
    )
    md.disable(["image", "heading", "lheading", "hr", "html_block", "html_inline"])
    md.block.ruler.before("table", "flatten_deep_blocks", _flatten_deep_blocks)
    md.core.ruler.after("inline", "flatten_deep_emphasis", _flatten_deep_emphasis)
    return md


def render_comment(text: str) -> str:
    """Render a learner's comment (a small markdown subset) to sanitised HTML."""
    html_out = _comment_cleaner.clean(_comment_markdown().render(text))
    # Entities such as &#x202E; would bring back the controls the comment form strips.
    return strip_bidi_controls(html_out).strip()


# --- Plain text, for search --------------------------------------------------------------------


# Where a block starts or ends, its words are apart from the next block's even with no space
# between the tags; inline tags (em, code, a) may sit inside a word.
_BLOCK_TAGS = frozenset(
    "p li ul ol dl dt dd h1 h2 h3 h4 h5 h6 div pre blockquote table tr td th br hr details "
    "summary figure figcaption".split()
)


class _TextOnly(HTMLParser):
    """Collects the text of sanitised HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(markup: str) -> str:
    """The text a reader sees in `markup` (rendered lesson HTML), on one line."""
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    return " ".join("".join(parser.parts).split())
