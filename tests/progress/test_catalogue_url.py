"""The catalogue an anonymous reader's browser computes its bar from is a file of its own, at an
address per content version, fetched (and kept) apart from the pages."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.models import Lesson
from courses.services import content_load
from progress.summaries import bar_catalogue

pytestmark = pytest.mark.django_db


def catalogue_url(response) -> str:
    found = re.search(r'data-catalogue-url="([^"]+)"', response.content.decode())
    assert found, "the learner bar names no catalogue"
    return found.group(1)


def test_pages_name_the_catalogue_instead_of_carrying_it(client, lessons):
    page = client.get(lessons[0].get_absolute_url())
    assert "progress-catalogue" not in page.content.decode()
    assert catalogue_url(page).startswith("/progress/catalogue.")
    assert catalogue_url(page).endswith(".en.json")


def test_the_catalogue_is_kept_for_good_and_costs_nothing_once_built(
    client, lessons, django_assert_num_queries
):
    url = catalogue_url(client.get(lessons[0].get_absolute_url()))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    catalogue = json.loads(response.content)
    assert catalogue == json.loads(json.dumps(bar_catalogue().as_json()))
    assert len(catalogue["lessons"]) == len(lessons)
    assert catalogue["levels"][0] == {"number": 0, "xp": 0, "name": "Spark"}
    with django_assert_num_queries(0):
        assert Client().get(url).content == response.content


def test_each_language_has_its_own_catalogue(client, lessons):
    url = catalogue_url(client.get(lessons[0].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko"))
    assert url.endswith(".ko.json")
    assert json.loads(client.get(url).content)["levels"][0]["name"] == "불씨"
    unknown = url.replace(".ko.json", ".xx.json")
    assert client.get(unknown).status_code == 404


def test_a_content_load_gives_a_new_address_and_the_old_one_leads_there(
    client, lessons, content_copy
):
    page = lessons[0].get_absolute_url()
    old = catalogue_url(client.get(page))
    lesson_file = content_copy / lessons[0].source_path
    text = lesson_file.read_text(encoding="utf-8")
    assert "\nxp: 50\n" in text
    lesson_file.write_text(text.replace("\nxp: 50\n", "\nxp: 70\n", 1), encoding="utf-8")
    content_load(root=content_copy)
    assert Lesson.objects.get(pk=lessons[0].pk).xp == 70
    new = catalogue_url(client.get(page))
    assert new != old
    assert json.loads(client.get(new).content)["lessons"][str(lessons[0].pk)]["xp"] == 70
    moved = client.get(old)
    assert moved.status_code == 302 and moved["Location"] == new
    assert "immutable" not in moved["Cache-Control"]


def test_without_javascript_the_bar_shows_the_starting_figures_from_the_cache(client, lessons):
    client.get(lessons[0].get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        # Another lesson's page, built now: its own queries, but none for the bar's totals.
        page = Client().get(lessons[1].get_absolute_url())
    assert not [q for q in captured.captured_queries if "progress_" in q["sql"]]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.content.decode()))
    assert "Level 0 Spark" in text and f"0/{len(lessons)} lessons" in text
