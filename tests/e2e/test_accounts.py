import pytest
from playwright.sync_api import expect

from courses.models import Lesson

pytestmark = pytest.mark.e2e


def test_sign_up_then_read_a_lesson_in_korean(live_server, sample_content, page, screenshot):
    lesson = Lesson.objects.get(course__slug="generative-media", order=3)
    page.goto(live_server.url + lesson.get_absolute_url())
    page.get_by_role("link", name="Sign up").click()

    page.get_by_label("Display name").fill("Hana")
    page.get_by_label("Email").fill("hana@example.com")
    page.get_by_label("Password", exact=True).fill("a-sturdy-pass-31")
    page.get_by_label("Password (again)").fill("a-sturdy-pass-31")
    screenshot("signup")
    page.locator("main").get_by_role("button", name="Sign Up").click()

    # Back on the lesson, signed in.
    expect(page).to_have_url(live_server.url + lesson.get_absolute_url())
    expect(page.locator(".site-nav__me")).to_have_text("Hana")

    page.get_by_role("button", name="한국어").click()
    expect(page).to_have_url(live_server.url + lesson.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator(".lesson__position")).to_have_text("레슨 03 / 10")
    expect(page.get_by_role("heading", name="핵심 정리")).to_be_visible()
    expect(page.get_by_role("heading", name="연습 과제")).to_be_visible()
    expect(page.get_by_role("button", name="로그아웃")).to_be_visible()
    screenshot("lesson-ko")
