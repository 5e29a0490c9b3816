"""The instructors' admin as an instructor uses it: links as rows, the preview beside the form,
revisions compared word by word, a bug report's passage opened on the lesson; every page free of
axe violations in both languages, light and dark, and laid out for 1280 and 390 px screens."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from comments.models import BugReport
from courses.models import Course, Lesson
from tests.courses.conftest import lesson_form_data
from tests.e2e.conftest import assert_no_axe_violations, session_page, wait_until

pytestmark = pytest.mark.e2e

PASSAGE = "Heavily noised ones teach overall layout and composition."


@pytest.fixture
def lesson(sample_content) -> Lesson:
    return Lesson.objects.select_related("course").get(slug="how-diffusion-works")


@pytest.fixture
def report(lesson) -> BugReport:
    return BugReport.objects.create(
        lesson=lesson, category="typo", description="“Layout” reads oddly here.", passage=PASSAGE
    )


def signed_in(
    browser: Browser, live_server, user, *, width=1280, locale="en-US", color_scheme="light"
) -> Page:
    """A page of a browser of its own, signed in as `user` (signing in is tested elsewhere)."""
    viewport = {"width": width, "height": 900 if width > 600 else 844}
    return session_page(
        browser, live_server.url, user, viewport=viewport, locale=locale, color_scheme=color_scheme
    )


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_instructor_edits_links_previews_beside_the_form_compares_and_opens_a_report(
    live_server, browser, instructor, lesson, report, screenshot
):
    page = signed_in(browser, live_server, instructor)

    # The lesson list leads with the title and fits a 1280 px screen.
    page.goto(live_server.url + reverse("admin:courses_lesson_changelist"))
    headers = page.locator("#result_list thead th").all_text_contents()
    assert [h.strip() for h in headers[1:3]] == ["Title", "No."]
    expect(page.locator("#changelist-filter")).to_contain_text("By course")
    expect(page.locator("#result_list")).to_contain_text("Open bug reports")
    assert no_horizontal_scroll(page)

    # Links are rows of title and URL; a bad address is refused on its own row.
    page.locator("#result_list").get_by_role("link", name=lesson.title).click()
    expect(page.get_by_label("Title of link 1")).to_have_value(lesson.links[0]["title"])
    page.get_by_label("Title of link 5").fill("Diffusion, explained with pictures")
    page.get_by_label("URL of link 5").fill("ftp://example.com/diffusion")
    page.get_by_role("button", name="Save and continue editing").first.click()
    row_error = page.locator(".link-row--invalid .link-row__errors")
    expect(row_error).to_contain_text("Link 5: bad URL 'ftp://example.com/diffusion'")
    expect(page.get_by_label("URL of link 5")).to_have_attribute("aria-invalid", "true")
    screenshot("admin-links-row-error-1280-en", on=page)
    page.get_by_label("URL of link 5").fill("https://example.com/diffusion")
    page.get_by_role("button", name="Add another link").click()
    page.get_by_label("Title of link 7").fill("The annotated diffusion model")
    page.get_by_label("URL of link 7").fill("https://huggingface.co/blog/annotated-diffusion")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    saved = Lesson.objects.get(pk=lesson.pk)
    assert saved.links[4:] == [
        {"title": "Diffusion, explained with pictures", "url": "https://example.com/diffusion"},
        {
            "title": "The annotated diffusion model",
            "url": "https://huggingface.co/blog/annotated-diffusion",
        },
    ]

    # Preview, from the toolbar, opens beside the form and follows what is typed.
    body = page.locator("#id_body_md")
    body.fill(body.input_value().replace("an art restorer", "a picture restorer", 1))
    page.locator(".object-tools").get_by_role("button", name="Preview").click()
    pane = page.locator("#stream-preview-pane")
    expect(pane).to_be_visible()
    frame = page.frame_locator("iframe[name=stream-preview]")
    expect(frame.locator(".lesson__body, main").first).to_contain_text("a picture restorer")
    form_box = page.locator("#lesson_form").bounding_box()
    pane_box = pane.bounding_box()
    assert pane_box["x"] >= form_box["x"] + form_box["width"], "the preview is beside the form"
    page.get_by_label("Title:").fill("How Diffusion Models Really Work")
    expect(frame.get_by_role("heading", level=1)).to_have_text("How Diffusion Models Really Work")
    assert no_horizontal_scroll(page)
    screenshot("admin-preview-beside-form-1280-en", on=page)
    assert Lesson.objects.get(pk=lesson.pk).title == lesson.title  # a preview saves nothing
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # Revisions compare the words learners read, saying who changed them and when.
    page.locator(".object-tools").get_by_role("link", name="Revisions").click()
    page.locator("table.revisions tbody tr").last.get_by_role("link").click()
    expect(page.locator(".revision-who")).to_contain_text("edited in admin by ines")
    body_diff = page.locator("section.revision-diff").filter(has_text="body")
    expect(body_diff.locator("del.diff__removed").first).to_have_text("an art")
    expect(body_diff.locator("ins.diff__added").first).to_have_text("a picture")
    # Not colour alone: removed words are struck through, added ones underlined.
    decorations = page.evaluate(
        """() => [getComputedStyle(document.querySelector('del.diff__removed')).textDecorationLine,
                  getComputedStyle(document.querySelector('ins.diff__added')).textDecorationLine]"""
    )
    assert decorations == ["line-through", "underline"]
    screenshot("admin-revision-diff-1280-en", on=page)

    # A report that quotes a passage opens the lesson scrolled to it.
    page.goto(live_server.url + reverse("admin:comments_bugreport_changelist"))
    expect(page.locator("#result_list .stream-chip").first).to_have_text("new")
    page.locator("#result_list").get_by_role("link", name="“Layout” reads oddly here.").click()
    link = page.get_by_role("link", name="Open the lesson at this passage")
    assert link.get_attribute("href").startswith(lesson.get_absolute_url() + "#:~:text=Heavily")
    with page.context.expect_page() as opened:
        link.click()
    lesson_page = opened.value
    lesson_page.wait_for_load_state()
    expect(lesson_page.get_by_role("heading", level=1)).to_have_text(
        "How Diffusion Models Really Work"
    )
    wait_until(lesson_page, "() => window.scrollY > 400")
    screenshot("admin-report-passage-opened-1280-en", on=lesson_page)
    page.context.close()


def admin_pages(live_server, lesson: Lesson, report: BugReport) -> dict[str, str]:
    revision = lesson.revisions.order_by("created_at").first()
    course = Course.objects.get(pk=lesson.course_id)
    return {
        "index": reverse("admin:index"),
        "lessons": reverse("admin:courses_lesson_changelist"),
        "lesson": reverse("admin:courses_lesson_change", args=[lesson.pk]),
        "revisions": reverse("admin:courses_lesson_revisions", args=[lesson.pk]),
        "revision": reverse("admin:courses_lesson_revision", args=[lesson.pk, revision.pk]),
        "reports": reverse("admin:comments_bugreport_changelist"),
        "report": reverse("admin:comments_bugreport_change", args=[report.pk]),
        "course": reverse("admin:courses_course_change", args=[course.pk]),
    }


def edited(lesson: Lesson, instructor) -> Lesson:
    """`lesson` saved once in admin with a new word, so that its revisions differ."""
    client = Client()
    client.force_login(instructor)
    body = lesson.body_md.replace("an art restorer", "a picture restorer", 1)
    client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, body_md=body),
    )
    return Lesson.objects.select_related("course").get(pk=lesson.pk)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_every_instructor_page_has_no_axe_violations_at_1280(
    live_server, browser, instructor, lesson, report, screenshot, locale, color_scheme
):
    lesson = edited(lesson, instructor)
    page = signed_in(browser, live_server, instructor, locale=locale, color_scheme=color_scheme)
    language = locale[:2]
    for name, url in admin_pages(live_server, lesson, report).items():
        page.goto(live_server.url + url)
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert no_horizontal_scroll(page), name
        assert_no_axe_violations(page)
        screenshot(f"admin-{name}-1280-{language}-{color_scheme}", on=page)

    # The preview, beside the form: the page with it open, and the lesson inside the frame.
    page.goto(live_server.url + reverse("admin:courses_lesson_change", args=[lesson.pk]))
    page.locator("[data-preview-beside]").click()
    frame = page.frame_locator("iframe[name=stream-preview]")
    expect(frame.locator(".preview-banner")).to_be_visible()
    assert_no_axe_violations(page, context={"exclude": [["iframe[name=stream-preview]"]]})
    preview = page.frame(name="stream-preview")
    preview.wait_for_load_state()
    assert_no_axe_violations(preview)
    screenshot(f"admin-preview-1280-{language}-{color_scheme}", on=page)
    page.context.close()


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_instructor_pages_fit_a_phone(
    live_server, browser, instructor, lesson, report, screenshot, locale
):
    lesson = edited(lesson, instructor)
    page = signed_in(browser, live_server, instructor, width=390, locale=locale)
    language = locale[:2]
    for name, url in admin_pages(live_server, lesson, report).items():
        page.goto(live_server.url + url)
        screenshot(f"admin-{name}-390-{language}", on=page)
        if name == "lesson":
            # A link's URL goes under its title on a phone, each as wide as the row allows.
            title = page.locator("#id_links-0-title").bounding_box()
            url_box = page.locator("#id_links-0-url").bounding_box()
            assert url_box["y"] > title["y"] and abs(url_box["x"] - title["x"]) < 2
            assert title["x"] + title["width"] <= 390
    page.context.close()
