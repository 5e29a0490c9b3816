"""Every learner-facing page, as anyone sees it: axe finds nothing, controls are big enough to
tap, the lesson starts on a phone's first screen, themes and the reply-alerts bell work.

Screenshots of every page in every combination land in artifacts/screenshots/site-*.png.
"""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect

from courses.models import Lesson, Tag
from tests.conftest import learner_make
from tests.e2e.conftest import SCREENSHOTS, assert_no_axe_violations, wait_until

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Controls the lesson page offers; links inside running text are exempt from the size rule.
CONTROLS = (
    ".site-header a, .site-header button:visible, .site-header summary,"
    " main a:not(.prose a):not(.discussion__signin a):not(.progress-block__note a),"
    " main button:visible, main summary, main input:visible, main select, main textarea"
)


def first_lesson() -> Lesson:
    return Lesson.objects.get(course__slug="generative-media", order=1)


def open_context(
    browser: Browser,
    live_server,
    *,
    viewport: dict,
    language: str = "en",
    theme: str = "light",
    user=None,
    **options,
) -> BrowserContext:
    context = browser.new_context(
        viewport=viewport,
        locale="ko-KR" if language == "ko" else "en-US",
        color_scheme=theme,
        is_mobile=viewport["width"] < 600,
        **options,
    )
    context.set_default_timeout(10_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
    return context


def learner_pages() -> list[tuple[str, str]]:
    lesson = first_lesson()
    tag = Tag.objects.filter(lessons=lesson).first()
    return [
        ("catalogue", "/"),
        ("course", lesson.course.get_absolute_url()),
        ("lesson", lesson.get_absolute_url()),
        ("tag", tag.get_absolute_url()),
        ("progress", "/progress/"),
        ("notifications", "/notifications/"),
        ("settings", "/accounts/settings/"),
        ("login", "/accounts/login/"),
        ("signup", "/accounts/signup/"),
        ("password-reset", "/accounts/password/reset/"),
        ("404", "/no-such-page/"),
    ]


def open_disclosures(page: Page) -> None:
    """Open the folded parts of the page (learner chip, contents) so axe sees what a tap shows.
    The header menu stays shut: on a phone it would cover the page; 1280 px shows it inline."""
    page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")


@pytest.mark.parametrize("who", ["anonymous", "learner"])
@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("width", [1280, 390])
def test_every_learner_page_passes_axe(
    live_server, sample_content, browser, who, theme, language, width
):
    user = (
        learner_make("mina", "mina@example.com", "learner-pass-42", "Mina")
        if who == "learner"
        else None
    )
    viewport = DESKTOP if width == 1280 else PHONE
    context = open_context(
        browser, live_server, viewport=viewport, language=language, theme=theme, user=user
    )
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failures = []
    for name, path in learner_pages():
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.screenshot(
            path=str(SCREENSHOTS / f"site-{name}-{who}-{language}-{theme}-{width}.png"),
            full_page=True,
        )
        open_disclosures(page)
        try:
            assert_no_axe_violations(page)
        except AssertionError as error:
            failures.append(f"{name}: {error}")
    context.close()
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("who", ["anonymous", "learner"])
def test_a_phone_shows_the_lesson_on_the_first_screen(
    live_server, sample_content, browser, language, who
):
    user = (
        learner_make("jun", "jun@example.com", "learner-pass-42", "Jun")
        if who == "learner"
        else None
    )
    context = open_context(browser, live_server, viewport=PHONE, language=language, user=user)
    page = context.new_page()
    page.goto(live_server.url + first_lesson().get_absolute_url())

    # The header is one row: brand, menu, bell and language side by side.
    tops = page.evaluate(
        "['.brand', '.site-menu__toggle', '.bell', '.language-switch button:not([disabled])']"
        ".map(s => Math.round(document.querySelector(s).getBoundingClientRect().top))"
    )
    assert max(tops) - min(tops) <= 8, f"the header wraps onto more rows: tops {tops}"
    # The learner bar and the contents are folded; the first paragraph is on screen.
    expect(page.locator(".learner-bar summary")).to_be_visible()
    expect(page.locator(".learner-bar .meter")).to_be_hidden()
    expect(page.locator(".toc ol")).to_be_hidden()
    paragraph = page.locator(".lesson__body > p").first
    top = paragraph.evaluate("p => p.getBoundingClientRect().top")
    assert 0 <= top < PHONE["height"], f"the first paragraph starts at {top}px"
    page.screenshot(path=str(SCREENSHOTS / f"site-lesson-first-screen-{who}-{language}.png"))

    # A tap opens the chip and the contents.
    page.locator(".learner-bar summary").click()
    expect(page.locator(".learner-bar .meter")).to_be_visible()
    page.locator(".toc summary").click()
    expect(page.locator(".toc ol")).to_be_visible()
    context.close()


def test_the_chip_and_the_menu_open_without_javascript(live_server, sample_content, browser):
    context = open_context(browser, live_server, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + first_lesson().get_absolute_url())
    page.locator(".learner-bar summary").click()
    expect(page.locator(".learner-bar .meter")).to_be_visible()
    page.locator(".site-menu__toggle").click()
    expect(page.get_by_role("link", name="Courses")).to_be_visible()
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_every_lesson_control_is_at_least_44_pixels(live_server, sample_content, browser, width):
    learner = learner_make("jun", "jun@example.com", "learner-pass-42", "Jun")
    for user in (None, learner):
        viewport = DESKTOP if width == 1280 else PHONE
        context = open_context(browser, live_server, viewport=viewport, user=user)
        page = context.new_page()
        page.goto(live_server.url + first_lesson().get_absolute_url())
        open_disclosures(page)
        sizes = page.locator(CONTROLS).evaluate_all(
            "nodes => nodes.filter(n => n.getClientRects().length)"
            ".map(n => { const r = n.getBoundingClientRect();"
            " return [n.outerHTML.slice(0, 90), Math.round(r.width), Math.round(r.height)]; })"
        )
        # What the brief names is there to be measured (radio buttons: the report form's test).
        for kind in (".tag", ".language-switch button", ".bell", ".report-link a", ".button"):
            assert page.locator(f"{kind}:visible").count(), f"no {kind} on the lesson page"
        small = [(html, w, h) for html, w, h in sizes if w < 44 or h < 44]
        assert not small, f"controls smaller than 44 × 44 px: {small}"
        context.close()


def test_report_form_radio_buttons_are_big_enough(live_server, sample_content, browser):
    context = open_context(browser, live_server, viewport=PHONE)
    page = context.new_page()
    lesson = first_lesson()
    page.goto(f"{live_server.url}{lesson.get_absolute_url()}report/")
    radios = page.locator("label:has(> input[type=radio])")
    assert radios.count() > 0
    for box in radios.evaluate_all("ls => ls.map(l => l.getBoundingClientRect().height)"):
        assert box >= 44
    context.close()


def test_the_theme_switch_is_remembered(live_server, sample_content, browser, screenshot):
    context = open_context(browser, live_server, viewport=DESKTOP, theme="light")
    page = context.new_page()
    page.goto(live_server.url + first_lesson().get_absolute_url())
    switch = page.get_by_role("button", name="Dark mode")
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_role("button", name="Dark mode")).to_have_attribute("aria-pressed", "true")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 22, 26)", background
    assert_no_axe_violations(page)
    screenshot("site-theme-switched-dark", on=page)
    page.get_by_role("button", name="Dark mode").click()
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    context.close()


def test_reading_progress_line_follows_the_reader(live_server, sample_content, browser):
    context = open_context(browser, live_server, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + first_lesson().get_absolute_url())
    line = page.locator("[data-reading-progress]")
    expect(line).to_have_attribute("aria-hidden", "true")

    def filled() -> float:
        return line.locator("span").evaluate("s => s.getBoundingClientRect().width")

    assert filled() == 0
    page.evaluate("document.querySelector('.lesson__body').scrollIntoView({block: 'end'})")
    wait_until(
        page,
        "() => document.querySelector('[data-reading-progress] span').style.transform"
        " !== 'scaleX(0)'",
    )
    assert filled() > 0.95 * PHONE["width"]
    context.close()


def test_reply_alerts_bell_leads_to_sign_in_and_back(live_server, sample_content, browser):
    learner_make("jun", "jun@example.com", "learner-pass-42", "Jun")
    lesson = first_lesson()
    context = open_context(browser, live_server, viewport=PHONE, language="ko")
    page = context.new_page()
    page.goto(live_server.url + lesson.get_absolute_url())
    bell = page.get_by_role("link", name="답글 알림 (로그인 필요)", exact=True)
    expect(bell).to_be_visible()
    bell.click()
    page.get_by_label("이메일").fill("jun@example.com")
    page.get_by_label("비밀번호").fill("learner-pass-42")
    page.locator("main").get_by_role("button", name="로그인").click()
    expect(page).to_have_url(live_server.url + lesson.get_absolute_url())
    expect(page.locator(".site-header .bell")).to_have_attribute("href", "/notifications/")
    context.close()
