import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from comments.models import BugReport, ReportCategory, ReportStatus
from comments.services import report_file
from courses.models import Lesson

pytestmark = pytest.mark.e2e

NOTE = "Some readers reported this may be out of date"
VIEWS = [("1280-en", 1280, 900, "en-US"), ("390-ko", 390, 844, "ko-KR")]


def read_lesson(browser: Browser, url: str, screenshot, name: str) -> list[str]:
    """The lesson page as anonymous readers see it, at each width and language: the reviewed
    line's datetime and whether the note shows, per view."""
    seen = []
    for view, width, height, locale in VIEWS:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        reader = context.new_page()
        reader.goto(url)
        reviewed = reader.locator("time.lesson__reviewed")
        expect(reviewed).to_be_visible()
        note = reader.locator(".freshness-note")
        seen.append((reviewed.get_attribute("datetime"), note.count() > 0))
        width_used = reader.evaluate("document.documentElement.scrollWidth")
        assert width_used <= width, "the page scrolls sideways"
        full = screenshot(f"freshness-{name}-{view}", on=reader)
        # The header alone too, where the date and the note are, at a size a person can read.
        header = full.with_name(f"{full.stem}-header.png")
        reader.locator(".lesson__header").screenshot(path=str(header))
        context.close()
    return seen


def test_reader_sees_the_note_until_an_instructor_marks_the_lesson_reviewed(
    live_server, sample_content, instructor, learner, page, browser, screenshot
):
    lesson = Lesson.objects.get(course__slug="generative-media", slug="voice-and-audio")
    url = live_server.url + lesson.get_absolute_url()
    report_file(
        lesson=lesson,
        reporter=learner,
        category=ReportCategory.OUTDATED,
        description="Two of these voice models were retired this autumn.",
    )

    # Readers see when the lesson was last checked, and that readers think it may be stale.
    assert read_lesson(browser, url, screenshot, "before") == [("2025-12-05", True)] * 2
    page.goto(url)
    expect(page.locator("time.lesson__reviewed")).to_have_text("Reviewed 5 Dec 2025")
    expect(page.locator(".freshness-note")).to_contain_text(NOTE)

    # The instructor finds it at the top of the list by freshness (the oldest review) and marks
    # it reviewed.
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Email").fill("ines@example.com")
    page.get_by_label("Password").fill("an-instructor-pass-7")
    page.locator("main").get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="Freshness by lesson").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_contain_text("Voice, Speech and Audio Models")
    expect(rows.first.locator(".field-open_outdated_reports")).to_have_text("1")
    screenshot("freshness-admin-list-1280-en")
    rows.first.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("mark_reviewed")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_contain_text("1 lesson marked reviewed today.")
    expect(page.locator(".messagelist")).to_contain_text("1 “outdated” report closed as fixed")
    screenshot("freshness-admin-marked-1280-en")
    assert BugReport.objects.get().status == ReportStatus.FIXED

    # The list on a phone, in Korean, for the instructor on the go.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    phone.add_cookies(page.context.cookies())
    admin_phone = phone.new_page()
    admin_phone.goto(live_server.url + "/admin/comments/lessonfreshness/")
    expect(admin_phone.locator("#result_list")).to_be_visible()
    screenshot("freshness-admin-list-390-ko", on=admin_phone)
    phone.close()

    # The note is gone on the very next request, and the page says it was checked today.
    today = timezone.localdate().isoformat()
    assert read_lesson(browser, url, screenshot, "after") == [(today, False)] * 2
