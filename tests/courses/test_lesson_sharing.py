"""What a lesson page tells browsers, link previews and screen readers about itself."""

import html
import re

from courses.models import Lesson


def meta(page: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', page)
    return html.unescape(found.group(1)) if found else None


def test_a_shared_lesson_link_shows_its_title_course_and_summary(client, sample_content):
    lesson = Lesson.objects.get(course__slug="generative-media", order=1)
    page = client.get(lesson.get_absolute_url()).content.decode()

    assert f"<title>{lesson.title} — {lesson.course.title} — " in page
    assert meta(page, "og:title") == lesson.title
    assert meta(page, "og:description") == lesson.summary
    assert meta(page, "og:site_name")
    assert meta(page, "article:section") == lesson.course.title
    assert meta(page, "twitter:card") == "summary"
    assert 'rel="icon" href="/static/img/favicon.svg"' in page
    assert 'rel="manifest"' in page


def test_each_block_of_a_lesson_says_which_language_it_is_in(client, sample_content):
    lesson = Lesson.objects.get(course__slug="generative-media", order=1)
    page = client.get(lesson.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert '<html lang="ko">' in page
    assert re.search(r'<aside class="callout callout--summary"[^>]* lang="ko"', page)
    assert '<div class="prose lesson__body" lang="en">' in page
    assert page.count('<div class="prose" lang="en">') == 2  # takeaways and exercise


def test_learners_see_a_position_and_a_level_in_words(client, sample_content):
    lesson = Lesson.objects.get(course__slug="generative-media", order=1)
    page = client.get(lesson.get_absolute_url()).content.decode()

    assert "Lesson 01 of 10" in page
    assert "published" not in re.search(r'lesson__position">(.*?)</p>', page, re.S).group(1)
    assert '<span class="level level--1">Beginner</span>' in page
    assert f">l{lesson.level}<" not in page


def test_the_settings_language_menu_says_what_empty_means(client, learner):
    client.force_login(learner)
    page = client.get("/accounts/settings/").content.decode()
    assert "---------" not in page
    assert '<option value="">Same as my browser</option>' in page or (
        'value="" selected>Same as my browser' in page
    )
