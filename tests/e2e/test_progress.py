"""An anonymous reader's progress lives in their browser, then joins their account."""

import pytest
from playwright.sync_api import expect

from courses.models import Lesson
from progress.models import Completion

pytestmark = pytest.mark.e2e


def bar(page):
    return page.locator("[data-learner-bar]")


def test_local_progress_survives_a_reload_and_syncs_on_sign_up(
    live_server, sample_content, page, screenshot
):
    first, second = Lesson.objects.filter(course__slug="generative-media").order_by("order")[:2]
    total = Lesson.objects.published().count()

    page.goto(live_server.url + first.get_absolute_url())
    expect(bar(page)).to_contain_text("Level 0")
    expect(bar(page)).to_contain_text("Spark")
    expect(bar(page)).to_contain_text("0/200 XP to next level")
    expect(page.get_by_text("Progress is local-only")).to_be_visible()
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_text("Completed in this browser")).to_be_visible()
    # 50 XP for the lesson and 10 for "First steps", computed from local progress.
    expect(bar(page)).to_contain_text("60 XP")
    expect(bar(page)).to_contain_text(f"1/{total} lessons")
    expect(bar(page)).to_contain_text("1/16 achievements")

    page.goto(live_server.url + second.get_absolute_url())
    page.get_by_role("button", name="Mark complete").click()
    page.reload()
    expect(page.get_by_text("Completed in this browser")).to_be_visible()
    expect(page.get_by_role("button", name="Mark complete")).to_be_hidden()
    expect(bar(page)).to_contain_text(f"2/{total} lessons")
    screenshot("lesson-progress-local")

    page.goto(live_server.url + first.course.get_absolute_url())
    done = page.locator(".outline__item--done")
    expect(done).to_have_count(2)
    screenshot("outline-local")
    assert not Completion.objects.exists()  # nothing was stored on the server

    page.goto(live_server.url + second.get_absolute_url())
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Display name").fill("Jun")
    page.get_by_label("Email").fill("jun@example.com")
    page.get_by_label("Password", exact=True).fill("a-sturdy-pass-31")
    page.get_by_label("Password (again)").fill("a-sturdy-pass-31")
    page.locator("main").get_by_role("button", name="Sign Up").click()

    # Back on the lesson: the browser hands its progress over and the page reloads with the
    # server's figures.
    expect(page.get_by_text("Progress is saved to your account")).to_be_visible()
    expect(page.locator(".progress-block__done")).to_contain_text("Completed on")
    expect(bar(page)).to_contain_text(f"2/{total} lessons")
    expect(bar(page)).to_contain_text("110 XP")
    expect(bar(page)).to_contain_text("Your progress in full")
    assert page.evaluate("window.localStorage.getItem('stream.progress.v1')") is None
    screenshot("lesson-progress-synced")

    bar(page).locator("summary").click()  # the chip opens on tap
    page.get_by_role("link", name="Your progress in full").click()
    history = page.locator("table")
    expect(history).to_contain_text(first.title)
    expect(history).to_contain_text(second.title)
    expect(page.locator(".achievement--earned")).to_contain_text("First steps")
    screenshot("profile")
    assert Completion.objects.filter(user__email="jun@example.com").count() == 2


def test_phone_layout_of_the_bar(live_server, sample_content, browser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    phone = context.new_page()
    lesson = Lesson.objects.filter(course__slug="generative-media").order_by("order").first()
    phone.goto(live_server.url + lesson.get_absolute_url())
    expect(phone.locator("[data-learner-bar]")).to_contain_text("레벨 0")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    screenshot("lesson-phone-ko", on=phone)
    context.close()
