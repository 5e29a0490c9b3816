"""Coming back to a lesson at the paragraph where the reader left it, and the weekly board."""

import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from accounts.models import LearnerProfile
from courses.models import Lesson
from progress.leaderboard import week_start
from progress.models import ReadingPosition, XPEntry
from tests.conftest import learner_make
from tests.e2e.conftest import signed_in

pytestmark = pytest.mark.e2e

OFFER = "Continue where you left off"
LAPTOP = {"width": 1280, "height": 900}


def first_lesson() -> Lesson:
    return (
        Lesson.objects.published()
        .select_related("course")
        .order_by("course__order", "course__title", "order", "id")
        .first()
    )


def read_to(page: Page, heading: str, paragraph: int):
    """Scroll the way a reader does until the paragraph-th block after `heading` is at the top
    of the window; returns that block."""
    block = page.locator(f"#{heading} ~ *").nth(paragraph)
    block.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.mouse.wheel(0, 1)  # a scroll event of the reader's own, as a person's wheel makes
    expect(block).to_be_in_viewport()
    return block


def test_a_reader_comes_back_to_the_paragraph_they_reached(
    live_server, sample_content, page, screenshot
):
    lesson = first_lesson()
    heading = lesson.toc[1]["id"]
    page.goto(live_server.url + lesson.get_absolute_url())
    expect(page.get_by_role("link", name=OFFER)).to_be_hidden()  # nothing read yet
    block = read_to(page, heading, 2)
    text = block.inner_text()

    # Leaving the page keeps the place in this browser: the course page's button goes there.
    page.goto(live_server.url + lesson.course.get_absolute_url())
    screenshot("resume-course-continue")
    page.locator("[data-course-progress] [data-primary]").click()
    expect(page).to_have_url(f"{live_server.url}{lesson.get_absolute_url()}#{heading}")

    page.goto(live_server.url + lesson.get_absolute_url())
    offer = page.get_by_role("link", name=OFFER)
    expect(offer).to_be_visible()
    screenshot("resume-offer-1280-en")
    offer.click()
    landed = page.get_by_text(text[:40]).first
    expect(landed).to_be_in_viewport()
    expect(page.locator(".resume-target")).to_have_count(1)
    assert abs(landed.bounding_box()["y"]) < 120  # at the top of the window, not just on screen

    # From the course page's button: the same paragraph.
    page.goto(live_server.url + lesson.course.get_absolute_url())
    page.locator("[data-course-progress] [data-primary]").click()
    expect(page.get_by_text(text[:40]).first).to_be_in_viewport()
    assert not ReadingPosition.objects.exists()  # nothing about anonymous readers on the server


def test_a_place_whose_heading_was_edited_away_offers_nothing(live_server, sample_content, page):
    lesson = first_lesson()
    page.goto(live_server.url + lesson.get_absolute_url())
    page.evaluate(
        """id => localStorage.setItem('stream.resume.v1', JSON.stringify({positions: {[id]: {
            heading: 'a-section-that-was-removed', paragraph: 3, at: new Date().toISOString()
        }}}))""",
        str(lesson.id),
    )
    page.reload()
    expect(page.get_by_role("link", name=OFFER)).to_be_hidden()
    assert page.evaluate("window.scrollY") == 0


def test_a_signed_in_reader_continues_on_another_browser(
    live_server, sample_content, browser, screenshot
):
    learner_make("jin", "jin@example.com", "jin-pass-42", "Jin")
    lesson = first_lesson()
    heading = lesson.toc[2]["id"]
    laptop = signed_in(
        browser,
        live_server.url,
        "jin@example.com",
        "jin-pass-42",
        lesson.get_absolute_url(),
        viewport=LAPTOP,
    )
    text = read_to(laptop, heading, 1).inner_text()
    laptop.context.close()  # the page is hidden and unloads: its place goes to the server
    for _attempt in range(50):
        if ReadingPosition.objects.filter(lesson=lesson, heading_id=heading).exists():
            break
        time.sleep(0.1)
    position = ReadingPosition.objects.get(lesson=lesson)
    assert (position.heading_id, position.paragraph) == (heading, 1)

    phone = signed_in(
        browser,
        live_server.url,
        "jin@example.com",
        "jin-pass-42",
        "/progress/",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )
    card = phone.locator(".continue-card")
    expect(card).to_have_attribute("href", f"{lesson.get_absolute_url()}#{heading}")
    card.click()
    expect(phone.get_by_text(text[:40]).first).to_be_in_viewport()
    phone.goto(live_server.url + lesson.get_absolute_url())
    expect(phone.get_by_role("link", name=OFFER)).to_be_visible()
    screenshot("resume-offer-390-signed-in", on=phone)


def test_the_offer_in_korean_on_a_phone(live_server, sample_content, browser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    phone = context.new_page()
    lesson = first_lesson()
    phone.goto(live_server.url + lesson.get_absolute_url())
    read_to(phone, lesson.toc[1]["id"], 1)
    phone.reload()
    offer = phone.locator("[data-resume-offer]")
    expect(offer).to_be_visible()
    phone.evaluate("window.scrollTo(0, 0)")
    screenshot("resume-offer-390-ko", on=phone)
    context.close()


def test_joining_the_weekly_leaderboard(live_server, sample_content, browser, screenshot):
    this_week = week_start()
    for n, xp in enumerate([320, 250, 180, 90, 40], start=1):
        rival = learner_make(f"rival{n}", f"rival{n}@example.com", "rival-pass-42", f"Rival {n}")
        LearnerProfile.objects.filter(user=rival).update(leaderboard_opt_in=True)
        XPEntry.objects.create(user=rival, source="test:week", amount=xp)
        XPEntry.objects.create(
            user=rival, source="test:past", amount=xp // 2, created_at=this_week - timedelta(days=3)
        )
    me = learner_make("sora", "sora@example.com", "sora-pass-42", "Sora")
    XPEntry.objects.create(user=me, source="test:week", amount=200)

    page = signed_in(
        browser,
        live_server.url,
        "sora@example.com",
        "sora-pass-42",
        "/leaderboard/",
        viewport=LAPTOP,
    )
    expect(page.locator(".board__name", has_text="Sora")).to_have_count(0)
    page.get_by_role("link", name="join it in your settings").click()
    page.get_by_label("show me on the weekly leaderboard").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()

    page.goto(live_server.url + "/leaderboard/")
    mine = page.locator(".board__row--me")
    expect(mine).to_contain_text("Sora")
    expect(mine).to_contain_text("200 XP")
    expect(page.locator(".board-section .board").first).to_contain_text("Rival 1")
    # Six members: the lower half (Rival 4 and 5) are not listed.
    expect(page.locator(".board__name", has_text="Rival 5")).to_have_count(0)
    expect(page.locator(".board-history")).to_contain_text("Rival 1")
    screenshot("leaderboard-1280-en", on=page)

    page.goto(live_server.url + "/progress/")
    expect(page.locator(".week-line")).to_contain_text("You are #3 on the leaderboard")
    screenshot("leaderboard-progress-line", on=page)

    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    phone = phone_context.new_page()
    phone.goto(live_server.url + "/leaderboard/")
    expect(phone.locator(".board__name", has_text="Sora")).to_be_visible()
    expect(phone.get_by_role("link", name="Sign in").or_(phone.get_by_role("link", name="로그인")))
    screenshot("leaderboard-390-ko", on=phone)
    phone_context.close()

    # Leaving is immediate.
    page.goto(live_server.url + "/accounts/settings/")
    page.get_by_label("show me on the weekly leaderboard").uncheck()
    page.get_by_role("button", name="Save settings").click()
    page.goto(live_server.url + "/leaderboard/")
    expect(page.locator(".board__name", has_text="Sora")).to_have_count(0)
