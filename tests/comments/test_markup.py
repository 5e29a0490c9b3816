import html as html_module
import re
import sys
from html.parser import HTMLParser

import pytest

from lessons.markup import (
    COMMENT_MAX_BLOCK_DEPTH,
    COMMENT_MAX_INLINE_DEPTH,
    COMMENT_TAGS,
    render_comment,
)


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "hi <script>document.cookie</script> there",
        '<img src=x onerror="alert(1)">',
        '<a href="https://ok.example" onclick="alert(1)">x</a>',
        '<p onmouseover="alert(1)">hover</p>',
        "<div><b>unclosed <i>tags",
        '<svg onload="alert(1)">',
        "<iframe src='https://evil.example'></iframe>",
    ],
)
def test_raw_html_is_shown_as_text_never_as_markup(text):
    html = render_comment(text)
    assert "<script" not in html
    assert "<img" not in html and "<svg" not in html and "<iframe" not in html
    assert "<div" not in html and "<b>" not in html
    # Whatever the learner typed stays readable, escaped.
    assert "&lt;" in html


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](java&#x73;cript:alert(1))",
        "[click]: javascript:alert(1)\n\n[click]",
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_link_targets_are_dropped(text):
    html = render_comment(text)
    # CommonMark does not make a link of these at all: the text stays, as typed.
    assert "<a" not in html and "href" not in html
    assert "click" in html or "alert(1)" in html


def test_links_are_marked_as_user_content():
    html = render_comment("See [the docs](https://docs.example/) or <https://auto.example/>.")
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://docs.example/"' in html


def test_the_small_markdown_subset_renders():
    html = render_comment(
        "**bold** _em_ `code`\nnext line\n\n> quoted\n\n- one\n- two\n\n1. first\n\n"
        "```\nprint('<x>')\n```"
    )
    for tag in ("<strong>", "<em>", "<code>", "<br>", "<blockquote>", "<ul>", "<ol>", "<pre>"):
        assert tag in html
    assert "print('&lt;x&gt;')" in html


def test_no_images_headings_or_attributes_beyond_href():
    html = render_comment(
        '# Big\n\n![pic](https://img.example/a.png "t")\n\n[a](https://x.example "title")'
    )
    assert "<h1" not in html and "<img" not in html
    assert "title=" not in html
    assert "Big" in html


# --- Pathological input: rendering stays bounded ------------------------------------------------
# Comments of the longest allowed length built to make a markdown parser work hard. Time is
# never asserted (it depends on the machine); the work is, through what it produces and by
# counting the calls the renderer makes (bench/comment_markup.py prints the times).

MAX_LENGTH = 4000  # settings.COMMENTS_MAX_LENGTH by default


def fill(unit: str, length: int = MAX_LENGTH, tail: str = "") -> str:
    return (unit * (length // len(unit) + 1))[: length - len(tail)] + tail


def growing_runs(marker: str, between: str, length: int = MAX_LENGTH) -> str:
    """Runs of `marker` of growing length that never close one another."""
    text, size = "", 1
    while len(text) < length:
        text += between + marker * size
        size += 1
    return text[:length]


def indented_list(item: str, length: int = MAX_LENGTH) -> str:
    """Each item one level deeper than the one before it."""
    lines, depth = [], 0
    while sum(map(len, lines)) < length:
        lines.append("  " * depth + item + "\n")
        depth += 1
    return "".join(lines)[:length]


# The repeated unit of each class, for inputs of any length.
PATHOLOGICAL_UNITS = {
    "brackets": ["[", "[a", "[\n", "[](", "[a](", "[ "],
    "images": ["![", "![a", "![](", "![a]("],
    "backticks": ["`", "a`", "`a``", "``a"],
    "emphasis": ["*a ", "_a ", "**a", "*_", "_*", "***a", "a**b ", "*a_ "],
    "quotes": [">", "> ", ">\n", "> - "],
    "lists": ["- ", "1. ", "* ", "1) ", "- > "],
    "mixtures": ["[*_`", "![*", "> [`", "[a](b *c_ `", "> - [*`_![", "<a [b `c *d _e"],
}
PATHOLOGICAL = [
    pytest.param(fill(unit), id=f"{name}:{unit!r}")
    for name, units in PATHOLOGICAL_UNITS.items()
    for unit in units
] + [
    pytest.param(growing_runs("`", "e"), id="backticks:growing runs"),
    pytest.param(growing_runs("*", "a"), id="emphasis:growing * runs"),
    pytest.param(growing_runs("_", " a"), id="emphasis:growing _ runs"),
    pytest.param(fill(">", tail=" text"), id="quotes:deep with text"),
    pytest.param(indented_list("- item"), id="lists:indented bullets"),
    pytest.param(indented_list("1. item"), id="lists:indented numbers"),
]


BLOCKS = frozenset({"blockquote", "ul", "ol", "li"})


class Shape(HTMLParser):
    """The tags and attributes in a piece of HTML, and how deeply its elements nest: all of
    them (`depth`) and those of `counted` (`nesting`, other tags in between or not)."""

    def __init__(self, html: str, counted: frozenset[str] = BLOCKS):
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[tuple[str, str]] = set()
        self.depth = self.nesting = 0
        self._open: list[str] = []
        self._counted = counted
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes |= {(tag, name) for name, _value in attrs}
        if tag == "br":
            return
        self._open.append(tag)
        self.depth = max(self.depth, len(self._open))
        self.nesting = max(self.nesting, sum(name in self._counted for name in self._open))

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open.pop() != tag:
                pass


def nesting(html: str, *tags: str) -> int:
    return Shape(html, frozenset(tags)).nesting


def calls_to_render(text: str) -> int:
    """How many Python and C function calls rendering `text` makes: the work, without a clock."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += 1

    sys.setprofile(count)
    try:
        render_comment(text)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("text", PATHOLOGICAL)
def test_pathological_comment_renders_to_sanitised_bounded_html(text):
    assert len(text) == MAX_LENGTH
    html = render_comment(text)
    shape = Shape(html)
    assert html and shape.tags <= COMMENT_TAGS
    assert shape.attributes <= {("a", "href"), ("a", "rel")}
    # Quotes count one level each, lists two (the list and its item, so one may go past).
    assert shape.nesting <= COMMENT_MAX_BLOCK_DEPTH + 1
    # Inside the deepest block: a paragraph, emphasis up to its own limit, then a link or code.
    assert shape.depth <= COMMENT_MAX_BLOCK_DEPTH + 1 + 1 + COMMENT_MAX_INLINE_DEPTH + 1


@pytest.mark.parametrize(
    "unit",
    [
        pytest.param(unit, id=f"{name}:{unit!r}")
        for name, units in PATHOLOGICAL_UNITS.items()
        for unit in units
    ],
)
def test_rendering_work_grows_in_proportion_to_the_comment(unit):
    # Twice the text, about twice the calls: linear. Quadratic work would take four times.
    single = calls_to_render(fill(unit, length=500))
    double = calls_to_render(fill(unit, length=1000))
    assert double <= 2.5 * single


@pytest.mark.parametrize("marker", [">", "> ", "> > ", " >"])
def test_quotes_deeper_than_the_limit_are_flattened_and_keep_their_text(marker):
    html = render_comment(fill(marker, length=300, tail=" the point"))
    assert nesting(html, "blockquote") == COMMENT_MAX_BLOCK_DEPTH
    # The rest is shown as typed, markers escaped, rather than dropped.
    assert "&gt;" in html and "the point" in html


@pytest.mark.parametrize("marker", ["- ", "* ", "1. ", "1) ", "+ "])
def test_lists_deeper_than_the_limit_are_flattened_without_overflowing(marker):
    html = render_comment(fill(marker, tail="deep"))
    assert nesting(html, "ul", "ol") == COMMENT_MAX_BLOCK_DEPTH // 2
    assert f"{marker.strip()} deep" in html


def test_an_indented_list_keeps_its_items_beyond_the_limit():
    text = "".join("  " * depth + f"- item {depth}\n" for depth in range(12))
    html = render_comment(text)
    assert nesting(html, "ul") == COMMENT_MAX_BLOCK_DEPTH // 2
    for depth in range(12):
        assert f"item {depth}" in html


def test_text_after_a_deep_nest_is_rendered_as_usual():
    html = render_comment(">" * 200 + " deep\n\nAfter it, **bold** and `code`.")
    assert html.endswith("<p>After it, <strong>bold</strong> and <code>code</code>.</p>")


def test_deep_nest_of_every_kind_at_once_does_not_overflow():
    html = render_comment(fill("> 1. - ", tail=" the end"))
    assert COMMENT_MAX_BLOCK_DEPTH <= Shape(html).nesting <= COMMENT_MAX_BLOCK_DEPTH + 1
    assert "the end" in html


@pytest.mark.parametrize("unit", ["[", "![", "[a](", "`", "*", "_", "<", "&"])
def test_unmatched_markers_are_shown_as_typed(unit):
    text = "x" + fill(unit, length=999)
    html = render_comment(text)
    # Nothing the learner typed is lost: the text comes back, escaped where needed.
    assert html_module.unescape(re.sub(r"<[^>]+>", "", html)) == text


@pytest.mark.parametrize(
    "text",
    [
        "".join("a" + "*" * size for size in range(1, 60)),
        "".join("a" + "_" * size for size in range(1, 60)) + " b",
        "*a " * 30 + "b" + "* " * 30,
        "***" * 20 + "deep" + "***" * 20,
        "*a _b **c __d *e _f **g __h*_**__*_**__",
    ],
)
def test_emphasis_nested_beyond_the_limit_is_shown_as_typed(text):
    html = render_comment(text)
    assert Shape(html, frozenset({"em", "strong"})).nesting <= COMMENT_MAX_INLINE_DEPTH
    assert html_module.unescape(re.sub(r"<[^>]+>", "", html)).count("a") == text.count("a")


def test_emphasis_within_the_limit_nests_as_usual():
    html = render_comment("*one **two *three* two** one*")
    assert html == "<p><em>one <strong>two <em>three</em> two</strong> one</em></p>"
