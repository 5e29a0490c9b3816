import json

import pytest
from allauth.account.models import EmailAddress

from accounts.models import LearnerProfile

pytestmark = pytest.mark.django_db


def test_export_is_a_json_download_of_the_learners_own_data(client, learner, django_user_model):
    django_user_model.objects.create_user(
        username="other", email="other@example.com", password="x-pass-1234"
    )
    client.force_login(learner)
    response = client.get("/accounts/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="stream-my-data-')
    data = json.loads(response.content)
    assert data["profile"]["display_name"] == "Mina"
    assert data["profile"]["time_zone"] == "Asia/Seoul"
    assert data["account"]["email_addresses"] == [
        {"email": "mina@example.com", "verified": True, "primary": True}
    ]
    assert "other@example.com" not in response.content.decode()


def test_delete_needs_the_right_password(client, learner, django_user_model):
    client.force_login(learner)
    response = client.post("/accounts/delete/", {"password": "wrong"})
    assert response.status_code == 200
    assert "That password is not right." in response.content.decode()
    assert django_user_model.objects.filter(pk=learner.pk).exists()


def test_delete_removes_account_and_personal_data_and_signs_out(client, learner, django_user_model):
    client.force_login(learner)
    response = client.post("/accounts/delete/", {"password": "learner-pass-42"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Your account and personal data have been deleted." in response.content.decode()
    assert not django_user_model.objects.filter(pk=learner.pk).exists()
    assert not LearnerProfile.objects.filter(user_id=learner.pk).exists()
    assert not EmailAddress.objects.filter(email="mina@example.com").exists()
    assert "_auth_user_id" not in client.session


def test_export_holds_progress_comments_reports_and_notifications(
    client, learner, sample_content, django_user_model, django_capture_on_commit_callbacks
):
    from comments.models import BugReport
    from comments.services import comment_post
    from courses.models import Lesson
    from progress.services import lesson_complete

    other = django_user_model.objects.create_user(username="jun", email="jun@example.com")
    lesson = Lesson.objects.published().first()
    lesson_complete(user=learner, lesson=lesson)
    # Achievements for comments arrive once the comment is committed.
    with django_capture_on_commit_callbacks(execute=True):
        mine = comment_post(author=learner, lesson=lesson, body="Why **this** step?")
        comment_post(author=other, lesson=lesson, body="Because of noise.", parent=mine)
    BugReport.objects.create(
        lesson=lesson, reporter=learner, category="typo", description="A typo in step 2."
    )
    client.force_login(learner)
    data = json.loads(client.get("/accounts/export/").content)
    assert [c["lesson"] for c in data["completions"]] == [lesson.slug]
    assert {e["source"] for e in data["xp_ledger"]} == {
        f"lesson:{lesson.id}",
        "achievement:first-steps",
        "achievement:first-word",
        "achievement:conversation-starter",
    }
    assert {a["achievement"] for a in data["achievements"]} >= {
        "first-steps",
        "first-word",
        "conversation-starter",
    }
    assert [c["body"] for c in data["comments"]] == ["Why **this** step?"]
    assert [r["description"] for r in data["bug_reports"]] == ["A typo in step 2."]
    assert len(data["notifications"]) == 1  # Jun's reply
    assert "Because of noise." not in json.dumps(data["comments"])  # others' words are theirs


def test_delete_keeps_comments_as_deleted_user_and_removes_progress(
    client, learner, sample_content, django_user_model
):
    from comments.models import Comment
    from comments.services import comment_post
    from courses.models import Lesson
    from progress.models import Completion, XPEntry
    from progress.services import lesson_complete

    other = django_user_model.objects.create_user(username="jun", email="jun@example.com")
    lesson = Lesson.objects.published().first()
    lesson_complete(user=learner, lesson=lesson)
    mine = comment_post(author=learner, lesson=lesson, body="Why **this** step?")
    comment_post(author=other, lesson=lesson, body="Because of noise.", parent=mine)
    client.force_login(learner)
    client.post("/accounts/delete/", {"password": "learner-pass-42"})
    assert not Completion.objects.filter(user_id=learner.pk).exists()
    assert not XPEntry.objects.filter(user_id=learner.pk).exists()
    kept = Comment.objects.get(pk=mine.pk)
    assert kept.author_id is None
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "deleted user" in page and "Why <strong>this</strong> step?" in page
    assert "Because of noise." in page and "Mina" not in page
