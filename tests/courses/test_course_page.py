"""Courses as learning paths: the course page leads with where the learner stands and one
button, the outline shows each lesson's state, and catalogue cards are whole-card links."""

import re

import pytest
from django.urls import reverse

from courses.content import ContentError
from courses.models import Course, Lesson
from courses.services import content_export, content_load
from progress.services import lesson_complete

pytestmark = pytest.mark.django_db


def course_url(slug: str = "generative-media") -> str:
    return reverse("courses:course-detail", kwargs={"course_slug": slug})


def course_lessons(slug: str = "generative-media") -> list[Lesson]:
    return list(Lesson.objects.published().filter(course__slug=slug).order_by("order"))


def primary(html: str) -> tuple[str, str]:
    match = re.search(
        r'<a class="button button--primary" data-primary href="([^"]+)">([^<]+)</a>', html
    )
    assert match, "the course page has no primary button"
    return match.group(1), match.group(2)


def test_the_primary_button_goes_start_continue_review(client, learner, sample_content):
    lessons = course_lessons()
    assert primary(client.get(course_url()).content.decode()) == (
        lessons[0].get_absolute_url(),
        "Start the course",
    )
    client.force_login(learner)
    assert primary(client.get(course_url()).content.decode())[1] == "Start the course"
    lesson_complete(user=learner, lesson=lessons[0])
    lesson_complete(user=learner, lesson=lessons[1])
    html = client.get(course_url()).content.decode()
    assert primary(html) == (
        lessons[2].get_absolute_url(),
        f"Continue: Lesson 3 — {lessons[2].title}",
    )
    assert f"2</span>/{len(lessons)} lessons done" in html
    done = re.findall(r'class="outline__item outline__item--done" data-lesson-id="(\d+)"', html)
    assert done == [str(lessons[0].id), str(lessons[1].id)]
    current = re.findall(r'outline__item--current" data-lesson-id="(\d+)"', html)
    assert current == [str(lessons[2].id)]
    for lesson in lessons[2:]:
        lesson_complete(user=learner, lesson=lesson)
    assert primary(client.get(course_url()).content.decode()) == (
        lessons[0].get_absolute_url(),
        "Review the course",
    )


def test_the_outline_comes_before_the_introduction_with_level_words(client, sample_content):
    html = client.get(course_url()).content.decode()
    assert html.index('class="outline"') < html.index('class="prose course-intro"')
    assert html.index("data-primary") < html.index('class="outline"')
    assert "Beginner" in html
    assert not re.search(r">l[123]<", html)  # never the level's number
    korean = client.get(course_url(), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "입문" in korean


@pytest.mark.parametrize("completed", [0, 6])
def test_a_signed_in_course_page_costs_the_same_queries_whatever_the_progress(
    client, learner, sample_content, completed, django_assert_max_num_queries
):
    for lesson in course_lessons()[:completed]:
        lesson_complete(user=learner, lesson=lesson)
    client.force_login(learner)
    client.get(course_url())  # the bar's totals are cached for the content version here
    # Session, user, profile and the bell (4), the course with its outline and tags (3), the
    # bar (1), the learner's completions in this course (1).
    with django_assert_max_num_queries(9):
        assert client.get(course_url()).status_code == 200


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="course-card.*?</li>', html, re.S)


def test_catalogue_cards_are_one_link_named_by_the_title(client, sample_content):
    html = client.get("/").content.decode()
    found = cards(html)
    assert len(found) == Course.objects.published().count()
    for card in found:
        links = re.findall(r"<a [^>]*>(.*?)</a>", card, re.S)
        assert len(links) == 1, "a card holds exactly one link"
        assert links[0].strip() in card and "<" not in links[0]
        assert "<button" not in card
    assert "--course-color: #5b47d6" in html  # from content/generative-media/course.md


def test_catalogue_cards_show_the_learners_progress(client, learner, sample_content):
    lessons = course_lessons()
    anonymous = cards(client.get("/").content.decode())[0]
    assert "data-card-progress hidden" in anonymous  # progress.js fills it from local progress
    for lesson in lessons[:3]:
        lesson_complete(user=learner, lesson=lesson)
    client.force_login(learner)
    card = cards(client.get("/").content.decode())[0]
    assert "data-card-progress hidden" not in card
    assert f"3</span>/{len(lessons)} lessons done" in card
    assert f'aria-valuenow="{round(300 / len(lessons))}"' in card


def test_a_bad_colour_is_named_with_its_file_and_line(content_copy):
    course_md = content_copy / "prompt-craft" / "course.md"
    text = course_md.read_text(encoding="utf-8")
    course_md.write_text(text.replace('color: "#c2410c"', 'color: "orange"'), encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        content_load(root=content_copy)
    line = text.splitlines().index('color: "#c2410c"') + 1
    assert f"prompt-craft/course.md:{line}: color: 'orange' is not a colour" in str(excinfo.value)
    course_md.write_text(text.replace('color: "#c2410c"', "color: #c2410c"), encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        content_load(root=content_copy)
    assert f"prompt-craft/course.md:{line}: color: is empty: put the colour in quotes" in str(
        excinfo.value
    )


def test_a_colour_goes_back_to_its_file(content_copy, tmp_path):
    content_load(root=content_copy)
    course = Course.objects.get(slug="prompt-craft")
    assert course.color == "#c2410c"
    course.color = "#0f766e"
    course.save()
    out = tmp_path / "out"
    content_export(root=out)
    written = (out / "prompt-craft" / "course.md").read_text(encoding="utf-8")
    assert "color: '#0f766e'" in written or 'color: "#0f766e"' in written
