from lessons.markup import render_lesson_markdown


def html_of(text: str) -> str:
    return render_lesson_markdown(text).html


def test_script_tags_are_removed_with_their_content():
    html = html_of("Hello <script>alert('x')</script> world")
    assert "<script" not in html
    assert "alert" not in html
    assert "Hello" in html and "world" in html


def test_event_handler_attributes_are_stripped():
    html = html_of(
        '<img src="https://example.com/a.png" onerror="alert(1)"> <p onclick="x()">hi</p>'
    )
    assert "onerror" not in html
    assert "onclick" not in html
    assert 'src="https://example.com/a.png"' in html


def test_javascript_links_lose_their_href():
    html = html_of('[click](javascript:alert(1)) and <a href="javascript:alert(2)">raw</a>')
    assert "javascript:" not in html
    assert "click" in html and "raw" in html


def test_iframes_and_styles_are_dropped():
    html = html_of(
        '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>ok'
    )
    assert "iframe" not in html and "display:none" not in html and "ok" in html


def test_headings_get_stable_ids_and_a_table_of_contents():
    rendered = render_lesson_markdown("## Why it matters\n\ntext\n\n### 한국어 제목\n\nmore\n")
    assert '<h2 id="why-it-matters">' in rendered.html
    assert rendered.toc == [
        {"level": 2, "id": "why-it-matters", "title": "Why it matters"},
        {"level": 3, "id": "한국어-제목", "title": "한국어 제목"},
    ]
    assert render_lesson_markdown("## Why it matters\n").toc[0]["id"] == "why-it-matters"


def test_fenced_code_is_highlighted():
    html = html_of("```python\nprint('hi')\n```\n")
    assert '<div class="highlight">' in html
    assert '<span class="nb">print</span>' in html


def test_external_links_open_safely_and_internal_anchors_stay_in_the_tab():
    html = html_of("[paper](https://arxiv.org/abs/2006.11239) and [below](#section)")
    assert 'href="https://arxiv.org/abs/2006.11239"' in html
    external = html.split("paper")[0]
    assert 'target="_blank"' in external and 'rel="noopener noreferrer"' in external
    internal = html.split("and ")[1]
    assert "target" not in internal


def test_raw_html_cannot_set_its_own_target_without_noopener():
    html = html_of('<a href="https://example.com" target="_top" rel="opener">x</a>')
    assert "_top" not in html
    assert 'rel="noopener noreferrer"' in html


def test_admonitions_render_as_callouts():
    html = html_of('!!! tip "Try this"\n    Something useful.\n')
    assert '<div class="admonition tip">' in html
    assert "Try this" in html
