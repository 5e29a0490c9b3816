"""Control characters in comments, replies, edits, flags and bug reports are refused with a
form error on the field that holds them (lessons.text); line endings typed in a textarea are
text."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from comments.forms import BugReportForm
from comments.models import BugReport, Comment, CommentFlag
from comments.services import comment_post

pytestmark = pytest.mark.django_db

MESSAGE = "This text contains an invisible control character ({}): please remove it."
# Django's own check on every form field says this of U+0000, before ours runs.
NUL_MESSAGE = "Null characters are not allowed."

CONTROLS = {
    "record separator": "\x1e",
    "bell": "\x07",
    "escape": "\x1b",
    "DEL": "\x7f",
    "C1 next line": "\x85",
    "lone carriage return": "\r",
}


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def post_url(lesson) -> str:
    return reverse("comments:post", args=[lesson.course.slug, lesson.slug])


def report_url(lesson) -> str:
    return reverse("comments:report", args=[lesson.course.slug, lesson.slug])


@pytest.mark.parametrize("char", CONTROLS.values(), ids=CONTROLS.keys())
def test_a_comment_with_a_control_character_is_refused_naming_it(mina, lesson, char):
    response = mina.post(post_url(lesson), {"body": f"Good point{char} here"})
    assert response.status_code == 200
    assert MESSAGE.format(code_point(char)) in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("char", ["\x1e", "\x1f", "\x85"], ids=["U+001E", "U+001F", "U+0085"])
def test_a_control_character_python_counts_as_a_space_is_trimmed_at_the_ends(mina, lesson, char):
    # Django's form fields strip what str.strip() strips, these among them: trimmed like
    # spaces, never stored. Inside the text they are refused, as above.
    assert mina.post(post_url(lesson), {"body": f"{char}Fine text{char}"}).status_code == 302
    assert Comment.objects.get().body == "Fine text"


def test_a_comment_with_nul_is_refused_on_its_field(mina, lesson):
    response = mina.post(post_url(lesson), {"body": "a\x00b"})
    assert response.status_code == 200
    assert response.context["form"].errors["body"] == [NUL_MESSAGE]
    assert not Comment.objects.exists()


def test_a_reply_with_a_control_character_is_refused(jun, learner, lesson):
    parent = comment_post(author=learner, lesson=lesson, body="Question?")
    response = jun.post(reverse("comments:reply", args=[parent.pk]), {"body": "An\x1eswer"})
    assert response.status_code == 200
    assert MESSAGE.format("U+001E") in response.content.decode()
    assert Comment.objects.count() == 1


def test_an_edit_with_a_control_character_is_refused_and_the_comment_kept(mina, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="First")
    response = mina.post(reverse("comments:edit", args=[comment.pk]), {"body": "Fir\x07st"})
    assert response.status_code == 200
    assert MESSAGE.format("U+0007") in response.content.decode()
    assert Comment.objects.get().body == "First"


def test_line_endings_and_tabs_from_a_textarea_are_kept(mina, lesson):
    body = "First line\r\n\tindented\r\n\r\nNext paragraph"
    assert mina.post(post_url(lesson), {"body": body}).status_code == 302
    assert Comment.objects.get().body == body


def test_the_comment_model_field_refuses_control_characters(learner, lesson):
    comment = Comment(lesson=lesson, author=learner, body="a\x1eb")
    with pytest.raises(ValidationError) as caught:
        comment.full_clean()
    assert caught.value.message_dict["body"] == [MESSAGE.format("U+001E")]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "Wrong\x1eword", MESSAGE.format("U+001E")),
        ("description", "Wrong\x00word", NUL_MESSAGE),
        ("passage", "teh\x1b[0m", MESSAGE.format("U+001B")),
    ],
    ids=["description-U+001E", "description-NUL", "passage-escape"],
)
def test_a_bug_report_with_a_control_character_is_refused_on_its_field(
    client, lesson, field, value, message
):
    data = {"category": "typo", "description": "“teh” here", "passage": "teh", field: value}
    response = client.post(report_url(lesson), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not BugReport.objects.exists()


def test_a_bug_report_form_keeps_textarea_line_endings():
    form = BugReportForm(
        {"category": "typo", "description": "One\r\nTwo", "passage": "a\r\nb"}, signed_in=True
    )
    assert form.is_valid(), form.errors


def test_a_browser_s_user_agent_is_kept_without_control_characters(client, lesson):
    data = {"category": "typo", "description": "“teh” here", "passage": "teh"}
    client.post(report_url(lesson), data, headers={"user-agent": "Test\x00Browser\x1b/1.0"})
    assert BugReport.objects.get().user_agent == "TestBrowser/1.0"


def test_a_flag_note_with_a_control_character_is_refused(jun, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="Buy cheap pills")
    url = reverse("comments:flag", args=[comment.pk])
    response = jun.post(url, {"reason": "spam", "note": "see\x1bhere"})
    assert response.status_code == 200
    assert response.context["form"].errors["note"] == [MESSAGE.format("U+001B")]
    assert not CommentFlag.objects.exists()


def test_staff_notes_on_a_report_refuse_control_characters_for_the_admin(lesson):
    report = BugReport(lesson=lesson, category="typo", description="x", staff_notes="ok\x1b")
    with pytest.raises(ValidationError) as caught:
        report.full_clean()
    assert caught.value.message_dict["staff_notes"] == [MESSAGE.format("U+001B")]
