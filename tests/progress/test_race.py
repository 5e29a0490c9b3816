"""Fifty requests completing the same lesson at once, against PostgreSQL."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from courses.models import Lesson
from progress.models import Completion, EarnedAchievement, XPEntry

THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_completions_award_everything_once(learner, sample_content):
    lesson = Lesson.objects.published().first()
    url = reverse("progress:complete", args=[lesson.id])
    start = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def complete() -> None:
        client = Client()
        client.force_login(learner)
        try:
            start.wait()
            statuses.append(client.post(url).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert statuses == [302] * THREADS
    assert Completion.objects.filter(user=learner, lesson=lesson).count() == 1
    assert XPEntry.objects.filter(user=learner, source=f"lesson:{lesson.id}").count() == 1
    awards = list(
        EarnedAchievement.objects.filter(user=learner).values_list("achievement__slug", flat=True)
    )
    assert awards == ["first-steps"]
    assert XPEntry.objects.filter(user=learner).count() == 2
