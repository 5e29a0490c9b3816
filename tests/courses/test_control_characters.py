"""Control characters never reach lessons and courses: the loader refuses a file holding one
with its file and line, the admin's forms with an error on the field, both in the model
fields' words (lessons.text); a search query is searched without them."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from courses.content import ContentError
from courses.content.parsing import CONTROL_LINES_SHOWN
from courses.models import Course, Lesson, Status
from courses.search import SearchTerms
from courses.services import content_load
from progress.models import Achievement
from tests.courses.conftest import lesson_form_data
from tests.courses.factories import lesson_text, write_course, write_lesson

pytestmark = pytest.mark.django_db

MESSAGE = "This text contains an invisible control character ({}): please remove it."
NUL_MESSAGE = "Null characters are not allowed."  # Django's own, on every form field


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "content"
    course = write_course(root, "course-a")
    write_lesson(course, "first", order=1)
    write_lesson(course, "second", order=2)
    return root


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        content_load(root=root)
    return [str(problem) for problem in caught.value.errors]


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if line.startswith(start))


def add_lesson(tree: Path, text: str) -> str:
    (tree / "course-a" / "03-odd.md").write_text(text, encoding="utf-8")
    return "course-a/03-odd.md"


# --- The loader --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "char", ["\x00", "\x1e", "\x07", "\x9b"], ids=["NUL", "U+001E", "bell", "C1 CSI"]
)
def test_a_control_character_in_a_lesson_body_is_refused_with_its_file_and_line(tree, char):
    text = lesson_text("third", order=3, body=f"Some{char}text.")
    path = add_lesson(tree, text)
    code_point = f"U+{ord(char):04X}"
    assert problems_of(tree) == [f"{path}:{line_of(text, 'Some')}: {MESSAGE.format(code_point)}"]
    assert not Lesson.objects.exists() and not Course.objects.exists()


def test_a_control_character_in_the_front_matter_is_refused_on_its_line(tree):
    text = lesson_text("third", order=3, summary="Bell\x07here")
    path = add_lesson(tree, text)
    line = line_of(text, "summary:")
    assert problems_of(tree) == [f"{path}:{line}: {MESSAGE.format('U+0007')}"]


def test_a_control_character_written_as_a_yaml_escape_is_refused_on_its_field(tree):
    text = lesson_text("third", order=3).replace("title: Lesson third", 'title: "Intro\\x1eOne"')
    path = add_lesson(tree, text)
    line = line_of(text, "title:")
    assert problems_of(tree) == [f"{path}:{line}: title: {MESSAGE.format('U+001E')}"]


def test_a_nul_written_as_a_yaml_escape_in_a_link_is_refused(tree):
    text = lesson_text("third", order=3).replace("title: Example", 'title: "Ex\\0ample"')
    path = add_lesson(tree, text)
    line = line_of(text, "  - title:")
    assert problems_of(tree) == [f"{path}:{line}: links[1]: {MESSAGE.format('U+0000')}"]


def test_a_control_character_in_a_course_file_is_refused(tree):
    course_md = tree / "course-a" / "course.md"
    course_md.write_text(
        course_md.read_text(encoding="utf-8").replace("An introduction.", "An\x00intro."),
        encoding="utf-8",
    )
    line = line_of(course_md.read_text(encoding="utf-8"), "An")
    assert problems_of(tree) == [f"course-a/course.md:{line}: {MESSAGE.format('U+0000')}"]


def test_a_file_full_of_control_characters_gets_a_short_error(tree):
    body = "\n\n".join(f"Line {n}\x00" for n in range(200))
    add_lesson(tree, lesson_text("third", order=3, body=body))
    problems = problems_of(tree)
    assert len(problems) == CONTROL_LINES_SHOWN + 1
    assert problems[-1].endswith(
        f"and {200 - CONTROL_LINES_SHOWN} more lines with control characters"
    )


def test_line_numbers_count_newlines_only_not_what_python_splits_lines_at(tree):
    # U+001E, U+001C and U+0085 end a line for str.splitlines(); the file's lines are "\n".
    body = "First\x1eSecond\n\nThird\x85"
    text = lesson_text("third", order=3, body=body)
    path = add_lesson(tree, text)
    first = line_of(text, "First")
    assert problems_of(tree) == [
        f"{path}:{first}: {MESSAGE.format('U+001E')}",
        f"{path}:{first + 2}: {MESSAGE.format('U+0085')}",
    ]


def test_windows_line_endings_and_tabs_in_a_file_still_load(tree):
    text = lesson_text("third", order=3, body="Tab\tseparated.").replace("\n", "\r\n")
    (tree / "course-a" / "03-windows.md").write_bytes(text.encode("utf-8"))
    content_load(root=tree)
    assert "Tab\tseparated." in Lesson.objects.get(slug="third").body_md


def test_a_control_character_in_an_achievement_name_is_refused(content_copy):
    achievements = content_copy / "achievements.yaml"
    text = achievements.read_text(encoding="utf-8")
    old = "name: {en: First steps, ko: 첫걸음}"
    achievements.write_text(text.replace(old, 'name: {en: "First\\0steps", ko: 첫걸음}'), "utf-8")
    line = line_of(achievements.read_text(encoding="utf-8"), '  name: {en: "First')
    problems = problems_of(content_copy)
    assert problems == [f"achievements.yaml:{line}: name: the en text: {MESSAGE.format('U+0000')}"]
    assert not Achievement.objects.exists()


# --- The admin's forms -------------------------------------------------------------------------


def change_url(lesson: Lesson) -> str:
    return reverse("admin:courses_lesson_change", args=[lesson.pk])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Intro\x1eOne", MESSAGE.format("U+001E")),
        ("summary", "A\x1bsummary", MESSAGE.format("U+001B")),
        ("persona", "피\x7f파", MESSAGE.format("U+007F")),
        ("body_md", "Some\x07text.\r\n", MESSAGE.format("U+0007")),
        ("body_md", "Some\x00text.", NUL_MESSAGE),
        ("takeaways_md", "- keep\x85this", MESSAGE.format("U+0085")),
        ("exercise_md", "Try\x1fit.", MESSAGE.format("U+001F")),
        (
            "links",
            json.dumps([{"title": "Ex\x00ample", "url": "https://example.com/"}]),
            f"links[1]: {MESSAGE.format('U+0000')}",
        ),
    ],
    ids=["title", "summary", "persona", "body", "body-NUL", "takeaways", "exercise", "link"],
)
def test_the_lesson_form_refuses_control_characters_on_their_field(
    instructor_client, course_tree, field, value, message
):
    lesson = Lesson.objects.get(slug="first")
    response = instructor_client.post(
        change_url(lesson), lesson_form_data(lesson, **{field: value})
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert Lesson.objects.get(pk=lesson.pk).body_md == lesson.body_md


def test_the_lesson_form_keeps_browser_line_endings(instructor_client, course_tree):
    lesson = Lesson.objects.get(slug="first")
    body = "Line one\r\n\r\n\tcode\r\n"
    response = instructor_client.post(change_url(lesson), lesson_form_data(lesson, body_md=body))
    assert response.status_code == 302


def test_the_lesson_preview_refuses_control_characters_instead_of_failing(
    instructor_client, course_tree
):
    lesson = Lesson.objects.get(slug="first")
    response = instructor_client.post(
        reverse("admin:courses_lesson_preview", args=[lesson.pk]),
        lesson_form_data(lesson, title="Intro\x1eOne"),
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "Course\x1eA"), ("tagline", "\x1b[31mred"), ("intro_md", "I\x00")],
)
def test_the_course_form_refuses_control_characters(admin_client, course_tree, field, value):
    course = Course.objects.get()
    data = {
        "title": course.title,
        "slug": course.slug,
        "tagline": course.tagline,
        "intro_md": course.intro_md,
        "order": course.order,
        "status": course.status,
        field: value,
    }
    response = admin_client.post(reverse("admin:courses_course_change", args=[course.pk]), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    assert Course.objects.get().title == course.title


# --- Search ------------------------------------------------------------------------------------


@pytest.fixture
def guidance() -> Lesson:
    course = Course.objects.create(slug="media", title="Generative Media", order=1)
    return Lesson.objects.create(
        course=course,
        slug="guidance",
        title="Guidance explained",
        order=1,
        summary="한 줄 요약이야.",
        body_md="Why guidance matters.",
        takeaways_md="- Keep it.",
        exercise_md="Try it.",
        status=Status.PUBLISHED,
    )


@pytest.mark.parametrize(
    "query", ["%00guidance", "guid%00ance", "guidance%1E%07", "%C2%85guidance"]
)
def test_a_search_with_control_characters_searches_without_them(client, guidance, query):
    response = client.get(f"{reverse('courses:search')}?q={query}")
    assert response.status_code == 200
    assert response.context["terms"].text == "guidance"
    assert [lesson.slug for lesson in response.context["page_obj"].object_list] == ["guidance"]


def test_a_search_of_only_control_characters_is_an_empty_search(client, guidance):
    response = client.get(f"{reverse('courses:search')}?q=%00%01%1E")
    assert response.status_code == 200
    assert not response.context["terms"]


def test_search_terms_drop_control_characters():
    terms = SearchTerms.parse("\x00diff\x1eusion  mo\x7fdels\x00")
    assert terms.text == "diffusion models"
    assert terms.words == ("diffusion", "models")
