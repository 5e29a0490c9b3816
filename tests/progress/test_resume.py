"""Resuming a lesson where the reader left off: saved places, merging, offers and links."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import learner_delete, learner_export
from progress.models import ReadingPosition
from progress.positions import Place, position_save
from progress.services import lesson_complete


def save_url(lesson):
    return reverse("progress:position-save", args=[lesson.id])


def second_heading(lesson) -> str:
    return lesson.toc[1]["id"]


def test_saving_keeps_one_place_per_lesson_and_the_latest(signed_in, learner, lessons):
    lesson = lessons[0]
    heading = second_heading(lesson)
    assert signed_in.post(save_url(lesson), {"heading": "", "paragraph": "2"}).status_code == 204
    assert (
        signed_in.post(save_url(lesson), {"heading": heading, "paragraph": "3"}).status_code == 204
    )
    position = ReadingPosition.objects.get(user=learner, lesson=lesson)
    assert (position.heading_id, position.paragraph) == (heading, 3)
    assert ReadingPosition.objects.count() == 1


@pytest.mark.parametrize("paragraph", ["-1", "many", "10001", ""])
def test_a_malformed_place_is_refused_and_nothing_stored(signed_in, lessons, paragraph):
    response = signed_in.post(save_url(lessons[0]), {"heading": "x", "paragraph": paragraph})
    assert response.status_code == 400
    assert "paragraph" in response.json()["error"]
    assert not ReadingPosition.objects.exists()


def test_readers_not_signed_in_keep_their_place_only_in_the_browser(client, lessons):
    response = client.post(save_url(lessons[0]), {"heading": "", "paragraph": "2"})
    assert response.status_code == 401
    assert not ReadingPosition.objects.exists()


def test_saving_a_place_needs_the_csrf_token(learner, lessons):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    response = browser.post(save_url(lessons[0]), {"heading": "", "paragraph": "2"})
    assert response.status_code == 403
    assert not ReadingPosition.objects.exists()


def test_the_lesson_page_offers_to_continue_at_the_saved_heading(signed_in, learner, lessons):
    lesson = lessons[0]
    heading = second_heading(lesson)
    position_save(user=learner, lesson=lesson, place=Place(heading, 2))
    html = signed_in.get(lesson.get_absolute_url()).content.decode()
    assert f'data-resume-heading="{heading}"' in html
    assert 'data-resume-paragraph="2"' in html
    # Without JavaScript the link still takes the reader to the section.
    assert f'href="#{heading}" data-resume-go' in html
    assert "Continue where you left off" in html


def test_a_place_whose_heading_is_gone_falls_back_to_the_top(signed_in, learner, lessons):
    lesson = lessons[0]
    position_save(user=learner, lesson=lesson, place=Place("a-heading-edited-away", 4))
    html = signed_in.get(lesson.get_absolute_url()).content.decode()
    assert "data-resume-heading" not in html
    assert "data-resume-offer hidden" in html
    profile = signed_in.get(reverse("progress:profile")).content.decode()
    assert "a-heading-edited-away" not in profile


def test_a_completed_lesson_offers_no_resume(signed_in, learner, lessons):
    lesson = lessons[0]
    position_save(user=learner, lesson=lesson, place=Place(second_heading(lesson), 1))
    lesson_complete(user=learner, lesson=lesson)
    html = signed_in.get(lesson.get_absolute_url()).content.decode()
    assert "data-resume-heading" not in html


def test_progress_and_course_pages_continue_at_the_place(signed_in, learner, lessons):
    first, second = lessons[0], lessons[1]
    lesson_complete(user=learner, lesson=first)
    heading = second_heading(second)
    position_save(user=learner, lesson=second, place=Place(heading, 1))
    expected = f'href="{second.get_absolute_url()}#{heading}"'
    assert expected in signed_in.get(reverse("progress:profile")).content.decode()
    course_page = signed_in.get(second.course.get_absolute_url()).content.decode()
    assert f"data-primary {expected}>Continue: Lesson" in course_page


def test_the_anonymous_lesson_page_carries_no_place(client, learner, lessons):
    lesson = lessons[0]
    position_save(user=learner, lesson=lesson, place=Place(second_heading(lesson), 2))
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "data-resume-offer hidden" in html
    assert "data-resume-heading" not in html
    assert "data-resume-save" not in html


def merge(client, positions):
    return client.post(
        reverse("progress:positions-merge"),
        json.dumps({"positions": positions}),
        content_type="application/json",
    )


def test_places_kept_while_signed_out_join_the_account_newest_winning(signed_in, learner, lessons):
    first, second = lessons[0], lessons[1]
    now = timezone.now()
    position_save(user=learner, lesson=first, place=Place("", 5), at=now)
    response = merge(
        signed_in,
        [
            # Older than the account's place on another device: that one stays.
            {"lesson": first.id, "heading": "", "paragraph": 1,
             "at": (now - timedelta(hours=1)).isoformat()},
            {"lesson": second.id, "heading": second_heading(second), "paragraph": 2,
             "at": (now - timedelta(minutes=5)).isoformat()},
        ],
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json() == {"kept": 1}
    places = dict(ReadingPosition.objects.values_list("lesson_id", "paragraph"))
    assert places == {first.id: 5, second.id: 2}

    # A newer place from the browser replaces the account's.
    merge(signed_in, [{"lesson": first.id, "heading": "", "paragraph": 7, "at": now.isoformat()}])
    assert ReadingPosition.objects.get(lesson=first).paragraph == 7


def test_a_browser_clock_ahead_cannot_pin_a_place(signed_in, learner, lessons):
    lesson = lessons[0]
    future = (timezone.now() + timedelta(days=365)).isoformat()
    merge(signed_in, [{"lesson": lesson.id, "heading": "", "paragraph": 3, "at": future}])
    assert ReadingPosition.objects.get(lesson=lesson).updated_at <= timezone.now()
    # A place saved while reading afterwards still wins.
    signed_in.post(save_url(lesson), {"heading": "", "paragraph": "4"})
    assert ReadingPosition.objects.get(lesson=lesson).paragraph == 4


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"positions": "all"}),
        json.dumps({"positions": [{"lesson": 1, "heading": "", "paragraph": 1}]}),
        json.dumps({"positions": [{"lesson": True, "paragraph": 1, "at": "2024-01-01T00:00Z"}]}),
    ],
)
def test_a_malformed_merge_is_refused(signed_in, lessons, body):
    response = signed_in.post(
        reverse("progress:positions-merge"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert not ReadingPosition.objects.exists()


def test_places_of_unknown_lessons_are_skipped(signed_in, lessons):
    at = timezone.now().isoformat()
    response = merge(signed_in, [{"lesson": 999_999, "heading": "", "paragraph": 1, "at": at}])
    assert response.json() == {"kept": 0}


def test_places_are_exported_and_deleted_with_the_account(learner, lessons):
    lesson = lessons[0]
    position_save(user=learner, lesson=lesson, place=Place(second_heading(lesson), 2))
    exported = learner_export(user=learner)["reading_positions"]
    assert exported == [
        {
            "course": lesson.course.slug,
            "lesson": lesson.slug,
            "heading": second_heading(lesson),
            "paragraph": 2,
            "updated_at": ReadingPosition.objects.get().updated_at.isoformat(),
        }
    ]
    learner_delete(user=learner)
    assert not ReadingPosition.objects.exists()
