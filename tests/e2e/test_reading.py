import pytest
from playwright.sync_api import expect

from courses.models import Lesson

pytestmark = pytest.mark.e2e


def test_reader_goes_from_catalogue_to_a_lesson_and_reads_it(
    live_server, sample_content, page, screenshot
):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Courses")).to_be_visible()
    screenshot("catalogue")

    page.get_by_role("link", name="Generative Media, Without the Hype").click()
    expect(page.locator(".outline__item")).to_have_count(10)
    screenshot("course")

    first = Lesson.objects.get(course__slug="generative-media", order=1)
    page.get_by_role("link", name=first.title).click()
    expect(page.locator(".lesson__position")).to_have_text("Lesson 01 of 10")
    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    expect(page.locator(".callout--summary")).to_contain_text("피파 한 줄 정리")
    expect(page.locator(".box--takeaways li").first).to_be_visible()
    expect(page.get_by_role("heading", name="Exercise")).to_be_visible()
    external = page.locator(".links a").first
    expect(external).to_have_attribute("rel", "noopener noreferrer")

    # The table of contents jumps to its section.
    toc_link = page.locator(".toc a").nth(1)
    target = toc_link.get_attribute("href")
    toc_link.click()
    expect(page).to_have_url(live_server.url + first.get_absolute_url() + target)
    expect(page.locator(target)).to_be_in_viewport()
    screenshot("lesson")

    page.get_by_role("link", name="Next").click()
    expect(page.locator(".lesson__position")).to_have_text("Lesson 02 of 10")


def test_lesson_reads_well_on_a_phone(live_server, sample_content, browser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    lesson = Lesson.objects.get(course__slug="generative-media", order=2)
    phone.goto(live_server.url + lesson.get_absolute_url())
    # Nothing wider than the screen: no sideways scrolling while reading.
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot("lesson-phone", on=phone)
    context.close()
