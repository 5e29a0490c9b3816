"""Reading positions hold heading ids, never control characters: a place or a merge carrying
one is refused with a 400 that says so (PostgreSQL cannot store U+0000 at all), and a browser's
time out of the calendar's range is clamped rather than failing the merge."""

import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from progress.models import ReadingPosition
from progress.rules import EARLIEST

pytestmark = pytest.mark.django_db

CONTROLS = {
    "NUL": "\x00",
    "record separator": "\x1e",
    "escape": "\x1b",
    "DEL": "\x7f",
    "next line (C1)": "\x85",
    "lone carriage return": "\r",
}


def save(client, lesson, heading: str):
    return client.post(
        reverse("progress:position-save", args=[lesson.id]), {"heading": heading, "paragraph": "1"}
    )


def merge(client, positions: list[dict]):
    return client.post(
        reverse("progress:positions-merge"),
        json.dumps({"positions": positions}),
        content_type="application/json",
    )


def position(lesson, *, heading: str = "", at: str | None = None) -> dict:
    at = at or timezone.now().isoformat()
    return {"lesson": lesson.id, "heading": heading, "paragraph": 1, "at": at}


@pytest.mark.parametrize("control", CONTROLS.values(), ids=CONTROLS.keys())
def test_a_place_whose_heading_holds_a_control_character_is_refused(signed_in, lessons, control):
    response = save(signed_in, lessons[0], f"a{control}b")
    assert response.status_code == 400
    assert "heading" in response.json()["error"]
    assert "control character" in response.json()["error"]
    assert not ReadingPosition.objects.exists()


@pytest.mark.parametrize(
    "heading", ["x\u0000y", "x\x1ey", "\ud800", "x\x9fy"], ids=["NUL", "U+001E", "surrogate", "C1"]
)
def test_a_merge_with_a_control_character_in_a_heading_is_refused(signed_in, lessons, heading):
    response = merge(signed_in, [position(lessons[0]), position(lessons[1], heading=heading)])
    assert response.status_code == 400
    assert "heading" in response.json()["error"]
    assert not ReadingPosition.objects.exists()


def test_a_heading_that_is_a_real_id_is_still_kept(signed_in, learner, lessons):
    heading = lessons[0].toc[1]["id"]
    assert save(signed_in, lessons[0], heading).status_code == 204
    assert ReadingPosition.objects.get(user=learner).heading_id == heading


@pytest.mark.parametrize(
    "at",
    ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00-14:00"],
    ids=["before-year-1-in-utc", "year-1-utc", "year-1-behind-utc"],
)
def test_a_time_in_year_1_is_clamped_to_the_calendar_not_a_500(signed_in, learner, lessons, at):
    response = merge(signed_in, [position(lessons[0], at=at)])
    assert response.status_code == 200
    assert response.json() == {"kept": 1}
    assert ReadingPosition.objects.get(user=learner).updated_at == EARLIEST


def test_a_time_after_year_9999_in_utc_is_taken_as_now(signed_in, learner, lessons):
    response = merge(signed_in, [position(lessons[0], at="9999-12-31T23:59:59-14:00")])
    assert response.status_code == 200
    assert ReadingPosition.objects.get(user=learner).updated_at <= timezone.now()


def test_a_clamped_old_place_loses_to_one_saved_while_reading(signed_in, learner, lessons):
    assert save(signed_in, lessons[0], "").status_code == 204
    merge(signed_in, [position(lessons[0], at="0001-01-01T00:00:00+14:00")])
    saved = ReadingPosition.objects.get(user=learner).updated_at
    assert saved > datetime(2000, 1, 1, tzinfo=UTC)
