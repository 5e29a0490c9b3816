import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("locale", "query", "width"),
    [
        ("en-US", "diffusion", 1280),
        ("en-US", "diffusion", 390),
        ("ko-KR", "모델", 1280),
        ("ko-KR", "모델", 390),
    ],
)
def test_reader_searches_from_the_header_and_opens_a_result(
    live_server, sample_content, browser, screenshot, locale, query, width
):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=locale, is_mobile=width < 500
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(live_server.url + "/")

    box = page.locator("#site-search-q")
    if width < 768:  # a phone folds the header's links and the box into its menu
        expect(box).to_be_hidden()
        page.locator(".site-menu__toggle").click()
    expect(box).to_be_visible()
    box.fill(query)
    box.press("Enter")

    results = page.locator(".search-result")
    expect(results.first).to_be_visible()
    expect(page.locator("#search-q")).to_have_value(query)
    expect(results.first.locator("mark").first).to_be_visible()
    # Nothing wider than the screen, on a phone too.
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    language = locale[:2]
    screenshot(f"search-{language}-{width}", on=page)

    title = results.first.locator(".outline__title")
    name = title.inner_text()
    title.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    # A search that finds nothing says what to try instead.
    if width < 768:
        page.locator(".site-menu__toggle").click()
    page.locator("#site-search-q").fill("qqqzzzxxy")
    page.locator("#site-search-q").press("Enter")
    expect(page.locator(".search-note")).to_be_visible()
    if width == 1280:
        screenshot(f"search-{language}-none", on=page)
    context.close()
