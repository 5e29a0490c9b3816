"""The exercise's answer box: a private draft kept as the learner writes, submissions kept as
versions, the model answer after submitting, done once for XP, and sharing through the comment
rules; /progress/ collects it all in "My notebook"; export and delete take it along."""

import json

from django.test import Client
from django.urls import reverse

from comments.models import Comment
from practice.models import ExerciseAnswer, ExerciseAnswerVersion
from practice.services import EXERCISE_XP
from progress.models import XPEntry


def act(client: Client, lesson, action: str, text: str = "", *, json_reply: bool = False):
    headers = {"HTTP_ACCEPT": "application/json"} if json_reply else {}
    return client.post(
        reverse("practice:exercise", args=[lesson.pk]), {"action": action, "text": text}, **headers
    )


def test_a_draft_is_kept_for_the_learner_only_and_across_devices(client, learner, checked_lesson):
    client.force_login(learner)
    reply = act(client, checked_lesson, "draft", "| tool | since |\n| a | 2025 |", json_reply=True)
    assert reply.json()["ok"] is True
    other_device = Client()
    other_device.force_login(learner)
    page = other_device.get(checked_lesson.get_absolute_url()).content.decode()
    assert "| tool | since |" in page
    assert (
        "| tool | since |" not in Client().get(checked_lesson.get_absolute_url()).content.decode()
    )


def test_the_model_answer_shows_only_once_the_answer_is_submitted(client, learner, checked_lesson):
    guidance = "What a good answer looks like"
    assert checked_lesson.answer_html
    client.force_login(learner)
    assert guidance not in client.get(checked_lesson.get_absolute_url()).content.decode()
    assert guidance not in Client().get(checked_lesson.get_absolute_url()).content.decode()
    act(client, checked_lesson, "submit", "My list of tools.")
    page = client.get(checked_lesson.get_absolute_url()).content.decode()
    assert guidance in page and "Mark the exercise done" in page


def test_each_submission_is_kept_as_a_version(client, learner, checked_lesson):
    client.force_login(learner)
    act(client, checked_lesson, "submit", "first try")
    act(client, checked_lesson, "submit", "second, better")
    answer = ExerciseAnswer.objects.get(user=learner, lesson=checked_lesson)
    assert answer.text == "second, better"
    assert list(answer.versions.values_list("text", flat=True)) == ["second, better", "first try"]


def test_marking_done_pays_once_and_needs_a_submission(client, learner, checked_lesson):
    client.force_login(learner)
    assert act(client, checked_lesson, "done").status_code == 302  # refused, said on the page
    assert not XPEntry.objects.filter(user=learner, source__startswith="exercises_").exists()
    act(client, checked_lesson, "submit", "done now")
    act(client, checked_lesson, "done")
    act(client, checked_lesson, "done")
    ledger = XPEntry.objects.filter(user=learner, source__startswith="exercises_")
    assert list(ledger.values_list("amount", flat=True)) == [EXERCISE_XP]


def test_an_empty_or_hostile_answer_is_refused_with_the_reason(client, learner, checked_lesson):
    client.force_login(learner)
    empty = act(client, checked_lesson, "submit", "   ", json_reply=True)
    assert empty.status_code == 400 and "Write your answer" in empty.json()["error"]
    nul = act(client, checked_lesson, "draft", "a\x00b", json_reply=True)
    assert nul.status_code == 400 and "U+0000" in nul.json()["error"]
    huge = act(client, checked_lesson, "draft", "x" * 20_001, json_reply=True)
    assert huge.status_code == 400 and "20001" in huge.json()["error"].replace(",", "")
    assert not ExerciseAnswer.objects.exists()


def test_sharing_posts_the_answer_as_a_comment_once(client, learner, checked_lesson):
    client.force_login(learner)
    act(client, checked_lesson, "submit", "My **answer** <script>x</script>")
    response = act(client, checked_lesson, "share")
    comment = Comment.objects.get(author=learner, lesson=checked_lesson)
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert "<script>" not in comment.body_html and "<strong>answer</strong>" in comment.body_html
    act(client, checked_lesson, "share")
    assert Comment.objects.filter(author=learner).count() == 1


def test_the_notebook_on_progress_lists_answers_newest_first(client, learner, checked_lesson):
    from courses.models import Lesson

    other = Lesson.objects.published().exclude(pk=checked_lesson.pk).first()
    client.force_login(learner)
    act(client, checked_lesson, "submit", "older answer")
    act(client, other, "draft", "newer draft")
    page = client.get(reverse("progress:profile")).content.decode()
    assert "My notebook" in page
    assert page.index("newer draft") < page.index("older answer")
    assert f'href="{checked_lesson.get_absolute_url()}#exercise-answer"' in page


def test_export_has_every_attempt_and_answer_and_delete_removes_them(
    client, learner, checked_lesson
):
    check = checked_lesson.checks.first()
    client.force_login(learner)
    client.post(
        reverse("practice:check-answer", args=[check.pk]),
        {"option": ["0"]},
        HTTP_ACCEPT="application/json",
    )
    act(client, checked_lesson, "submit", "v1")
    act(client, checked_lesson, "submit", "v2")
    data = json.loads(client.get("/accounts/export/").content)
    exported = json.dumps(data)
    assert check.question in exported and '"v1"' in exported and '"v2"' in exported
    client.post("/accounts/delete/", {"password": "learner-pass-42"})
    assert not ExerciseAnswer.objects.exists() and not ExerciseAnswerVersion.objects.exists()
    from practice.models import CheckAttempt

    assert not CheckAttempt.objects.exists()
