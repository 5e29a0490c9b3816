"""Signing in with Kakao in a real browser, against a fake Kakao on loopback."""

import copy
import re

import pytest
from playwright.sync_api import expect

from courses.models import Lesson
from progress.models import Completion
from tests.accounts.social_fake import (
    fake_provider_running,
    kakao_profile,
    providers_configure,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def fake_kakao(settings, monkeypatch):
    providers_configure(settings, "kakao", "naver", "google")
    with fake_provider_running(monkeypatch) as fake:
        # As lessons/settings.py lets the sign-in form's redirect reach a configured provider,
        # let it reach the fake one: browsers hold that redirect to form-action.
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], fake.url]
        settings.CONTENT_SECURITY_POLICY = policy
        fake.profiles["kakao"] = kakao_profile(email="hana@example.com", nickname="하나")
        yield fake


def test_sign_in_with_kakao_asks_a_display_name_and_keeps_local_progress(
    live_server, sample_content, fake_kakao, browser, page, screenshot
):
    lesson = Lesson.objects.filter(course__slug="generative-media").order_by("order").first()
    page.goto(live_server.url + lesson.get_absolute_url())
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_text("Completed in this browser")).to_be_visible()

    page.get_by_role("link", name="Sign in").first.click()
    buttons = page.get_by_role("region", name="Or sign in with")
    for name in ("Continue with Kakao", "Continue with Naver", "Continue with Google"):
        expect(buttons.get_by_role("button", name=name)).to_be_visible()
    screenshot("social-login-1280-en")

    buttons.get_by_role("button", name="Continue with Kakao").click()
    # Kakao said yes: Stream asks, as email sign-up does, for the name shown to others.
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    expect(page.get_by_label("Display name")).to_have_value("하나")
    expect(page.get_by_label("Email")).to_have_value("hana@example.com")
    page.get_by_label("Display name").fill("Hana")
    screenshot("social-signup-1280-en")
    page.locator("main").get_by_role("button", name="Sign up").click()

    # Back on the lesson, signed in, with the browser's progress handed over.
    expect(page).to_have_url(live_server.url + lesson.get_absolute_url())
    expect(page.locator(".site-nav__me")).to_have_text("Hana")
    expect(page.get_by_text("Progress is saved to your account")).to_be_visible()
    expect(page.locator(".progress-block__done")).to_contain_text("Completed on")
    assert Completion.objects.filter(user__email="hana@example.com", lesson=lesson).exists()

    page.goto(live_server.url + "/accounts/settings/")
    connections = page.get_by_role("region", name="Connected accounts")
    expect(connections).to_contain_text("Kakao")
    expect(connections).to_contain_text("hana@example.com")
    expect(connections.get_by_role("button", name="Connect Naver")).to_be_visible()
    screenshot("social-settings-1280-en")

    # Kakao is the only way in (no password yet): allauth refuses, and says why.
    connections.get_by_role("button", name="Disconnect Kakao").click()
    expect(page.get_by_role("alert")).to_contain_text("Your account has no password set up.")
    screenshot("social-disconnect-refused-1280-en")


@pytest.mark.parametrize(("width", "language"), [(390, "en"), (1280, "ko"), (390, "ko")])
def test_sign_in_buttons_at_phone_width_and_in_korean(
    live_server, fake_kakao, browser, screenshot, width, language
):
    context = browser.new_context(
        viewport={"width": width, "height": 844}, locale="ko-KR" if language == "ko" else "en-US"
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/login/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        # The most used here first.
        expect(page.locator(".social-button")).to_have_text(
            ["Continue with Kakao", "Continue with Naver", "Continue with Google"]
            if language == "en"
            else [re.compile(name) for name in ("Kakao|카카오", "Naver|네이버", "Google")]
        )
        # Every button is a full-width, finger-sized target.
        box = page.locator(".social-button--kakao").bounding_box()
        assert box["height"] >= 44
        screenshot(f"social-login-{width}-{language}", on=page)
        page.goto(live_server.url + "/accounts/signup/")
        expect(page.locator(".social-button")).to_have_count(3)
        screenshot(f"social-signup-page-{width}-{language}", on=page)
    finally:
        context.close()
