import json

import pytest

from comments.exports import learner_data
from comments.models import CommentFlag
from comments.services import comment_post, report_file

pytestmark = pytest.mark.django_db


def test_learner_data_holds_the_learners_own_comments_reports_and_notifications(
    learner, other_learner, lesson
):
    mine = comment_post(author=learner, lesson=lesson, body="My question")
    theirs = comment_post(author=other_learner, lesson=lesson, body="Their answer", parent=mine)
    report_file(lesson=lesson, reporter=learner, category="typo", description="teh")
    report_file(lesson=lesson, reporter=other_learner, category="other", description="not mine")
    CommentFlag.objects.create(comment=theirs, user=learner, reason="off_topic")

    data = learner_data(user=learner)
    json.dumps(data)  # JSON-ready as it is
    assert [c["body"] for c in data["comments"]] == ["My question"]
    assert data["comments"][0]["lesson"] == "first-lesson"
    assert [r["description"] for r in data["bug_reports"]] == ["teh"]
    assert [(n["kind"], n["comment"]) for n in data["notifications"]] == [("reply", theirs.pk)]
    assert [f["comment"] for f in data["comment_flags"]] == [theirs.pk]
    assert "Their answer" not in json.dumps(data)
