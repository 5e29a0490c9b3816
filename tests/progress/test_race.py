"""Fifty requests completing the same lesson at once, against PostgreSQL."""

import threading
from concurrent.futures import Future, wait

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from courses.models import Lesson
from progress.models import Completion, EarnedAchievement, XPEntry

THREADS = 50
# Far more than the fifty requests need; it is there so that a request stuck on a lock fails
# the test instead of hanging the run.
GIVE_UP_AFTER_SECONDS = 60


@pytest.mark.postgres  # SQLite locks the whole database file: requests would queue, not race.
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_completions_award_everything_once(learner, sample_content):
    lesson = Lesson.objects.published().first()
    url = reverse("progress:complete", args=[lesson.id])
    start = threading.Barrier(THREADS, timeout=GIVE_UP_AFTER_SECONDS)

    def complete(outcome: Future) -> None:
        try:
            client = Client()  # one per thread: a test client is not shared between threads
            client.force_login(learner)
            start.wait()
            response = client.post(url)
        except BaseException as exc:  # noqa: BLE001 - reported below
            start.abort()  # the others stop waiting for a thread that will never arrive
            outcome.set_exception(exc)
        else:
            outcome.set_result(response.status_code)
        finally:
            connection.close()

    outcomes = [Future() for _ in range(THREADS)]
    for outcome in outcomes:
        threading.Thread(target=complete, args=(outcome,), daemon=True).start()
    finished, running = wait(outcomes, timeout=GIVE_UP_AFTER_SECONDS)

    assert not running, f"{len(running)} of {THREADS} requests had not finished in time"
    errors = [outcome.exception() for outcome in outcomes if outcome.exception() is not None]
    assert errors == []
    assert [outcome.result() for outcome in outcomes] == [302] * THREADS
    assert Completion.objects.filter(user=learner, lesson=lesson).count() == 1
    assert XPEntry.objects.filter(user=learner, source=f"lesson:{lesson.id}").count() == 1
    awards = list(
        EarnedAchievement.objects.filter(user=learner).values_list("achievement__slug", flat=True)
    )
    assert awards == ["first-steps"]
    assert XPEntry.objects.filter(user=learner).count() == 2
