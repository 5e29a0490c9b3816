"""Revisions compared as a reader sees them: the words of the rendered text, not markdown lines.

An instructor fixing a typo wants to see the word that changed, not two whole paragraphs of
markdown, one minus and one plus. Markdown is rendered (the lesson renderer, as the site does),
reduced to its text with paragraph breaks kept, and compared word by word.
"""

from __future__ import annotations

import difflib
import re
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lessons.markup import MarkdownNestingError, render_lesson_markdown

# Elements after which the text starts a new line, so that paragraphs stay apart in the diff.
_BLOCKS = {
    "p", "div", "li", "ul", "ol", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
    "tr", "table", "br", "hr", "dt", "dd", "details", "summary", "figure", "figcaption",
}  # fmt: skip
_TOKENS = re.compile(r"\n+|[^\S\n]+|[^\s]+")


class _TextOf(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_text(html: str) -> str:
    """The text of `html`, each block a paragraph of its own."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n\n".join(line for line in lines if line)


def markdown_text(markdown: str) -> str:
    """What a reader reads of `markdown`, as text; the markdown itself if it cannot render."""
    try:
        return html_text(render_lesson_markdown(markdown).html)
    except MarkdownNestingError:
        return markdown


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def word_diff(then: str, now: str) -> SafeString:
    """`then` against `now`, word by word: removed words in <del>, added words in <ins>, every
    piece of text escaped. Line breaks are kept; a changed word shows with the words around it."""
    old, new = _tokens(then), _tokens(now)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    # (changed?, old text, new text); a change, a lone space, a change read as one change.
    chunks: list[list] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        changed = op != "equal"
        if (
            changed
            and len(chunks) >= 2
            and chunks[-2][0]
            and not chunks[-1][0]
            and not chunks[-1][2].strip()
            and "\n" not in chunks[-1][2]
        ):
            space = chunks.pop()[2]
            chunks[-1][1] += space + removed
            chunks[-1][2] += space + added
            continue
        chunks.append([changed, removed, added])
    out: list[str] = []
    for changed, removed, added in chunks:
        if not changed:
            out.append(escape(added))
            continue
        if removed.strip():
            out.append(f'<del class="diff__removed">{escape(removed)}</del>')
        if added.strip():
            out.append(f'<ins class="diff__added">{escape(added)}</ins>')
        elif added:
            out.append(escape(added))
    return mark_safe(_changed_paragraphs("".join(out)))  # every piece went through escape()


def _changed_paragraphs(html: str) -> str:
    """Only the paragraphs with a change, an ellipsis standing for the unchanged ones between."""
    paragraphs: list[str] = []
    for part in html.split("\n\n"):
        # A change that spans paragraphs stays in one piece.
        if paragraphs and paragraphs[-1].count("<del") + paragraphs[-1].count("<ins") > (
            paragraphs[-1].count("</del>") + paragraphs[-1].count("</ins>")
        ):
            paragraphs[-1] += "\n\n" + part
        else:
            paragraphs.append(part)
    changed = [i for i, text in enumerate(paragraphs) if "<del" in text or "<ins" in text]
    if not changed:
        return html
    kept: list[str] = []
    previous = -1
    for index in changed:
        if index > previous + 1:
            kept.append(_ELIDED)
        kept.append(paragraphs[index])
        previous = index
    if previous < len(paragraphs) - 1:
        kept.append(_ELIDED)
    return "\n\n".join(kept)


_ELIDED = '<span class="diff__elided">…</span>'
