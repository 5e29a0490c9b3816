"""How checks do, for instructors: first attempts counted, figures from fewer than five learners
withheld everywhere, the page and its CSV alike, open to instructors and closed to learners."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from courses.models import Course, Lesson, Status
from courses.services import INSTRUCTOR_GROUP
from practice import stats
from practice.services import check_answer
from tests.conftest import learner_make

SKY, PRIMES = 1, 2
BODY = """Some text.

!!! check "Which colour is a clear sky at noon?"
    - [ ] Green
    - [x] Blue
    - [ ] Red

More text.

!!! check "Which of these are prime numbers? (choose all that apply)"
    - [x] 2
    - [x] 3
    - [ ] 4
    - [ ] 9
"""


@pytest.fixture
def course(db) -> Course:
    return Course.objects.create(slug="colours", title="Colours and numbers")


@pytest.fixture
def lesson(course) -> Lesson:
    return Lesson.objects.create(
        course=course, slug="sky", title="The sky", order=1, body_md=BODY, status=Status.PUBLISHED
    )


@pytest.fixture
def instructor_client(django_user_model) -> Client:
    user = django_user_model.objects.create_user(
        username="ines", email="ines@example.com", password="pw-instructor-2", is_staff=True
    )
    user.groups.add(Group.objects.get(name=INSTRUCTOR_GROUP))
    client = Client()
    client.force_login(user)
    return client


def learners(count: int, prefix: str = "learner") -> list:
    return [
        learner_make(
            f"{prefix}{i}", f"{prefix}{i}@example.com", "pw-learner-1", f"Name {prefix}{i}"
        )
        for i in range(count)
    ]


def answer_all(lesson: Lesson, number: int, choices: list[list[int]], prefix: str = "learner"):
    """Each of len(choices) new learners answers check `number` first with their choice."""
    check = lesson.checks.get(number=number)
    people = learners(len(choices), prefix)
    for person, chosen in zip(people, choices, strict=True):
        check_answer(user=person, check=check, chosen=chosen)
    return check, people


@pytest.fixture
def sky_history(lesson):
    """Ten learners' first tries at the sky check: 5 Blue (right), 3 Green, 2 Red; the three
    who chose Green then try again and get it right (not counted: only first tries are)."""
    check, people = answer_all(lesson, SKY, [[1]] * 5 + [[0]] * 3 + [[2]] * 2)
    for person in people[5:8]:
        check_answer(user=person, check=check, chosen=[1])
    return check


def figures_of(lesson: Lesson, number: int) -> stats.CheckFigures:
    return next(figures for figures in stats.lesson_figures(lesson) if figures.number == number)


def test_first_tries_give_learners_right_share_and_each_wrong_options_choosers(lesson, sky_history):
    sky = figures_of(lesson, SKY)
    assert (sky.learners, sky.right_learners, sky.right_percent) == (10, 5, 50)
    assert [(o.number, o.text, o.learners, o.percent) for o in sky.wrong_options] == [
        (1, "Green", 3, 30),
        (3, "Red", 2, 20),
    ]
    assert [o.misleading for o in sky.wrong_options] == [True, False]  # 30 % or more


def test_a_choose_all_check_counts_every_wrong_option_a_learner_picked(lesson):
    # Right: 2 and 3. Two learners right; one picks 2 and 4; one 4 and 9; one 2, 3 and 9.
    answer_all(lesson, PRIMES, [[0, 1], [0, 1], [0, 2], [2, 3], [0, 1, 3]])
    primes = figures_of(lesson, PRIMES)
    assert (primes.learners, primes.right_learners, primes.right_percent) == (5, 2, 40)
    assert [(o.text, o.learners, o.percent) for o in primes.wrong_options] == [
        ("4", 2, 40),
        ("9", 2, 40),
    ]


def test_four_learners_are_too_few_and_five_give_figures(lesson):
    check, _people = answer_all(lesson, SKY, [[1], [1], [0], [2]])
    four = figures_of(lesson, SKY)
    assert four.withheld
    assert (four.learners, four.right_learners, four.right_percent) == (None, None, None)
    assert all(o.learners is None and o.percent is None for o in four.wrong_options)
    assert not any(o.misleading for o in four.wrong_options)

    check_answer(user=learners(1, "fifth")[0], check=check, chosen=[1])
    five = figures_of(lesson, SKY)
    assert (five.learners, five.right_learners, five.right_percent) == (5, 3, 60)
    assert [(o.learners, o.percent) for o in five.wrong_options] == [(1, 20), (1, 20)]


def test_no_answers_at_all_show_as_fewer_than_five_too(lesson):
    assert figures_of(lesson, PRIMES).withheld


def test_when_a_check_is_reworded_its_figures_start_again(lesson, sky_history):
    lesson.body_md = BODY.replace("a clear sky at noon", "the sky on a clear day")
    lesson.save()
    reworded = figures_of(lesson, SKY)
    assert reworded.check_id == sky_history.pk  # the same check, asking something else now
    assert reworded.withheld


def test_percentages_round_halves_up():
    assert stats.percent_of(1, 8) == 13  # 12.5
    assert stats.percent_of(2, 3) == 67
    assert stats.percent_of(0, 5) == 0 and stats.percent_of(5, 5) == 100


def test_the_figures_take_two_queries_however_many_checks_and_learners(
    course, lesson, sky_history, django_assert_num_queries
):
    second = Lesson.objects.create(course=course, slug="more", title="More", order=2, body_md=BODY)
    answer_all(second, PRIMES, [[0, 1]] * 6, prefix="other")
    with django_assert_num_queries(2):
        assert len(stats.lesson_figures(lesson)) == 2
    with django_assert_num_queries(2):
        by_lesson = stats.course_figures(course)
    assert [(item.title, len(item.checks)) for item in by_lesson] == [("The sky", 2), ("More", 2)]
    assert by_lesson[1].checks[1].learners == 6


# --- The admin pages and the CSV -----------------------------------------------------------------


def lesson_url(lesson: Lesson, csv: bool = False) -> str:
    name = "lesson_statistics_csv" if csv else "lesson_statistics"
    return reverse(f"admin:practice_checkattempt_{name}", args=[lesson.pk])


def course_url(course: Course, csv: bool = False) -> str:
    name = "course_statistics_csv" if csv else "course_statistics"
    return reverse(f"admin:practice_checkattempt_{name}", args=[course.pk])


def page_figures(html: str) -> dict[int, dict]:
    """{check number: its figures as the page shows them, in words}."""
    found = {}
    for row in re.findall(r'<tr data-check="\d+">(.*?)</tr>', html, re.S):
        number = int(re.search(r'<th scope="row">(\d+)\.', row).group(1))
        learners = re.search(r'data-figure="learners">(.*?)</td>', row, re.S).group(1)
        right = re.search(r'data-figure="right">(.*?)</td>', row, re.S).group(1)
        options = re.findall(r'<li data-option="(\d+)"[^>]*>(.*?)</li>', row, re.S)
        found[number] = {
            "learners": learners.strip(),
            "right": " ".join(re.sub(r"<[^>]+>", " ", right).split()),
            "options": {
                int(n): " ".join(re.sub(r"<[^>]+>", " ", text).split()) for n, text in options
            },
        }
    return found


def csv_rows(response) -> list[dict]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_an_instructor_sees_each_checks_figures_and_no_learner_names(
    instructor_client, lesson, sky_history
):
    response = instructor_client.get(lesson_url(lesson))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>" in html and '<th scope="col">' in html
    shown = page_figures(html)
    assert shown[SKY] == {
        "learners": "10",
        "right": "50% (5 learners)",
        "options": {1: "1. Green 30% (3 learners) may mislead", 3: "3. Red 20% (2 learners)"},
    }
    assert shown[PRIMES] == {
        "learners": "fewer than 5",
        "right": "fewer than 5",
        "options": {3: "3. 4 fewer than 5", 4: "4. 9 fewer than 5"},
    }
    assert 'style="width: 30%"' in html  # the bar, beside the number in words
    for name in ("learner0", "Name learner0", "learner0@example.com"):
        assert name not in html


def test_the_csv_has_the_pages_figures_and_withholds_the_same_ones(
    instructor_client, lesson, sky_history
):
    response = instructor_client.get(lesson_url(lesson, csv=True))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    shown = page_figures(instructor_client.get(lesson_url(lesson)).content.decode())
    assert len(rows) == 4  # a row per wrong option
    for row in rows:
        check = shown[int(row["check"])]
        assert row["course"] == "Colours and numbers" and row["lesson"] == "The sky"
        assert row["learners who answered"] == check["learners"]
        if row["learners who answered"] == "fewer than 5":
            assert row["right on the first try"] == row["right on the first try (%)"]
            assert row["learners who chose it"] == row["learners who chose it (%)"]
            assert row["learners who chose it"] == "fewer than 5"
            assert check["options"][int(row["wrong option"])].endswith("fewer than 5")
            continue
        right = f"{row['right on the first try (%)']}% ({row['right on the first try']} learners)"
        assert check["right"] == right
        option = check["options"][int(row["wrong option"])]
        chosen = f"{row['learners who chose it (%)']}% ({row['learners who chose it']} learners)"
        text = row["wrong option's text"]
        assert option.startswith(f"{row['wrong option']}. {text} {chosen}")
        assert option.endswith("may mislead") == (row["may mislead"] == "yes")
    sky = [row for row in rows if row["check"] == str(SKY)]
    assert [(r["wrong option's text"], r["learners who chose it"]) for r in sky] == [
        ("Green", "3"),
        ("Red", "2"),
    ]


def test_the_course_page_and_csv_list_every_lessons_checks(instructor_client, course, lesson):
    Lesson.objects.create(course=course, slug="bare", title="No checks here", order=2)
    html = instructor_client.get(course_url(course)).content.decode()
    assert "The sky" in html and lesson_url(lesson) in html
    assert "No checks here" not in html  # a lesson without checks has nothing to show
    assert set(page_figures(html)) == {SKY, PRIMES}
    rows = csv_rows(instructor_client.get(course_url(course, csv=True)))
    assert {(row["lesson"], row["check"]) for row in rows} == {("The sky", "1"), ("The sky", "2")}


def test_a_learner_or_staff_without_the_permission_cannot_open_the_statistics(
    client, staff_client, learner, lesson
):
    client.force_login(learner)
    for url in (lesson_url(lesson), lesson_url(lesson, csv=True), course_url(lesson.course)):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert staff_client.get(url).status_code == 403


def test_the_lesson_list_links_each_lessons_check_statistics(instructor_client, lesson):
    html = instructor_client.get(reverse("admin:courses_lesson_changelist")).content.decode()
    assert f'<a href="{lesson_url(lesson)}">2 checks</a>' in html
    assert "open bug reports" in html.lower()  # the columns of the floors below stay


def test_the_lesson_form_links_its_check_statistics(instructor_client, lesson):
    page = instructor_client.get(reverse("admin:courses_lesson_change", args=[lesson.pk]))
    assert page.status_code == 200
    assert lesson_url(lesson) in page.content.decode()
    assert reverse("admin:courses_lesson_revisions", args=[lesson.pk]) in page.content.decode()


def test_attempts_are_listed_read_only_and_filtered_by_lesson(
    instructor_client, lesson, sky_history
):
    url = reverse("admin:practice_checkattempt_changelist")
    html = instructor_client.get(f"{url}?knowledge_check__lesson__id__exact={lesson.pk}")
    assert html.status_code == 200
    assert "The sky, check 1" in html.content.decode()
    assert "Name learner0" not in html.content.decode()
    assert instructor_client.get(reverse("admin:practice_checkattempt_add")).status_code == 403


def test_the_statistics_pages_take_the_same_queries_whatever_the_history(
    instructor_client, lesson, sky_history, django_assert_max_num_queries
):
    answer_all(lesson, PRIMES, [[0, 1]] * 7, prefix="more")
    # Signing in and permissions 4, the lesson or course 1, its checks 1, the tallies 1.
    for url in (lesson_url(lesson), course_url(lesson.course, csv=True)):
        with django_assert_max_num_queries(7):
            assert instructor_client.get(url).status_code == 200
