"""Knowledge checks (`!!! check`) and the exercise's model answer (`!!! answer`) as lesson
content: read from files and the admin form with the same messages, kept as Check rows in step
with the lesson, cut out of the public page, shown in the admin's preview, exported back."""

import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from courses.content import ContentError
from courses.models import Check, Lesson
from courses.services import content_load
from lessons.caching import shells
from tests.courses.conftest import lesson_form_data
from tests.courses.factories import lesson_text, write_course, write_lesson

pytestmark = pytest.mark.django_db

SINGLE = """!!! check "Which of these is likely to still be true in two years?"
    - [ ] The name of the model at the top of today's leaderboard
      > Leaderboards reshuffle every few weeks.
    - [x] How to compare two models fairly on your own prompts
      > A method for judging outlasts any one model.
    - [ ] This month's price per generated image
      > Prices change with almost every release."""

MULTIPLE = """!!! check "Which of these change the image? <choose all>"
    - [x] The seed
      > A new seed is new starting noise.
    - [x] The number of steps
    - [ ] The file name you save it under
      > Nothing downstream of the render changes the render."""

BODY = f"Before the checks.\n\n{SINGLE}\n\nBetween the checks.\n\n{MULTIPLE}\n\nAfter the checks."

ANSWER = "\n\n!!! answer\n    A *model* answer.\n"

EXPLANATIONS = (
    "Leaderboards reshuffle every few weeks.",
    "A method for judging outlasts any one model.",
    "Prices change with almost every release.",
    "A new seed is new starting noise.",
    "Nothing downstream of the render changes the render.",
)


def load(root: Path) -> str:
    out = io.StringIO()
    call_command("load_content", str(root), stdout=out)
    return out.getvalue()


def export(root: Path) -> str:
    out = io.StringIO()
    call_command("export_content", str(root), stdout=out)
    return out.getvalue()


@pytest.fixture
def tree(tmp_path) -> Path:
    """One course with a lesson holding two checks and a model answer, loaded."""
    root = tmp_path / "content"
    course = write_course(root, "course-a")
    write_with_answer(course / "01-first.md", lesson_text("first", order=1, body=BODY))
    content_load(root=root)
    return root


def write_with_answer(path: Path, text: str) -> None:
    path.write_text(text + ANSWER, encoding="utf-8")


def rows() -> list[tuple]:
    lessons = Lesson.objects.order_by("id").values_list(
        "id", "body_md", "body_html", "answer_md", "answer_html"
    )
    checks = Check.objects.order_by("id").values_list(
        "id", "lesson_id", "number", "question", "options", "fingerprint"
    )
    return list(lessons) + list(checks)


# Reading checks and the answer


def test_loader_reads_single_and_multiple_choice_checks_in_body_order(tree):
    lesson = Lesson.objects.get(slug="first")
    first, second = lesson.checks.all()
    assert (first.number, second.number) == (1, 2)
    assert first.question == "Which of these is likely to still be true in two years?"
    assert not first.multiple
    assert first.options == [
        {
            "text": "The name of the model at the top of today's leaderboard",
            "correct": False,
            "explanation": "Leaderboards reshuffle every few weeks.",
        },
        {
            "text": "How to compare two models fairly on your own prompts",
            "correct": True,
            "explanation": "A method for judging outlasts any one model.",
        },
        {
            "text": "This month's price per generated image",
            "correct": False,
            "explanation": "Prices change with almost every release.",
        },
    ]
    assert second.question == "Which of these change the image? <choose all>"
    assert second.multiple
    assert [option["correct"] for option in second.options] == [True, True, False]
    assert second.options[1]["explanation"] == ""  # explanations are optional
    assert re.fullmatch(r"[0-9a-f]{16}", first.fingerprint)
    assert first.fingerprint != second.fingerprint


def test_loader_reads_the_model_answer_after_the_exercise(tree):
    lesson = Lesson.objects.get(slug="first")
    assert lesson.answer_md == "A *model* answer."
    assert lesson.answer_html == "<p>A <em>model</em> answer.</p>"
    assert "Try it yourself." in lesson.exercise_html
    assert "model" not in lesson.exercise_html
    # The checks stay in the body's markdown, where they are written.
    assert SINGLE in lesson.body_md and MULTIPLE in lesson.body_md


def test_a_lesson_without_an_answer_has_none(tmp_path):
    course = write_course(tmp_path, "course-a")
    write_lesson(course, "plain", order=1)
    content_load(root=tmp_path)
    lesson = Lesson.objects.get(slug="plain")
    assert (lesson.answer_md, lesson.answer_html) == ("", "")
    assert not lesson.checks.exists()


def test_multi_line_explanations_keep_their_lines(tmp_path):
    course = write_course(tmp_path, "course-a")
    body = (
        '!!! check "Two lines?"\n    - [x] Yes\n      > First line.\n      > Second line.\n'
        "    - [ ] No"
    )
    write_lesson(course, "lines", order=1, body=body)
    content_load(root=tmp_path)
    check = Check.objects.get()
    assert check.options[0]["explanation"] == "First line.\nSecond line."


# The marker in the body and the pieces around it


def test_each_check_leaves_an_empty_marker_in_the_body_html(tree):
    lesson = Lesson.objects.get(slug="first")
    html = lesson.body_html
    assert '<div class="check-slot" data-check="1"></div>' in html
    assert '<div class="check-slot" data-check="2"></div>' in html
    assert html.index("Before the checks.") < html.index('data-check="1"')
    assert html.index('data-check="1"') < html.index("Between the checks.")
    assert html.index("Between the checks.") < html.index('data-check="2"')
    assert html.index('data-check="2"') < html.index("After the checks.")
    for text in ("leaderboard", "[x]", "[ ]", *EXPLANATIONS):
        assert text not in html
    assert "leaderboard" not in lesson.body_text  # search does not read the options either


def test_body_pieces_cut_the_body_at_the_markers(tree):
    lesson = Lesson.objects.get(slug="first")
    pieces = lesson.body_pieces()
    assert [number for _html, number in pieces] == [1, 2, None]
    assert "Before the checks." in pieces[0][0]
    assert "Between the checks." in pieces[1][0]
    assert "After the checks." in pieces[2][0]
    assert "".join(html for html, _number in pieces) == re.sub(
        r'<div class="check-slot" data-check="\d+"></div>', "", lesson.body_html
    )
    assert "check-slot" not in "".join(html for html, _number in pieces)


def test_a_body_without_checks_is_one_piece(tmp_path):
    course = write_course(tmp_path, "course-a")
    write_lesson(course, "plain", order=1)
    content_load(root=tmp_path)
    lesson = Lesson.objects.get(slug="plain")
    assert lesson.body_pieces() == [(lesson.body_html, None)]


def test_raw_html_cannot_forge_a_marker(tmp_path):
    course = write_course(tmp_path, "course-a")
    body = '<div class="check-slot" data-check="7"></div>\n\nText.'
    write_lesson(course, "forged", order=1, body=body)
    content_load(root=tmp_path)
    lesson = Lesson.objects.get(slug="forged")
    assert 'data-check="7"' not in lesson.body_html  # the sanitiser keeps no data- attribute
    assert [number for _html, number in lesson.body_pieces()] == [None]


def test_a_check_right_after_a_paragraph_line_still_gets_its_own_place(tmp_path):
    course = write_course(tmp_path, "course-a")
    body = f"A paragraph line.\n{SINGLE}\nA line right after."
    write_lesson(course, "tight", order=1, body=body)
    content_load(root=tmp_path)
    html = Lesson.objects.get(slug="tight").body_html
    assert '<p>A paragraph line.</p>\n<div class="check-slot" data-check="1"></div>' in html
    assert "<p>A line right after.</p>" in html


def test_a_check_in_fenced_code_is_code(tmp_path):
    course = write_course(tmp_path, "course-a")
    body = f"```text\n{SINGLE}\n```"
    write_lesson(course, "shown", order=1, body=body)
    content_load(root=tmp_path)
    lesson = Lesson.objects.get(slug="shown")
    assert not lesson.checks.exists()
    assert "check-slot" not in lesson.body_html
    assert "!!! check" in lesson.body_html


# The page: which options are right is never in it


def test_the_public_lesson_page_never_says_which_options_are_right(client, tree):
    lesson = Lesson.objects.get(slug="first")
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "Before the checks." in page and "After the checks." in page
    assert "A *model* answer" not in page and "A <em>model</em> answer" not in page
    for text in ("[x]", '"correct"', "check-slot", lesson.checks.first().fingerprint):
        assert text not in page
    for explanation in EXPLANATIONS:
        assert explanation not in page


def test_the_page_asks_for_each_check_where_it_stands_and_for_the_answer(client, tree, monkeypatch):
    def drawn(request, slot, values, **kwargs):
        if slot == "lesson-check":
            return f"[check {values['number']} of lesson {values['lesson_id']}]"
        if slot == "exercise-answer":
            return f"[answer of lesson {values['lesson_id']}]"
        return ""

    monkeypatch.setattr(shells, "render_part", drawn)
    lesson = Lesson.objects.get(slug="first")
    page = client.get(lesson.get_absolute_url()).content.decode()
    order = [
        "Before the checks.",
        f"[check 1 of lesson {lesson.id}]",
        "Between the checks.",
        f"[check 2 of lesson {lesson.id}]",
        "After the checks.",
        "Try it yourself.",
        f"[answer of lesson {lesson.id}]",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)


# Refusals: the same words in a file (file:line) and in the admin form (line N of the body)

QUESTION = "Which one?"
NINE_OPTIONS = "\n".join(f"    - [{'x' if n == 1 else ' '}] Option {n}" for n in range(1, 10))
LONG_QUESTION = "Why " + "very " * 60 + "long?"

# (body, the line of the body that is at fault, message)
REFUSED = [
    pytest.param(
        f'!!! check "{QUESTION}"\n    - [ ] One\n    - [ ] Two',
        0,
        f"check 1 “{QUESTION}”: no option is marked correct: mark the right one(s) '- [x]'",
        id="no-correct-option",
    ),
    pytest.param(
        f'!!! check "{QUESTION}"\n    - [ ] One\n    - [x]',
        2,
        f"check 1 “{QUESTION}”: option 2 has no text: write it after '- [ ]' or '- [x]'",
        id="option-without-text",
    ),
    pytest.param(
        f'!!! check "{QUESTION}"\n{NINE_OPTIONS}',
        0,
        f"check 1 “{QUESTION}”: has 9 options; a check has at most 8",
        id="nine-options",
    ),
    pytest.param(
        f'!!! check "{QUESTION}"\n    - [x] Only one',
        0,
        f"check 1 “{QUESTION}”: has 1 option; a check needs at least 2 ('- [ ] text' or "
        "'- [x] text', indented under '!!! check')",
        id="one-option",
    ),
    pytest.param(
        "!!! check\n    - [x] One\n    - [ ] Two",
        0,
        "check 1: has no question: write it in quotes after '!!! check', "
        'like !!! check "Which of these …?"',
        id="no-question",
    ),
    pytest.param(
        f'!!! check "{LONG_QUESTION}"\n    - [x] One\n    - [ ] Two',
        0,
        f"check 1 “{LONG_QUESTION[:59]}…”: the question is {len(LONG_QUESTION)} characters "
        "long; the limit is 300",
        id="question-too-long",
    ),
    pytest.param(
        f'!!! check "{QUESTION}"\n    > Said before any option.\n    - [x] One\n    - [ ] Two',
        1,
        f"check 1 “{QUESTION}”: an explanation ('> …') must be indented under its option",
        id="explanation-before-options",
    ),
    pytest.param(
        f'!!! check "{QUESTION}"\n    - [x] One\n    > Not indented under it.\n    - [ ] Two',
        2,
        f"check 1 “{QUESTION}”: an explanation ('> …') must be indented under its option",
        id="explanation-not-indented",
    ),
    pytest.param(
        f'!!! check "{QUESTION}"\n    - [x] One\n    - [ ] Two\n    - Three',
        3,
        f"check 1 “{QUESTION}”: an option is written '- [ ] text', or '- [x] text' for a "
        "correct one",
        id="option-without-box",
    ),
    pytest.param(
        f'Fine.\n\n!!! check "Fine?"\n    - [x] Yes\n    - [ ] No\n\n'
        f'!!! check "{QUESTION}"\n    - [ ] One\n    - [ ] Two',
        6,
        f"check 2 “{QUESTION}”: no option is marked correct: mark the right one(s) '- [x]'",
        id="second-check-named-by-number",
    ),
    pytest.param(
        f'- A list item\n\n    !!! check "{QUESTION}"\n        - [x] One\n        - [ ] Two',
        2,
        "a '!!! check' block must be at the top level of the lesson body, not indented inside "
        "a list or another block (to show the syntax, put it in a fenced code block)",
        id="check-inside-a-list",
    ),
]

# The factory's lesson body starts on this line of the file (after the front matter, a blank
# line, "## First section" and another blank line).
FIRST_BODY_LINE = 17


@pytest.mark.parametrize(("body", "line", "message"), REFUSED)
def test_a_refused_check_names_its_file_and_line_and_changes_nothing(tree, body, line, message):
    before = rows()
    write_with_answer(tree / "course-a" / "01-first.md", lesson_text("first", body=body))
    with pytest.raises(ContentError) as excinfo:
        content_load(root=tree)
    assert [str(error) for error in excinfo.value.errors] == [
        f"course-a/01-first.md:{FIRST_BODY_LINE + line}: {message}"
    ]
    assert rows() == before


def test_the_factory_body_starts_where_the_refusal_test_says(tmp_path):
    text = lesson_text("first", body="THE BODY")
    assert text.split("\n").index("THE BODY") + 1 == FIRST_BODY_LINE


@pytest.mark.parametrize(("body", "line", "message"), REFUSED)
def test_the_admin_form_refuses_a_check_in_the_same_words(
    instructor_client, tree, body, line, message
):
    lesson = Lesson.objects.get(slug="first")
    before = rows()
    response = instructor_client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, body_md=f"## First section\n\n{body}"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["body_md"] == [f"line {line + 3}: {message}"]
    assert rows() == before


def test_a_model_answer_must_follow_the_exercise(tree):
    before = rows()
    text = lesson_text("first", body=f"Text.\n\n!!! answer\n    Too early.\n\n{SINGLE}")
    (tree / "course-a" / "01-first.md").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        content_load(root=tree)
    assert [str(error) for error in excinfo.value.errors] == [
        f"course-a/01-first.md:{FIRST_BODY_LINE + 2}: answer: the '!!! answer' block must come "
        "right after the '!!! exercise' block"
    ]
    assert rows() == before


def test_a_lesson_has_at_most_one_model_answer(tree):
    before = rows()
    text = lesson_text("first", body=BODY) + ANSWER + "\n!!! answer\n    Another one.\n"
    (tree / "course-a" / "01-first.md").write_text(text, encoding="utf-8")
    second = text.split("\n").index("!!! answer", text.split("\n").index("!!! answer") + 1) + 1
    with pytest.raises(ContentError) as excinfo:
        content_load(root=tree)
    assert [str(error) for error in excinfo.value.errors] == [
        f"course-a/01-first.md:{second}: answer: a second '!!! answer' block; a lesson has at "
        "most one"
    ]
    assert rows() == before


def test_admin_keeps_the_model_answer_in_its_own_field(instructor_client, tree):
    lesson = Lesson.objects.get(slug="first")
    response = instructor_client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, body_md="Text.\n\n!!! answer\n    In the body."),
    )
    assert response.context["adminform"].form.errors["body_md"] == [
        "line 3: a '!!! answer' block belongs in the “Model answer” field below, not in the body"
    ]


def test_admin_keeps_checks_out_of_the_exercise(instructor_client, tree):
    lesson = Lesson.objects.get(slug="first")
    response = instructor_client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, exercise_md=f"Do this.\n\n{SINGLE}"),
    )
    assert response.context["adminform"].form.errors["exercise_md"] == [
        "line 3: a '!!! check' block must be at the top level of the lesson body, not indented "
        "inside a list or another block (to show the syntax, put it in a fenced code block)"
    ]


def test_a_check_inside_the_exercise_block_of_a_file_is_refused(tree):
    inside = "    " + SINGLE.replace("\n", "\n    ")
    text = lesson_text("first", body="Text.").replace(
        "    Try it yourself.\n", f"    Try it yourself.\n\n{inside}\n"
    )
    (tree / "course-a" / "01-first.md").write_text(text, encoding="utf-8")
    text_lines = text.split("\n")
    line = next(i for i, each in enumerate(text_lines) if each.startswith("    !!! check")) + 1
    with pytest.raises(ContentError) as excinfo:
        content_load(root=tree)
    assert [str(error) for error in excinfo.value.errors] == [
        f"course-a/01-first.md:{line}: a '!!! check' block must be at the top level of the "
        "lesson body, not indented inside a list or another block (to show the syntax, put it "
        "in a fenced code block)"
    ]


# Keeping the rows in step: upsert by number


def test_editing_a_check_in_the_file_keeps_its_row_and_changes_its_fingerprint(tree):
    first, second = Lesson.objects.get(slug="first").checks.all()
    body = BODY.replace("How to compare two models fairly", "How to compare any two models")
    write_with_answer(tree / "course-a" / "01-first.md", lesson_text("first", body=body))
    assert "1 updated" in load(tree)
    edited, same = Lesson.objects.get(slug="first").checks.all()
    assert (edited.pk, same.pk) == (first.pk, second.pk)
    assert edited.options[1]["text"] == "How to compare any two models on your own prompts"
    assert edited.fingerprint != first.fingerprint
    assert same.fingerprint == second.fingerprint


def test_an_explanation_is_not_part_of_the_fingerprint(tree):
    first = Lesson.objects.get(slug="first").checks.first()
    body = BODY.replace("Leaderboards reshuffle every few weeks.", "Leaderboards reshuffle.")
    write_with_answer(tree / "course-a" / "01-first.md", lesson_text("first", body=body))
    load(tree)
    edited = Check.objects.get(pk=first.pk)
    assert edited.options[0]["explanation"] == "Leaderboards reshuffle."
    assert edited.fingerprint == first.fingerprint


def test_removing_a_check_deletes_its_row(tree):
    first = Lesson.objects.get(slug="first").checks.first()
    body = f"Before the checks.\n\n{SINGLE}\n\nAfter the checks."
    write_with_answer(tree / "course-a" / "01-first.md", lesson_text("first", body=body))
    load(tree)
    assert list(Check.objects.values_list("pk", "number")) == [(first.pk, 1)]
    assert [number for _html, number in Lesson.objects.get(pk=first.lesson_id).body_pieces()] == [
        1,
        None,
    ]


def test_admin_edits_keep_check_ids_and_delete_removed_checks(instructor_client, tree):
    lesson = Lesson.objects.get(slug="first")
    first, second = lesson.checks.all()
    url = reverse("admin:courses_lesson_change", args=[lesson.pk])
    reworded = lesson.body_md.replace("in two years?", "in five years?")
    response = instructor_client.post(url, lesson_form_data(lesson, body_md=reworded))
    assert response.status_code == 302
    assert list(lesson.checks.values_list("pk", "question")) == [
        (first.pk, "Which of these is likely to still be true in five years?"),
        (second.pk, second.question),
    ]
    lesson.refresh_from_db()
    response = instructor_client.post(
        url, lesson_form_data(lesson, body_md=lesson.body_md.replace(MULTIPLE, ""))
    )
    assert response.status_code == 302
    assert list(lesson.checks.values_list("pk", flat=True)) == [first.pk]


def test_admin_edits_the_model_answer_as_a_revision(instructor_client, tree):
    lesson = Lesson.objects.get(slug="first")
    response = instructor_client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, answer_md="A **better** answer."),
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.answer_html == "<p>A <strong>better</strong> answer.</p>"
    assert lesson.edited_since_loaded
    assert lesson.revisions.first().changed_fields == ["answer_md"]


def test_a_save_that_fails_keeps_the_checks_as_they_were(tree):
    lesson = Lesson.objects.get(slug="first")
    before = rows()
    lesson.body_md = f'{SINGLE}\n\n!!! check "Broken"\n    - [ ] a\n    - [ ] b'
    with pytest.raises(ValueError, match="no option is marked correct"):
        lesson.save()
    assert rows() == before


def test_check_rows_refuse_control_characters_and_bad_options(tree):
    check = Check.objects.first()
    check.options[0]["explanation"] = "A bell\x07."
    with pytest.raises(ValidationError, match="control character"):
        check.full_clean()
    check.options = [{"text": "Only one", "correct": True, "explanation": ""}]
    with pytest.raises(ValidationError, match="must be a list of 2 to 8 options"):
        check.full_clean()


# Preview: staff see the checks in place, right options marked, and the model answer


def test_preview_shows_each_check_with_its_right_options_and_the_model_answer(
    instructor_client, tree
):
    lesson = Lesson.objects.get(slug="first")
    response = instructor_client.post(
        reverse("admin:courses_lesson_preview", args=[lesson.pk]),
        lesson_form_data(lesson, body_md=lesson.body_md.replace("two years", "three years")),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Which of these is likely to still be true in three years?" in page
    assert "Which of these change the image? &lt;choose all&gt;" in page  # escaped
    assert '✓ right:</strong> <span dir="auto">How to compare two models fairly' in page
    assert '✗ wrong:</span> <span dir="auto">This month&#x27;s price' in page
    for explanation in EXPLANATIONS:
        assert explanation in page
    assert page.index("Before the checks.") < page.index("three years?")
    assert page.index("three years?") < page.index("Between the checks.")
    assert "A <em>model</em> answer." in page
    assert "check-slot" not in page
    assert Lesson.objects.get(pk=lesson.pk).checks.first().question.endswith("two years?")


# Round trip: checks and the answer are written back in the same syntax


def test_export_writes_checks_and_the_answer_back_and_loading_them_changes_nothing(tree, tmp_path):
    before = rows()
    out = tmp_path / "exported"
    export(out)
    text = (out / "course-a" / "01-first.md").read_text(encoding="utf-8")
    assert SINGLE in text and MULTIPLE in text
    assert "!!! exercise\n    Try it yourself.\n\n!!! answer\n    A *model* answer.\n" in text
    assert "lessons: 0 created, 0 updated, 1 unchanged" in load(out)
    assert rows() == before
    assert "files: 0 written" in export(out)


def test_an_answer_edited_in_admin_is_exported_after_the_exercise(instructor_client, tmp_path):
    course = write_course(tmp_path / "content", "course-a")
    write_lesson(course, "plain", order=1, body=BODY)
    content_load(root=tmp_path / "content")
    lesson = Lesson.objects.get(slug="plain")
    response = instructor_client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, answer_md="Written in admin."),
    )
    assert response.status_code == 302
    export(tmp_path / "content")
    text = (course / "01-plain.md").read_text(encoding="utf-8")
    assert text.endswith(
        "!!! exercise\n    Try it yourself.\n\n!!! answer\n    Written in admin.\n"
    )
    assert "lessons: 0 created, 0 updated, 1 unchanged" in load(tmp_path / "content")
