import pytest
from playwright.sync_api import expect

from courses.models import Lesson

pytestmark = pytest.mark.e2e


def test_instructor_edits_previews_and_saves_a_title_that_learners_then_see(
    live_server, sample_content, instructor, page, browser, screenshot
):
    lesson = Lesson.objects.get(course__slug="generative-media", order=2)
    new_title = "How Diffusion Models Really Work"

    # Signing in to admin goes through the site's own sign-in page.
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Email").fill("ines@example.com")
    page.get_by_label("Password").fill("an-instructor-pass-7")
    page.locator("main").get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name="Lessons")).to_be_visible()
    page.get_by_role("link", name="Lessons").click()
    expect(page.locator("#result_list")).to_contain_text("02 / 10")
    screenshot("admin-lesson-list")

    page.locator("#result_list").get_by_role("link", name=lesson.title).click()
    title = page.get_by_label("Title:")
    title.fill(new_title)
    editor_font = page.locator("textarea#id_body_md").evaluate(
        "e => getComputedStyle(e).fontFamily"
    )
    assert editor_font.endswith("monospace")
    screenshot("admin-lesson-form")

    # The preview opens beside the form, rendered like the lesson page, and saves nothing.
    page.get_by_role("button", name="Preview").click()
    preview = page.frame_locator("iframe[name=stream-preview]")
    expect(preview.get_by_role("heading", level=1)).to_have_text(new_title)
    expect(preview.locator(".preview-banner")).to_contain_text("Not saved")
    expect(preview.locator(".lesson__position")).to_contain_text("Lesson 02 of 10")
    expect(preview.locator(".box--takeaways li").first).to_be_visible()
    screenshot("admin-lesson-preview")
    # Or in a tab of its own.
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Open in a new tab").click()
    tab = opened.value
    tab.wait_for_load_state()
    expect(tab.get_by_role("heading", level=1)).to_have_text(new_title)
    tab.close()
    assert Lesson.objects.get(pk=lesson.pk).title == lesson.title

    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    screenshot("admin-lesson-saved")

    # A learner, in a browser of their own, sees the new title.
    learner = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    learner_page = learner.new_page()
    learner_page.goto(live_server.url + lesson.get_absolute_url())
    expect(learner_page.get_by_role("heading", level=1)).to_have_text(new_title)
    learner_page.goto(live_server.url + lesson.course.get_absolute_url())
    expect(learner_page.locator(".outline__item").nth(1)).to_contain_text(new_title)
    screenshot("learner-sees-new-title", on=learner_page)
    learner.close()

    saved = Lesson.objects.get(pk=lesson.pk)
    assert saved.edited_by == instructor
    assert saved.revisions.first().changed_fields == ["title"]
