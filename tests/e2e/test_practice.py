"""Learning by doing in a real browser: knowledge checks answered in place (and, without
JavaScript, by a form that comes back to the check), kept through sign-up and shown on
/progress/; the exercise's answer box saving a draft as the learner types, found again in
another browser, submitted for the model answer and marked done. On a desktop and a phone, in
English and Korean, light and dark.

Screenshots land in artifacts/screenshots/practice-*.png.
"""

import pytest
from django.utils.html import escape
from playwright.sync_api import Browser, Page, expect

from courses.models import Check, Lesson
from practice.models import CheckAttempt, ExerciseAnswer
from tests.conftest import learner_make
from tests.e2e.conftest import SCREENSHOTS, assert_no_axe_violations, session_page, wait_until

pytestmark = pytest.mark.e2e

LOCALES = {"en": "en-US", "ko": "ko-KR"}
WORDS = {
    "en": {
        "wrong": "Not quite.",
        "right": "Right!",
        "again": "Try again",
        "checks": "{done}/{total} checks",
        "done-here": "Completed in this browser",
        "done-on": "Completed on",
        "knowledge-checks": "Knowledge checks",
        "saved": "Draft saved.",
        "draft-kept": "Draft saved. Only you can see it.",
        "submit": "Submit my answer",
        "guidance": "What a good answer looks like",
        "mark-done": "Mark the exercise done",
        "exercise-done": "Exercise done",
    },
    "ko": {
        "wrong": "아쉬워요.",
        "right": "정답!",
        "again": "다시 시도",
        "checks": "확인 문제 {done}/{total}",
        "done-here": "이 브라우저에서 완료함",
        "done-on": "에 완료",
        "knowledge-checks": "확인 문제",
        "saved": "초안을 저장했어요.",
        "draft-kept": "초안을 저장했어요. 나만 볼 수 있어요.",
        "submit": "답 제출",
        "guidance": "좋은 답의 예",
        "mark-done": "실습 완료로 표시",
        "exercise-done": "실습 완료",
    },
}
DARK_PAPER = "rgb(21, 22, 26)"  # --paper in the dark theme


def sample_lesson() -> Lesson:
    """content/generative-media/01-why-it-changes-so-fast.md: four checks and an exercise with
    a model answer."""
    return Lesson.objects.get(course__slug="generative-media", slug="why-it-changes-so-fast")


def options_for(width: int, language: str, theme: str, **options) -> dict:
    return {
        "viewport": {"width": width, "height": 900 if width > 400 else 844},
        "locale": LOCALES[language],
        "color_scheme": theme,
        "is_mobile": width < 400,
        **options,
    }


def new_page(browser: Browser, **options) -> Page:
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    return context.new_page()


def wrong_and_right(check: Check) -> tuple[int, int]:
    """The first wrong option and the first right one of a single-choice check."""
    correct = [option["correct"] for option in check.options]
    return correct.index(False), correct.index(True)


def option_label(page: Page, check: Check, index: int):
    return page.locator(f"#check-{check.number} .check__option").nth(index)


def no_horizontal_overflow(page: Page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def theme_is(page: Page, theme: str) -> None:
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == DARK_PAPER) == (theme == "dark"), background


def shot(page: Page, name: str, selector: str) -> None:
    """A picture of one part of the page (the check, the answer box), for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(selector).screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def explanations_absent(html: str, text: str, checks: list[Check]) -> None:
    """Neither the page's HTML nor what it shows carries an option's explanation (the page
    never gives the answer away before the reader has answered)."""
    for check in checks:
        for option in check.options:
            why = option["explanation"]
            assert why, "every option of the sample lesson is explained"
            assert escape(why) not in html and why not in html, why
            assert why not in text, why


@pytest.mark.parametrize(
    ("width", "language", "theme"), [(1280, "en", "light"), (390, "ko", "dark")]
)
def test_a_reader_answers_a_check_completes_the_lesson_and_finds_it_on_progress(
    width, language, theme, live_server, sample_content, browser, screenshot
):
    base = live_server.url
    words = WORDS[language]
    lesson = sample_lesson()
    url = base + lesson.get_absolute_url()
    checks = list(lesson.checks.order_by("number"))
    assert len(checks) == 4
    first = checks[0]
    wrong, right = wrong_and_right(first)
    total = Check.objects.filter(lesson__in=Lesson.objects.published()).count()
    name = f"practice-{width}-{language}-{theme}"
    page = new_page(browser, **options_for(width, language, theme))

    response = page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", language)
    theme_is(page, theme)
    expect(page.locator("section.check")).to_have_count(4)
    explanations_absent(response.text(), page.locator("body").inner_text(), checks)
    expect(page.locator(f"#check-{first.number} [data-check-result]")).to_be_empty()
    no_horizontal_overflow(page)
    assert_no_axe_violations(page)

    # A wrong answer: the result shows under the check, in its status region, and the page
    # stays where the reader is (no navigation, no jump to an anchor).
    section = page.locator(f"#check-{first.number}")
    submit = section.locator("button[type=submit]")
    submit.scroll_into_view_if_needed()
    option_label(page, first, wrong).click()
    shot(page, f"{name}-check-chosen", f"#check-{first.number}")
    scrolled = page.evaluate("window.scrollY")
    submit.click()
    status = section.get_by_role("status")
    expect(status).to_contain_text(words["wrong"])
    expect(status.locator(".check-result--wrong")).to_be_visible()
    expect(status).to_contain_text(first.options[wrong]["explanation"])
    assert page.url == url
    assert page.evaluate("window.scrollY") == scrolled, "the page jumped"
    form_box = section.locator("form").bounding_box()
    result_box = status.bounding_box()
    assert result_box["y"] >= form_box["y"] + form_box["height"] - 1, "the result is not under"
    expect(submit).to_have_text(words["again"])
    # The bar counts the check answered (in this browser, until the reader signs up).
    expect(page.locator("[data-learner-bar]")).to_contain_text(
        words["checks"].format(done=1, total=total)
    )
    no_horizontal_overflow(page)
    shot(page, f"{name}-check-wrong", f"#check-{first.number}")
    assert_no_axe_violations(page)

    option_label(page, first, right).click()
    scrolled = page.evaluate("window.scrollY")
    submit.click()
    expect(status.locator(".check-result--right")).to_be_visible()
    expect(status).to_contain_text(words["right"])
    assert page.evaluate("window.scrollY") == scrolled, "the page jumped"
    expect(page.locator("[data-learner-bar]")).to_contain_text(
        words["checks"].format(done=1, total=total)
    )
    shot(page, f"{name}-check-right", f"#check-{first.number}")
    assert_no_axe_violations(page)
    assert not CheckAttempt.objects.exists()  # kept in the browser only

    # The lesson completed the way a reader who is not signed in completes it.
    page.locator("[data-complete]").click()
    expect(page.get_by_text(words["done-here"])).to_be_visible()
    # 50 XP for the lesson and 10 for "First steps"; none for a check missed on the first try.
    expect(page.locator("[data-learner-bar]")).to_contain_text("60 XP")
    screenshot(f"{name}-lesson-answered", on=page)

    # Signing up hands the browser's answers and completion over to the account.
    page.goto(f"{base}/accounts/signup/?next={lesson.get_absolute_url()}")
    page.locator("#id_display_name").fill("Jun")
    page.locator("#id_email").fill("jun@example.com")
    page.locator("#id_password1").fill("a-sturdy-pass-31")
    page.locator("#id_password2").fill("a-sturdy-pass-31")
    page.locator("main form.form button[type=submit]").click()
    expect(page.locator(".progress-block__done")).to_contain_text(words["done-on"])
    wait_until(
        page,
        "() => localStorage.getItem('stream.practice') === null"
        " && localStorage.getItem('stream.progress.v1') === null",
    )
    attempts = CheckAttempt.objects.filter(user__email="jun@example.com").order_by("created_at")
    assert [attempt.correct for attempt in attempts] == [False, True]
    assert attempts.get(first=True).correct is False

    # The lesson now shows the account's last answer to the check, graded by the server.
    page.reload()
    expect(status.locator(".check-result--right")).to_be_visible()
    expect(page.locator("[data-learner-bar]")).to_contain_text(
        words["checks"].format(done=1, total=total)
    )

    page.goto(base + "/progress/")
    checks_section = page.locator("#checks")
    expect(checks_section.get_by_role("heading")).to_have_text(words["knowledge-checks"])
    row = checks_section.locator("tbody tr").filter(has_text=lesson.title)
    expect(row.locator("td")).to_have_text([lesson.title, "1/4", "0"])
    bar = page.locator("[data-learner-bar]")
    expect(bar).to_contain_text(words["checks"].format(done=1, total=total))
    expect(bar).to_contain_text("60 XP")  # the server paid nothing for the missed check either
    no_horizontal_overflow(page)
    screenshot(f"{name}-progress", on=page)
    assert_no_axe_violations(page)
    page.context.close()


@pytest.mark.parametrize(
    ("width", "language", "theme"), [(1280, "en", "dark"), (390, "ko", "light")]
)
def test_an_exercise_draft_follows_the_learner_to_another_browser(
    width, language, theme, live_server, sample_content, browser, screenshot
):
    base = live_server.url
    words = WORDS[language]
    lesson = sample_lesson()
    url = base + lesson.get_absolute_url()
    mina = learner_make("mina", "mina@example.com", "learner-pass-42", "Mina")
    options = options_for(width, language, theme)
    name = f"practice-exercise-{width}-{language}-{theme}"
    answer = (
        "01 product shot: a ceramic mug on a desk\n"
        "02 text: a sign that reads OPEN 7 DAYS\n"
        "| 2 Mar | image tool v4.2 | 1187 | 01 | soft light, mug handle melted |"
    )

    page = session_page(browser, base, mina, **options)
    response = page.goto(url)
    explanations_absent(
        response.text(), page.locator("body").inner_text(), list(lesson.checks.all())
    )
    box = page.locator("#exercise-answer")
    expect(box.get_by_role("heading", name=words["guidance"])).to_have_count(0)
    text = box.locator("textarea[data-exercise-text]")
    text.click()
    text.press_sequentially(answer)
    # Saved as they type: the status line says so once the server has it.
    expect(box.locator("[data-exercise-status]")).to_have_text(words["saved"])
    assert ExerciseAnswer.objects.get(user=mina, lesson=lesson).text == answer
    no_horizontal_overflow(page)
    theme_is(page, theme)
    shot(page, f"{name}-draft-saved", "#exercise-answer")
    assert_no_axe_violations(page)
    page.goto(base + "/")  # and leaves
    page.context.close()

    # Another browser, signed in as the same learner: the draft is in the box.
    page = session_page(browser, base, mina, **options)
    page.goto(url)
    box = page.locator("#exercise-answer")
    text = box.locator("textarea[data-exercise-text]")
    expect(text).to_have_value(answer)
    expect(box.locator("[data-exercise-status]")).to_have_text(words["draft-kept"])
    box.get_by_role("button", name=words["submit"], exact=True).click()

    # Submitted: the page comes back to the box, now with the model answer under it.
    expect(page).to_have_url(f"{url}#exercise-answer")
    guidance = box.locator(".exercise-answer__guidance")
    expect(guidance.get_by_role("heading")).to_have_text(words["guidance"])
    expect(guidance).to_contain_text("A worked example from someone who posts for a small bakery")
    expect(text).to_have_value(answer)
    no_horizontal_overflow(page)
    shot(page, f"{name}-submitted", "#exercise-answer")
    screenshot(f"{name}-submitted-page", on=page)
    assert_no_axe_violations(page)

    box.get_by_role("button", name=words["mark-done"]).click()
    expect(box.locator(".exercise-answer__done")).to_have_text(f"✓ {words['exercise-done']}")
    expect(box.get_by_role("button", name=words["mark-done"])).to_have_count(0)
    stored = ExerciseAnswer.objects.get(user=mina, lesson=lesson)
    assert stored.submitted_at is not None and stored.done_at is not None
    assert stored.versions.count() == 1
    shot(page, f"{name}-done", "#exercise-answer")
    assert_no_axe_violations(page)
    page.context.close()


def test_without_javascript_a_check_is_answered_by_a_form_and_the_page_returns_to_it(
    live_server, sample_content, browser, screenshot
):
    lesson = sample_lesson()
    check = lesson.checks.get(number=2)  # "choose all that apply"
    right = [i for i, option in enumerate(check.options) if option["correct"]]
    page = new_page(browser, java_script_enabled=False, **options_for(390, "en", "light"))

    response = page.goto(live_server.url + lesson.get_absolute_url())
    explanations_absent(
        response.text(), page.locator("body").inner_text(), list(lesson.checks.all())
    )
    section = page.locator(f"#check-{check.number}")
    for index in right:
        option_label(page, check, index).click()
    section.get_by_role("button", name="Check my answer").click()

    # The form came back to the check's anchor, with the result under that check only.
    expect(page).to_have_url(f"{live_server.url}{lesson.get_absolute_url()}#check-{check.number}")
    status = section.get_by_role("status")
    expect(status.locator(".check-result--right")).to_be_visible()
    expect(status).to_contain_text("Right!")
    for index in right:
        expect(section.locator("input[name=option]").nth(index)).to_be_checked()
        expect(status).to_contain_text(check.options[index]["explanation"])
    expect(page.locator(".check-result")).to_have_count(1)
    expect(section.get_by_role("button", name="Try again")).to_be_visible()
    top = section.bounding_box()["y"]
    assert 0 <= top < 844 / 2, f"the check is not in view after the post (top at {top}px)"
    no_horizontal_overflow(page)
    page.screenshot(path=str(SCREENSHOTS / "practice-no-js-390-en-light-check.png"))
    screenshot("practice-no-js-390-en-light-page", on=page)
    page.context.close()
