from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.content.problems import ContentError
from courses.models import Course, Lesson, LessonLanguage, Status, Tag
from courses.search import MAX_QUERY_LENGTH, SearchTerms, fallback_matching, marked, text_snippet
from courses.services import content_load
from tests.courses.conftest import lesson_form_data
from tests.courses.factories import write_course, write_lesson

pytestmark = pytest.mark.django_db
postgres = pytest.mark.postgres

SEARCH = reverse("courses:search")


@pytest.fixture
def course() -> Course:
    return Course.objects.create(slug="media", title="Generative Media", order=1)


def lesson_make(
    course: Course,
    slug: str,
    *,
    title: str = "",
    summary: str = "한 줄 요약이야.",
    body: str = "Some text.",
    takeaways: str = "- One thing to keep.",
    tags: tuple[str, ...] = (),
    status: str = Status.PUBLISHED,
    language: str = LessonLanguage.ENGLISH,
    **fields,
) -> Lesson:
    order = fields.pop("order", Lesson.objects.filter(course=course).count() + 1)
    lesson = Lesson.objects.create(
        course=course,
        slug=slug,
        title=title or f"Lesson {slug}",
        order=order,
        summary=summary,
        body_md=body,
        takeaways_md=takeaways,
        exercise_md="Try it.",
        status=status,
        language=language,
        **fields,
    )
    lesson.tags.set([Tag.objects.get_or_create(slug=slug)[0] for slug in tags])
    return lesson


def found(query: str, client: Client | None = None) -> list[str]:
    """The slugs of the lessons the search page lists for `query`, in its order."""
    response = (client or Client()).get(SEARCH, {"q": query})
    assert response.status_code == 200
    page = response.context["page_obj"]
    return [lesson.slug for lesson in page.object_list] if page else []


# What is found


@postgres
def test_a_title_hit_ranks_above_a_body_hit(course):
    lesson_make(course, "in-body", title="Sampling steps", body="Why guidance matters here.")
    lesson_make(course, "in-title", title="Guidance explained", body="Nothing else here.")
    assert found("guidance") == ["in-title", "in-body"]


@pytest.mark.parametrize(
    ("field", "where"),
    [
        ("title", {"title": "Upscaling tricks"}),
        ("summary", {"summary": "Upscaling은 마지막에 해."}),
        ("body", {"body": "## Later\n\nThen try **upscaling** the result."}),
        ("takeaways", {"takeaways": "- Upscaling comes last."}),
        ("tags", {"tags": ("upscaling",)}),
    ],
)
def test_each_field_of_a_lesson_is_searched(course, field, where):
    lesson_make(course, "other", title="Something else")
    lesson_make(course, "wanted", **where)
    assert found("upscaling") == ["wanted"], field


def test_the_course_title_is_searched(course):
    lesson_make(course, "wanted")
    elsewhere = Course.objects.create(slug="prompts", title="Prompt Craft", order=2)
    lesson_make(elsewhere, "other")
    assert found("generative") == ["wanted"]


@postgres
def test_english_words_are_matched_by_their_stem(course):
    lesson_make(course, "wanted", body="Prompting well is a skill.")
    lesson_make(course, "other", body="Nothing to see.")
    assert found("prompts") == ["wanted"]


@postgres
def test_a_typo_still_finds_the_lesson(course):
    lesson_make(course, "wanted", title="How Diffusion Models Work")
    lesson_make(course, "other", title="Licensing and ethics")
    assert found("difusion") == ["wanted"]


@postgres
def test_a_korean_word_finds_it_with_a_particle_attached(course):
    lesson_make(
        course,
        "korean",
        title="영상 생성 입문",
        summary="짧게 정리해 볼게.",
        body="이 모델은 노이즈를 조금씩 걷어내.",
        language=LessonLanguage.KOREAN,
    )
    lesson_make(course, "english", title="Video generation", body="No Korean here.")
    assert found("모델") == ["korean"]


@postgres
def test_a_korean_query_finds_the_korean_summary_of_an_english_lesson(course):
    lesson_make(course, "wanted", summary="시드는 재현성을 위한 열쇠야.")
    lesson_make(course, "other", summary="프롬프트는 brief야.")
    assert found("시드") == ["wanted"]


def test_drafts_archived_scheduled_and_hidden_courses_are_never_found(course):
    lesson_make(course, "published", title="Seeds, published")
    lesson_make(course, "draft", title="Seeds, draft", status=Status.DRAFT)
    lesson_make(course, "archived", title="Seeds, archived", status=Status.ARCHIVED)
    lesson_make(
        course,
        "scheduled",
        title="Seeds, scheduled",
        publish_at=timezone.now() + timedelta(days=1),
    )
    hidden = Course.objects.create(slug="hidden", title="Hidden", order=2, status=Status.DRAFT)
    lesson_make(hidden, "in-draft-course", title="Seeds, in a draft course")
    assert found("seeds") == ["published"]


def test_staff_search_like_learners_drafts_are_not_found(course, admin_client):
    lesson_make(course, "draft", title="Seeds, draft", status=Status.DRAFT)
    assert found("seeds", admin_client) == []


def test_results_come_twenty_to_a_page(course):
    for number in range(1, 26):
        lesson_make(course, f"seed-{number}", title=f"Seed lesson {number}")
    client = Client()
    first = client.get(SEARCH, {"q": "seed"})
    second = client.get(SEARCH, {"q": "seed", "page": 2})
    assert len(first.context["page_obj"].object_list) == 20
    assert len(second.context["page_obj"].object_list) == 5
    assert "25 lessons found" in first.content.decode()
    assert 'href="?q=seed&amp;page=2"' in first.content.decode()


# How results are shown


def test_snippets_mark_the_match_and_escape_everything_else(course):
    lesson_make(
        course,
        "tricky",
        title="Guidance <img src=x onerror=alert(1)>",
        summary='CFG는 "guidance" & <script>alert(2)</script>야.',
    )
    response = Client().get(SEARCH, {"q": '"guidance" <>'})
    html = response.content.decode()
    result = html[html.index('class="outline__title"') : html.index("</ol>")]
    assert "<mark>Guidance</mark> &lt;img src=x onerror=alert(1)&gt;</a>" in result
    snippet = result[result.index("search-result__snippet") :]
    assert "&quot;<mark>guidance</mark>&quot; &amp;" in snippet
    # PostgreSQL's snippets leave tags out; the others escape them.
    assert "<script" not in html.replace('<script src="/static/', "")
    assert "<img src=x" not in html and '"guidance" <>' not in html
    assert "“&quot;guidance&quot; &lt;&gt;”" in html  # the query, as typed, escaped


def test_an_empty_query_shows_a_friendly_page(course):
    response = Client().get(SEARCH, {"q": "   "})
    assert response.status_code == 200
    assert "Type a word or two" in response.content.decode()
    assert Client().get(SEARCH).status_code == 200


def test_a_query_with_no_results_suggests_what_to_do(course):
    lesson_make(course, "seeds", title="Seeds")
    html = Client().get(SEARCH, {"q": "qwertyuiop"}).content.decode()
    assert "No lessons found for “qwertyuiop”" in html
    assert "Check the spelling" in html
    assert reverse("courses:catalogue") in html


def test_a_very_long_query_is_cut_with_a_note(course):
    lesson_make(course, "seeds", title="Seeds")
    response = Client().get(SEARCH, {"q": "seeds " + "x" * 5000})
    assert response.status_code == 200
    assert len(response.context["terms"].text) == MAX_QUERY_LENGTH
    assert "only its first 200 characters were used" in response.content.decode()


def test_searching_too_fast_answers_429_with_a_clear_page(course, settings):
    settings.SEARCH_RATE_LIMIT = "2/60"
    client = Client()
    assert client.get(SEARCH, {"q": "seeds"}).status_code == 200
    assert client.get(SEARCH, {"q": "seeds"}).status_code == 200
    response = client.get(SEARCH, {"q": "seeds"})
    assert response.status_code == 429
    assert "Too many searches for now" in response.content.decode()
    # Another reader is not held back.
    assert Client(REMOTE_ADDR="10.0.0.9").get(SEARCH, {"q": "seeds"}).status_code == 200


def test_the_header_has_a_labelled_search_box(course):
    html = Client().get(reverse("courses:catalogue")).content.decode()
    assert f'role="search" method="get" action="{SEARCH}"' in html
    assert '<label class="visually-hidden" for="site-search-q">Search lessons</label>' in html


def test_search_pages_are_not_kept_in_the_anonymous_page_cache(course):
    lesson_make(course, "seeds", title="Seeds")
    Client().get(SEARCH, {"q": "seeds"})
    Lesson.objects.filter(slug="seeds").update(status=Status.DRAFT)
    assert found("seeds") == []


# The search columns stay current


@postgres
def test_an_admin_edit_is_found_at_once(course, instructor_client):
    lesson = lesson_make(course, "edited", title="Old title")
    masks = Tag.objects.create(slug="masks")
    response = instructor_client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, title="Inpainting basics", tags=[masks.pk]),
    )
    assert response.status_code == 302
    assert found("inpainting") == ["edited"]
    assert found("masks") == ["edited"]
    assert found("old") == []


@postgres
def test_a_renamed_course_or_tag_is_found_under_its_new_name(course):
    lesson_make(course, "wanted", tags=("seeds",))
    course.title = "Moving Pictures"
    course.save()
    Tag.objects.filter(slug="seeds").update(slug="noise-seeds")
    assert found("moving pictures") == ["wanted"]
    assert found("noise") == ["wanted"]


@postgres
def test_a_content_load_is_found_at_once(tmp_path):
    root = tmp_path / "content"
    folder = write_course(root, "course-a")
    lesson_file = write_lesson(folder, "first", title="Masks and inpainting")
    content_load(root=root)
    assert found("inpainting") == ["first"]

    lesson_file.write_text(
        lesson_file.read_text(encoding="utf-8").replace("Some text.", "Outpainting widens it."),
        encoding="utf-8",
    )
    content_load(root=root)
    assert found("outpainting") == ["first"]


# The search without PostgreSQL (SQLite: scripts/serve)


def test_the_fallback_finds_every_word_in_any_field_title_hits_first(course):
    lesson_make(course, "body", body="Seeds fix the noise.")
    lesson_make(course, "title", title="Seeds and noise")
    lesson_make(course, "tag", title="Tagged", body="About noise.", tags=("seeds",))
    lesson_make(course, "one-word", body="Only seeds.")
    lesson_make(course, "draft", title="Seeds and noise, draft", status=Status.DRAFT)
    terms = SearchTerms.parse("SEEDS noise")
    matches = list(fallback_matching(Lesson.objects.published(), terms=terms))
    assert [lesson.slug for lesson in matches][0] == "title"
    assert {lesson.slug for lesson in matches} == {"title", "body", "tag"}


def test_the_fallback_snippet_marks_words_and_escapes_the_rest():
    text = "<b>Intro</b> " + "word " * 40 + "the SEED & the noise " + "tail " * 40
    snippet = text_snippet(text, ["seed"])
    assert "<mark>SEED</mark> &amp; the noise" in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<b>" not in snippet
    assert marked("<i>a</i> A", ["a"]) == "&lt;i&gt;<mark>a</mark>&lt;/i&gt; <mark>A</mark>"


def test_search_terms_keep_words_and_drop_operators():
    terms = SearchTerms.parse("  모델은 & !prompt:*  | 'seed' ")
    assert terms.words == ("모델은", "prompt", "seed")
    assert not SearchTerms.parse("!!! ---")


def test_content_load_reads_the_language_and_rejects_an_unknown_one(tmp_path):
    root = tmp_path / "content"
    folder = write_course(root, "course-a")
    path = write_lesson(folder, "first")
    text = path.read_text(encoding="utf-8").replace("level: 1\n", "level: 1\nlanguage: ko\n")
    path.write_text(text, encoding="utf-8")
    content_load(root=root)
    assert Lesson.objects.get(slug="first").language == "ko"

    path.write_text(text.replace("language: ko", "language: fr"), encoding="utf-8")
    with pytest.raises(ContentError) as error:
        content_load(root=root)
    assert "course-a/01-first.md:7: language: unknown language 'fr': use en or ko" in str(
        error.value
    )


def test_a_lesson_without_a_language_is_english(course_tree):
    assert set(Lesson.objects.values_list("language", flat=True)) == {"en"}


def test_sample_content_says_each_lessons_language():
    root = Path(__file__).resolve().parents[2] / "content"
    for path in root.rglob("*.md"):
        if path.name not in ("course.md", "README.md"):
            assert "\nlanguage: en\n" in path.read_text(encoding="utf-8"), path
