"""Discussion and bug reports in a real browser: two learners talk, a reader reports a typo."""

import pytest
from playwright.sync_api import expect

from comments.models import BugReport
from courses.models import Lesson
from tests.conftest import learner_make
from tests.e2e.conftest import signed_in

pytestmark = pytest.mark.e2e


def learner(username: str, name: str):
    return learner_make(username, f"{username}@example.com", f"{username}-pass-42", name)


def test_two_learners_talk_and_a_reader_reports_a_typo(
    live_server, sample_content, admin_user, browser, page, screenshot
):
    base = live_server.url
    lesson = Lesson.objects.get(course__slug="generative-media", order=1)
    url = lesson.get_absolute_url()
    learner("mina", "Mina")
    learner("jun", "Jun")

    # Mina opens the lesson: nobody has said anything yet.
    mina = signed_in(browser, base, "mina@example.com", "mina-pass-42", url)
    discussion = mina.locator("#comments")
    expect(discussion.get_by_role("heading", name="Comments 0")).to_be_visible()
    expect(discussion).to_contain_text("No comments yet.")
    discussion.get_by_label("Join the discussion").fill(
        "Why does the **noise schedule** matter so much?\n\nIs it the same for audio?"
    )
    discussion.get_by_role("button", name="Post comment").click()
    expect(mina.locator(".message--success")).to_have_text("Your comment is posted.")
    expect(discussion.get_by_role("heading", name="Comments 1")).to_be_visible()
    expect(discussion.locator(".comment strong")).to_have_text("noise schedule")

    # Jun replies to her.
    jun = signed_in(browser, base, "jun@example.com", "jun-pass-42", url)
    first = jun.locator(".comment").first
    expect(first).to_contain_text("Mina")
    first.get_by_role("link", name="Reply").click()
    expect(jun.locator(".comment--focus")).to_contain_text("noise schedule")
    screenshot("comments-reply-form", on=jun)
    jun.get_by_label("Reply to Mina").fill("It sets how fast detail is destroyed; audio too.")
    jun.get_by_role("button", name="Post reply").click()
    reply = jun.locator(".comment.d1")
    expect(reply).to_contain_text("It sets how fast detail is destroyed")
    expect(reply).to_contain_text("Jun")

    # Mina sees the bell, the notification, and the reply.
    mina.goto(base + url)
    expect(mina.locator(".bell__count")).to_have_text("1")
    screenshot("comments-thread", on=mina)
    mina.locator(".bell").click()
    expect(mina.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(mina.locator(".notification--unread")).to_contain_text(
        f"Jun replied to your comment on “{lesson.title}”"
    )
    screenshot("comments-notifications", on=mina)
    mina.locator(".notification__link").click()
    expect(mina.locator(".comment.d1")).to_be_in_viewport()
    expect(mina.locator(".comment.d1")).to_contain_text("audio too")
    expect(mina.locator(".bell__count")).to_have_count(0)

    # An anonymous reader sees the thread but no forms, and reports a typo.
    page.goto(base + url)
    expect(page.locator("#comments .comment")).to_have_count(2)
    expect(page.locator("#comments textarea")).to_have_count(0)
    expect(
        page.locator("#comments").get_by_role("link", name="Sign in", exact=True)
    ).to_have_attribute("href", f"/accounts/login/?next={url}%23comments")
    page.get_by_role("link", name="Report a problem").click()
    page.get_by_label("Typo").check()
    page.get_by_label("What is wrong?").fill("“teh” instead of “the” in the second paragraph.")
    page.get_by_label("The passage it concerns (optional)").fill("teh model")
    screenshot("comments-report-form")
    page.get_by_role("button", name="Send report").click()
    expect(page).to_have_url(base + url)
    expect(page.locator(".message--success")).to_contain_text("Thank you!")
    assert BugReport.objects.get().reporter is None

    # Staff find it in admin (pytest-django's admin_user signs in with password "password").
    staff = signed_in(browser, base, admin_user.email, "password", "/admin/comments/bugreport/")
    row = staff.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("“teh” instead of “the”")
    expect(row).to_contain_text(lesson.title[:20])
    screenshot("comments-admin-reports", on=staff)


def test_discussion_reads_well_on_a_phone(live_server, sample_content, browser, screenshot):
    lesson = Lesson.objects.get(course__slug="generative-media", order=1)
    mina = learner("mina", "Mina")
    jun = learner("jun", "Jun")
    from comments.services import comment_post

    parent = comment_post(author=mina, lesson=lesson, body="A question with `code` in it.")
    for depth in range(6):
        parent = comment_post(
            author=jun if depth % 2 == 0 else mina,
            lesson=lesson,
            body=f"Reply at depth {depth + 1}: a long-ish sentence that needs to wrap nicely.",
            parent=parent,
        )
    phone = signed_in(
        browser,
        live_server.url,
        "mina@example.com",
        "mina-pass-42",
        lesson.get_absolute_url(),
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )
    phone.locator("#comments").scroll_into_view_if_needed()
    # The thread's first replies, and a link to its own page with all of them.
    expect(phone.locator(".comment")).to_have_count(4)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot("comments-thread-phone", on=phone)
    phone.get_by_role("link", name="Show all 6 replies").click()
    expect(phone.locator(".comment")).to_have_count(7)
    expect(phone.locator(".comment__parent")).to_have_count(2)  # depth 5 and 6 name their parent
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot("comments-conversation-phone", on=phone)
