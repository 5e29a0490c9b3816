"""Markdown to safe HTML: the one place where Stream renders and sanitises text.

Text is rendered once, when it is loaded or saved, and the sanitised HTML is stored; templates
print the stored HTML and never render markdown per request. Lessons (written by instructors)
get a generous allowlist; comments (written by anyone) get their own, much shorter one.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.codehilite import CodeHiliteExtension
from markdown.extensions.toc import TocExtension, slugify_unicode
from markdown.treeprocessors import Treeprocessor

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


def render_lesson_markdown(text: str) -> Rendered:
    """Render instructor-written markdown to sanitised HTML and a table of contents."""
    md = _lesson_markdown()
    raw = md.convert(text)
    return Rendered(html=sanitize_lesson_html(raw), toc=_flatten_toc(md.toc_tokens))


def sanitize_lesson_html(raw: str) -> str:
    return _lesson_cleaner.clean(raw)


# --- Comments ----------------------------------------------------------------------------------
# Anyone can write a comment, so the allowlist is short: text formatting, lists, quotes, code and
# plain links (no images, headings or raw HTML). Raw HTML is shown as typed, never interpreted.

COMMENT_TAGS = {"a", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "strong", "ul"}

_comment_cleaner = nh3.Cleaner(
    tags=COMMENT_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes={"a": {"href"}, "*": set()},  # no generic attributes (nh3 allows title, lang)
    link_rel="nofollow ugc noopener",
    url_schemes=URL_SCHEMES,
)


def _comment_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["fenced_code", "nl2br", "sane_lists"], output_format="html")
    # Without its HTML block and inline HTML processors, Python-Markdown escapes raw HTML.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def render_comment(text: str) -> str:
    """Render a learner's comment (a small markdown subset) to sanitised HTML."""
    return _comment_cleaner.clean(_comment_markdown().convert(text))
