"""Comments must show something: a body made only of invisible characters is refused, and
bidirectional controls are stripped so a comment cannot reorder the page around it."""

import pytest
from django.urls import reverse

from comments.forms import CommentForm
from comments.models import Comment
from comments.services import comment_post
from lessons.markup import render_comment
from lessons.text import BIDI_CONTROLS, has_visible_text, is_visible, strip_bidi_controls

pytestmark = pytest.mark.django_db

# "Please write something first: spaces and invisible characters alone are not a comment."
# (without the second half when nothing at all is left once bidi controls are stripped).
INVISIBLE_ERROR = "Please write something first"

INVISIBLE_BODIES = {
    "zero-width space": "\u200b",
    "zero-width joiners": "\u200c\u200d" * 20,
    "word joiner and BOM": "\u2060\ufeff",
    "Hangul filler": "\u3164",
    "Hangul fillers on lines": "\u3164\n\u3164\n\n\u3164",
    "Hangul choseong and jungseong fillers": "\u115f\u1160",
    "halfwidth Hangul filler": "\uffa0",
    "braille blank": "\u2800",
    "braille blank paragraph": ("\u2800" * 40 + "\n") * 5,
    "spaces and zero-width": " \u200b \u3000 \u200b ",
    "no-break spaces and filler": "\u00a0\u3164\u00a0",
    "line separators and filler": "\u2028\u3164\u2029",
    "bidi controls only": "\u202e\u2066\u2069\u200e\u200f\u061c",
    "entity for a zero-width space": "&#8203;",
    "entities for no-break spaces": "&nbsp;&nbsp;&#xa0;",
    "entity for a Hangul filler": "&#x3164;",
    "entity for a braille blank": "&#10240;",
    "soft hyphens": "\u00ad\u00ad",
    "tag characters": "\U000e0020\U000e0041",
}

VISIBLE_BODIES = {
    "Korean": "이건 무슨 뜻인가요?",
    "Korean with a particle": "민아는",
    "Arabic": "ما معنى هذا؟",
    "emoji only": "👍",
    "emoji joined by ZWJ": "👩\u200d💻",
    "a single dot": ".",
    "code": "`x`",
    "text after invisible padding": "\u3164\u3164 hello",
}


def post_url(lesson) -> str:
    return reverse("comments:post", args=[lesson.course.slug, lesson.slug])


@pytest.mark.parametrize("body", INVISIBLE_BODIES.values(), ids=INVISIBLE_BODIES.keys())
def test_invisible_comment_is_refused_with_a_clear_message(mina, lesson, body):
    response = mina.post(post_url(lesson), {"body": body})
    assert response.status_code == 200
    assert INVISIBLE_ERROR in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body", INVISIBLE_BODIES.values(), ids=INVISIBLE_BODIES.keys())
def test_invisible_comment_form_is_invalid(body):
    form = CommentForm({"body": body})
    assert not form.is_valid()
    assert any(INVISIBLE_ERROR in error for error in form.errors["body"])


def test_invisible_reply_is_refused(jun, learner, lesson):
    parent = comment_post(author=learner, lesson=lesson, body="Question")
    response = jun.post(reverse("comments:reply", args=[parent.pk]), {"body": "\u3164\u200b"})
    assert response.status_code == 200 and INVISIBLE_ERROR in response.content.decode()
    assert Comment.objects.count() == 1


def test_editing_a_comment_into_nothing_is_refused(mina, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="Something to say")
    response = mina.post(reverse("comments:edit", args=[comment.pk]), {"body": "\u2800\u2800"})
    assert response.status_code == 200 and INVISIBLE_ERROR in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Something to say"


@pytest.mark.parametrize("body", VISIBLE_BODIES.values(), ids=VISIBLE_BODIES.keys())
def test_visible_comments_in_any_script_are_posted(mina, lesson, body):
    assert mina.post(post_url(lesson), {"body": body}).status_code == 302
    assert Comment.objects.get().body == body.strip()


@pytest.mark.parametrize(
    "typed,kept",
    [
        ("Look: \u202edrow\u202c here", "Look: drow here"),
        ("\u2067ما معنى\u2069 this?", "ما معنى this?"),
        ("a\u200eb\u200fc\u061cd", "abcd"),
        ("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069 text", "text"),
    ],
)
def test_bidi_controls_are_stripped_from_comments(mina, lesson, typed, kept):
    assert mina.post(post_url(lesson), {"body": typed}).status_code == 302
    comment = Comment.objects.get()
    assert comment.body == kept
    assert not BIDI_CONTROLS & set(comment.body_html)


@pytest.mark.parametrize("entity", ["&#x202E;", "&#8238;", "&#x2066;", "&#x200F;", "&#x61C;"])
def test_bidi_controls_written_as_entities_do_not_reach_the_page(entity):
    html = render_comment(f"before {entity} after")
    assert not BIDI_CONTROLS & set(html)
    assert "before" in html and "after" in html


# --- The character rules (lessons.text) --------------------------------------------------------


@pytest.mark.parametrize(
    "char",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u3164", "\u115f", "\u1160", "\uffa0",
     "\u2800", " ", "\t", "\n", "\u00a0", "\u3000", "\u2028", "\u202e", "\u2066", "\u200e",
     "\u061c", "\u00ad", "\ufe0f", "\u0301", "\x00", "\x7f"],
)  # fmt: skip
def test_characters_that_draw_nothing_are_not_visible(char):
    assert not is_visible(char)


@pytest.mark.parametrize(
    "char", ["a", "가", "ㄱ", "ᄀ", "م", "א", "7", "٣", ".", "…", "@", "€", "👍", "❤", "字"]
)
def test_letters_numbers_punctuation_and_symbols_are_visible(char):
    assert is_visible(char)


def test_has_visible_text_looks_for_one_visible_character():
    assert not has_visible_text("")
    assert not has_visible_text("\u200b \u3164\n\u2800")
    assert has_visible_text("\u200b \u3164 x \u2800")


def test_strip_bidi_controls_removes_exactly_the_controls():
    text = "".join(sorted(BIDI_CONTROLS)) + "Mina\u200d👩\u200c"
    assert strip_bidi_controls(text) == "Mina\u200d👩\u200c"
    assert len(BIDI_CONTROLS) == 12
