import pytest

from lessons.markup import render_comment


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
    ],
)
def test_dangerous_link_targets_are_dropped(text):
    html = render_comment(text)
    assert "javascript" not in html.lower()
    assert "data:" not in html and "vbscript" not in html
    assert "click" in html


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
