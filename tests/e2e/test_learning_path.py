"""A course as a learning path in a real browser: completing a lesson in place, the next lesson,
the course page's one button, the catalogue's cards and the achievements still to earn."""

import re

import pytest
from playwright.sync_api import Page, expect

from courses.models import Lesson
from progress.services import lesson_complete
from tests.conftest import learner_make
from tests.e2e.conftest import SCREENSHOTS, signed_in

JUN = ("jun@example.com", "jun-pass-42")  # email and password of the learner made below

pytestmark = pytest.mark.e2e


def close_up(locator, name: str) -> None:
    """A screenshot of one part of the page, big enough to judge (the full page is long)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def course_lessons() -> list[Lesson]:
    return list(
        Lesson.objects.published()
        .filter(course__slug="generative-media")
        .select_related("course")
        .order_by("order")
    )


def complete_in_place(page: Page) -> None:
    """Click "Mark complete" and check the page neither navigated nor scrolled."""
    button = page.get_by_role("button", name="Mark complete")
    button.scroll_into_view_if_needed()
    url, scrolled = page.url, page.evaluate("window.scrollY")
    page.evaluate("window.__samePage = true")  # gone if the page were loaded again
    button.click()
    moment = page.locator("[data-moment]")
    expect(moment).to_contain_text("Lesson complete: +50 XP.")
    assert page.url == url
    assert page.evaluate("window.__samePage") is True
    assert page.evaluate("window.scrollY") == scrolled


def see_the_chips_streak(page: Page, name: str) -> None:
    """After a first completion today: the chip shows a lit 🔥 1, and opens to say today counts."""
    bar = page.locator("[data-learner-bar]")
    bar.scroll_into_view_if_needed()
    chip = bar.locator("[data-bar=streak-chip]")
    expect(chip).to_have_class(re.compile(r"learner-bar__streak--today"))
    expect(chip.locator("[aria-hidden]")).to_have_text("🔥 1")
    summary = bar.locator("summary")
    assert summary.bounding_box()["height"] < 60  # one line: level, XP and streak
    line = bar.locator("[data-bar=streak-line]")
    expect(line).to_be_hidden()  # the chip is closed on a lesson page
    close_up(bar, f"learning-path-chip-{name}")
    summary.click()
    expect(line).to_be_visible()
    expect(line).to_contain_text("1")
    expect(line).to_contain_text("✓")  # today counts, in either language
    expect(bar.locator(".learner-bar__lessons")).to_contain_text("1/")
    close_up(bar, f"learning-path-chip-open-{name}")


def test_an_anonymous_reader_walks_the_path_in_place(live_server, sample_content, page, screenshot):
    lessons = course_lessons()
    course_url = live_server.url + lessons[0].course.get_absolute_url()

    page.goto(live_server.url + "/")
    card = page.get_by_role("link", name=lessons[0].course.title, exact=True)
    expect(card).to_be_visible()
    screenshot("learning-path-catalogue-1280")
    card.click()
    expect(page).to_have_url(course_url)
    page.get_by_role("link", name="Start the course").click()
    expect(page).to_have_url(live_server.url + lessons[0].get_absolute_url())

    complete_in_place(page)
    moment = page.locator("[data-moment]")
    expect(moment).to_contain_text("Achievement unlocked: First steps · +10 XP")
    expect(moment).to_contain_text("1-day streak — today counts ✓")
    expect(page.locator('[data-bar="xp"]')).to_have_text("60")  # counted up to
    expect(page.locator('[data-bar="lessons"]')).to_have_text("1")
    next_lesson = page.get_by_role("link", name=f"Next lesson: {lessons[1].title}")
    expect(next_lesson).to_be_visible()
    screenshot("learning-path-moment-anonymous-1280")
    close_up(page.locator("#progress"), "learning-path-block-anonymous-1280")
    close_up(page.locator("[data-learner-bar]"), "learning-path-bar-anonymous-1280")
    next_lesson.click()
    expect(page).to_have_url(live_server.url + lessons[1].get_absolute_url())

    page.goto(course_url)
    primary = page.locator("[data-primary]")
    expect(primary).to_have_text(f"Continue: Lesson 2 — {lessons[1].title}")
    expect(page.locator(".outline__item--done")).to_have_count(1)
    expect(page.locator(".outline__item--current")).to_have_count(1)
    screenshot("learning-path-course-anonymous-1280")
    close_up(page.locator("main"), "learning-path-course-top-anonymous-1280")

    page.goto(live_server.url + "/")
    expect(page.locator("[data-card-progress]").first).to_contain_text(
        f"1/{len(lessons)} lessons done"
    )


def test_a_learner_completes_in_place_and_the_course_button_follows(
    live_server, sample_content, browser, screenshot
):
    learner = learner_make("jun", "jun@example.com", "jun-pass-42", "Jun")
    lessons = course_lessons()
    course_path = lessons[0].course.get_absolute_url()
    page = signed_in(browser, live_server.url, *JUN, course_path, reduced_motion="reduce")

    expect(page.locator("[data-primary]")).to_have_text("Start the course")
    page.locator("[data-primary]").click()
    complete_in_place(page)
    expect(page.locator("[data-moment]")).to_contain_text("First steps")
    expect(page.locator('[data-bar="xp"]')).to_have_text("60")
    expect(page.get_by_text("Completed on")).to_be_visible()
    screenshot("learning-path-moment-signed-in-1280", on=page)
    close_up(page.locator("#progress"), "learning-path-block-signed-in-1280")

    page.goto(live_server.url + course_path)
    expect(page.locator("[data-primary]")).to_have_text(f"Continue: Lesson 2 — {lessons[1].title}")
    for lesson in lessons[1:]:
        lesson_complete(user=learner, lesson=lesson)
    page.reload()
    expect(page.locator("[data-primary]")).to_have_text("Review the course")

    page.goto(live_server.url + lessons[-1].get_absolute_url())
    expect(page.get_by_text("Course finished")).to_be_visible()
    expect(page.get_by_role("link", name="Choose your next course")).to_be_visible()
    close_up(page.locator("#progress"), "learning-path-block-finished-1280")

    page.goto(live_server.url + "/progress/")
    locked = page.locator(".achievement--locked")
    expect(page.locator(".achievement--earned").first).to_be_visible()
    expect(locked.filter(has_text="Double major")).to_contain_text("1/2 courses")
    screenshot("learning-path-progress-1280", on=page)
    close_up(page.locator("#achievements"), "learning-path-achievements-1280")
    page.context.close()


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_the_path_on_a_phone(live_server, sample_content, browser, screenshot, locale):
    lessons = course_lessons()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale=locale)
    context.set_default_timeout(10_000)
    phone = context.new_page()
    language = locale[:2]
    phone.goto(live_server.url + "/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(f"learning-path-catalogue-390-{language}", on=phone)
    phone.goto(live_server.url + lessons[0].get_absolute_url())
    phone.locator("[data-complete]").click()
    expect(phone.locator("[data-moment] li").first).to_be_visible()
    expect(phone.locator("[data-next-lesson]")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(f"learning-path-moment-390-{language}", on=phone)
    close_up(phone.locator("#progress"), f"learning-path-block-390-{language}")
    see_the_chips_streak(phone, f"anonymous-390-{language}")
    phone.goto(live_server.url + lessons[0].course.get_absolute_url())
    expect(phone.locator(".outline__item--done")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(f"learning-path-course-390-{language}", on=phone)
    phone.set_viewport_size({"width": 390, "height": 1400})
    phone.screenshot(path=str(SCREENSHOTS / f"learning-path-course-top-390-{language}.png"))
    context.close()


def test_the_course_page_in_korean_at_desktop_width(
    live_server, sample_content, browser, screenshot
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.goto(live_server.url + course_lessons()[0].course.get_absolute_url())
    expect(page.locator("[data-primary]")).to_be_visible()
    screenshot("learning-path-course-1280-ko", on=page)
    page.goto(live_server.url + "/")
    screenshot("learning-path-catalogue-1280-ko", on=page)
    context.close()


def test_a_learners_chip_shows_the_streak_on_a_phone(live_server, sample_content, browser):
    learner_make("jun", "jun@example.com", "jun-pass-42", "Jun")
    first = course_lessons()[0].get_absolute_url()
    phone = signed_in(browser, live_server.url, *JUN, first, viewport={"width": 390, "height": 844})
    chip = phone.locator("[data-bar=streak-chip]")
    expect(chip.locator("[aria-hidden]")).to_have_text("🔥 0")
    complete_in_place(phone)
    expect(phone.locator("[data-bar=xp]")).to_have_text("60")  # counted up to
    see_the_chips_streak(phone, "signed-in-390-en")
    expect(phone.locator("[data-bar=streak-line]")).to_have_text("🔥 1-day streak — today counts ✓")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.context.close()
