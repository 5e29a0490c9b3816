"""Answering knowledge checks: the server grades, the first attempt counts, XP once, and the
page never gives the answer away before the reader has answered."""

import re
import threading
from concurrent.futures import Future, wait

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from practice.models import AttemptSource, CheckAttempt
from practice.services import CHECK_XP, check_answer
from progress.models import XPEntry
from tests.conftest import learner_make
from tests.practice.conftest import right_of, wrong_of


def answer(client: Client, check, chosen: list[int], *, json: bool = True):
    url = reverse("practice:check-answer", args=[check.pk])
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(url, {"option": [str(i) for i in chosen]}, **headers)


def test_the_lesson_page_never_says_which_option_is_right(client, checked_lesson):
    html = client.get(checked_lesson.get_absolute_url()).content.decode()
    checks = list(checked_lesson.checks.all())
    assert html.count('class="check"') == len(checks) >= 2
    for check in checks:
        section = re.search(
            rf'<section class="check" id="check-{check.number}".*?</section>', html, re.S
        )
        assert section, check.number
        text = section.group()
        for option in check.options:
            assert option["explanation"] not in text  # shown only after answering
        # Right and wrong options are drawn alike: only their text tells them apart.
        labels = re.findall(r'<label class="check__option">(.*?)</label>', text, re.S)
        shapes = {re.sub(r'value="\d+"|<span dir="auto">.*?</span>', "", label) for label in labels}
        assert len(labels) == len(check.options) and len(shapes) == 1
        markup = re.sub(r'<span dir="auto">.*?</span>', "", text, flags=re.S)  # not the words
        assert 'class="check-result' not in markup and "correct" not in markup


def test_a_reader_answers_wrong_then_right_and_sees_why(client, checked_lesson):
    check = checked_lesson.checks.first()
    wrong = answer(client, check, wrong_of(check)).json()
    assert wrong["correct"] is False and wrong["right"] == right_of(check)
    assert check.options[wrong_of(check)[0]]["explanation"] in wrong["html"]
    right = answer(client, check, right_of(check)).json()
    assert right["correct"] is True and "Right!" in right["html"]
    assert CheckAttempt.objects.count() == 0  # nothing kept for a reader not signed in


def test_without_javascript_the_answer_comes_back_to_the_check(client, checked_lesson):
    check = checked_lesson.checks.get(number=2)
    response = answer(client, check, right_of(check), json=False)
    assert response.status_code == 302
    assert response["Location"].endswith(f"{checked_lesson.get_absolute_url()}#check-2")
    page = client.get(response["Location"]).content.decode()
    section = re.search(r'<section class="check" id="check-2".*?</section>', page, re.S).group()
    assert "Right!" in section
    # Everyone else still gets the shared page, with no result in it.
    other = Client().get(checked_lesson.get_absolute_url()).content.decode()
    assert 'class="check-result' not in other


def test_the_first_attempt_counts_and_a_right_one_earns_xp_once(client, learner, checked_lesson):
    client.force_login(learner)
    first, second = checked_lesson.checks.all()[:2]
    assert answer(client, first, wrong_of(first)).json()["xp_awarded"] == 0
    assert answer(client, first, right_of(first)).json()["xp_awarded"] == 0  # not first
    assert answer(client, second, right_of(second)).json()["xp_awarded"] == CHECK_XP
    assert answer(client, second, right_of(second)).json()["xp_awarded"] == 0
    attempts = CheckAttempt.objects.filter(user=learner)
    assert attempts.count() == 4
    assert list(attempts.firsts().values_list("knowledge_check", "correct")) == [
        (first.pk, False),
        (second.pk, True),
    ]
    assert XPEntry.objects.filter(user=learner, source__startswith="checks_").count() == 1


def test_a_signed_in_learner_sees_their_last_answer_on_the_lesson(client, learner, checked_lesson):
    client.force_login(learner)
    check = checked_lesson.checks.first()
    client.get(checked_lesson.get_absolute_url())  # a shell and kept parts exist
    answer(client, check, wrong_of(check))
    html = client.get(checked_lesson.get_absolute_url()).content.decode()
    assert "Not quite." in html and "Try again" in html
    assert f'value="{wrong_of(check)[0]}" checked' in html


def test_a_signed_in_post_needs_its_csrf_token(learner, checked_lesson):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    check = checked_lesson.checks.first()
    assert answer(browser, check, right_of(check)).status_code == 403
    assert answer(Client(enforce_csrf_checks=True), check, right_of(check)).status_code == 200


@pytest.mark.parametrize("chosen", [[], [99], ["x"]])
def test_an_answer_a_check_cannot_take_is_a_clear_400(client, checked_lesson, chosen):
    check = checked_lesson.checks.first()
    response = client.post(
        reverse("practice:check-answer", args=[check.pk]),
        {"option": chosen},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400 and response.json()["error"]


def test_a_single_choice_check_takes_one_option(client, checked_lesson):
    check = next(c for c in checked_lesson.checks.all() if not c.multiple)
    response = answer(client, check, [0, 1])
    assert response.status_code == 400
    assert "only one" in response.json()["error"]


def test_checks_of_an_unpublished_lesson_are_not_there_for_learners(client, checked_lesson):
    check = checked_lesson.checks.first()
    checked_lesson.status = "draft"
    checked_lesson.save()
    assert answer(client, check, right_of(check)).status_code == 404


# --- Handing over answers given before signing in ------------------------------------------


def merge(client: Client, payload: dict):
    return client.post(reverse("practice:merge"), payload, content_type="application/json")


def test_answers_from_the_browser_are_graded_by_the_server(client, learner, checked_lesson):
    first, second = checked_lesson.checks.all()[:2]
    client.force_login(learner)
    at = "2026-12-01T10:00:00+09:00"
    response = merge(
        client,
        {
            "answers": [
                # The browser "thinks" both are right; the server decides.
                {"check": first.pk, "chosen": wrong_of(first), "at": at, "correct": True},
                {"check": second.pk, "chosen": right_of(second), "at": at},
                {"check": first.pk, "chosen": right_of(first), "at": "2026-12-01T10:01:00+09:00"},
            ]
        },
    )
    assert response.json() == {"answers": 3, "drafts": 0}
    firsts = CheckAttempt.objects.filter(user=learner).firsts()
    assert {(a.knowledge_check_id, a.correct) for a in firsts} == {
        (first.pk, False),
        (second.pk, True),
    }
    assert set(firsts.values_list("source", flat=True)) == {AttemptSource.BROWSER}
    assert XPEntry.objects.filter(user=learner, source__startswith="checks_").count() == 1


def test_a_browser_answer_does_not_replace_a_first_attempt_made_signed_in(
    client, learner, checked_lesson
):
    check = checked_lesson.checks.first()
    check_answer(user=learner, check=check, chosen=wrong_of(check))
    client.force_login(learner)
    merge(
        client,
        {"answers": [{"check": check.pk, "chosen": right_of(check), "at": "2026-12-01T10:00:00Z"}]},
    )
    assert CheckAttempt.objects.filter(user=learner).firsts().get().correct is False
    assert not XPEntry.objects.filter(user=learner, source__startswith="checks_").exists()


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        b'{"answers": {}}',
        b'{"answers": [{"check": -1, "chosen": [0], "at": "2026-12-01T10:00:00Z"}]}',
        b'{"answers": [{"check": 1, "chosen": [0], "at": "yesterday"}]}',
        b'{"answers": [{"check": 1, "chosen": [0], "at": "2026-12-01T10:00:00"}]}',
        b'{"drafts": [{"lesson": 1, "text": "a\\u0000b", "at": "2026-12-01T10:00:00Z"}]}',
    ],
)
def test_a_malformed_handover_is_a_400_and_keeps_nothing(client, learner, checked_lesson, payload):
    client.force_login(learner)
    response = client.post(reverse("practice:merge"), payload, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]
    assert not CheckAttempt.objects.exists()


# --- Fifty identical answers at once ---------------------------------------------------------

THREADS = 50


@pytest.mark.postgres  # SQLite locks the whole database file: requests would queue, not race.
@pytest.mark.django_db(transaction=True)
def test_fifty_identical_right_answers_at_once_pay_once(sample_content):
    from courses.models import Lesson

    learner = learner_make("racer", "racer@example.com", "learner-pass-42", "Racer")
    check = Lesson.objects.get(slug="why-it-changes-so-fast").checks.first()
    start = threading.Barrier(THREADS, timeout=60)

    def post(outcome: Future) -> None:
        try:
            client = Client()
            client.force_login(learner)
            start.wait()
            outcome.set_result(answer(client, check, right_of(check)).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            start.abort()
            outcome.set_exception(exc)
        finally:
            connection.close()

    outcomes = [Future() for _ in range(THREADS)]
    for outcome in outcomes:
        threading.Thread(target=post, args=(outcome,), daemon=True).start()
    _done, running = wait(outcomes, timeout=60)
    assert not running
    assert [outcome.result() for outcome in outcomes] == [200] * THREADS
    assert CheckAttempt.objects.filter(user=learner).count() == THREADS
    assert CheckAttempt.objects.filter(user=learner).firsts().count() == 1
    assert XPEntry.objects.filter(user=learner, source__startswith="checks_").count() == 1
