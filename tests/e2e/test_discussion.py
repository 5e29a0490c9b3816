"""A long discussion in a real browser, on a desktop and a phone, in English and Korean: reading
it, older comments without JavaScript, replying, editing, and times that say "3 minutes ago"."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from comments.models import Comment
from comments.rules import REPLIES_SHOWN
from comments.threads import THREADS_PER_PAGE
from courses.models import Lesson
from lessons.caching import versions
from lessons.markup import render_comment
from tests.conftest import learner_make
from tests.e2e.conftest import SCREENSHOTS, assert_no_axe_violations, session_page

pytestmark = pytest.mark.e2e

LONG_WORDS = (
    "See https://example.com/a/really/long/path/that/goes/on/and/on/without/any/spaces/at/all"
    "/index.html and Supercalifragilisticexpialidocious-and-then-some-more-letters.\n\n"
    "```\nfor step in range(1000): print('a long line of code that scrolls, not wraps', step)"
    "\n```"
)
RELATIVE = {"en": "3 minutes ago", "ko": "3분 전"}
# The accessible names of a comment's controls (the recent comment is 준호's).
REPLY = {"en": "Reply to 준호", "ko": "준호 님에게 답글"}
EDIT = {"en": "Edit your comment", "ko": "내 댓글 수정"}
DELETE = {"en": "Delete your comment", "ko": "내 댓글 삭제"}
LOCALES = {"en": "en-US", "ko": "ko-KR"}


def discussion_make(lesson: Lesson, writers: list) -> dict[str, Comment]:
    """More threads than the lesson page shows, one of them longer than it shows, a comment full
    of long words, and the newest one three minutes old."""
    now = timezone.now()
    text = "A thought about this lesson that runs to a couple of lines, as most comments do."
    html = render_comment(text)
    older = Comment.objects.bulk_create(
        Comment(
            lesson=lesson,
            author=writers[n % 2],
            body=f"Older thread {n}. {text}",
            body_html=render_comment(f"Older thread {n}. {text}"),
            created_at=now - timedelta(days=3, minutes=n),
        )
        for n in range(THREADS_PER_PAGE)
    )
    long_one = Comment.objects.create(
        lesson=lesson, author=writers[0], body=LONG_WORDS, created_at=now - timedelta(hours=5)
    )
    busy = Comment.objects.create(
        lesson=lesson,
        author=writers[1],
        body="Who else tried it?",
        created_at=now - timedelta(hours=4),
    )
    Comment.objects.bulk_create(
        Comment(
            lesson=lesson,
            author=writers[n % 2],
            parent=busy,
            body=text,
            body_html=html,
            created_at=now - timedelta(hours=3, minutes=-n),
        )
        for n in range(REPLIES_SHOWN + 2)
    )
    recent = Comment.objects.create(
        lesson=lesson,
        author=writers[1],
        body="Just tried it.",
        created_at=now - timedelta(minutes=3),
    )
    versions.bump(f"lesson:{lesson.pk}")  # bulk inserts send no signal
    return {"oldest": older[-1], "long": long_one, "busy": busy, "recent": recent}


def no_horizontal_overflow(page: Page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def controls_big_enough(page: Page) -> None:
    """Every comment's controls (Reply, Flag, Edit, Delete…) are touch targets of 44 × 44 px."""
    sizes = page.locator("#comments .comment > div + p > a").evaluate_all(
        "links => links.map(a => { const r = a.getBoundingClientRect();"
        " return [a.textContent, Math.round(r.width), Math.round(r.height)]; })"
    )
    assert sizes and all(w >= 44 and h >= 44 for _text, w, h in sizes), sizes


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en", "ko"])
def test_reading_replying_and_editing_a_long_discussion(
    language, width, live_server, sample_content, browser, screenshot
):
    base = live_server.url
    lesson = Lesson.objects.get(course__slug="generative-media", order=1)
    url = base + lesson.get_absolute_url()
    writers = [
        learner_make(name.lower(), f"{name.lower()}@example.com", "pass-words-42", name)
        for name in ("Mina Kim", "준호")
    ]
    comments = discussion_make(lesson, writers)
    name = f"discussion-{language}-{width}"
    options = {
        "viewport": {"width": width, "height": 900 if width > 400 else 844},
        "locale": LOCALES[language],
        "is_mobile": width < 400,
    }

    # A reader who is not signed in: the newest threads, with relative times and avatars.
    reader_context = browser.new_context(**options)
    reader = reader_context.new_page()
    reader.goto(url)
    expect(reader.locator("html")).to_have_attribute("lang", language)
    thread = reader.locator("#comments .thread")
    expect(thread.locator(".comment.d0")).to_have_count(THREADS_PER_PAGE)
    recent = reader.locator(f"#comment-{comments['recent'].pk}")
    expect(recent.locator("time")).to_have_text(RELATIVE[language])
    exact = timezone.localtime(comments["recent"].created_at).strftime("%Y-%m-%d %H:%M")
    expect(recent.locator("time")).to_have_attribute("title", exact)
    expect(recent.locator(".avatar")).to_have_text("준")
    expect(recent.locator(".avatar")).to_have_attribute("aria-hidden", "true")
    busy = reader.locator(f"#comment-{comments['busy'].pk}")
    expect(busy).to_be_visible()
    # Its five replies: three here, and a link to the thread's own page with all of them.
    folded = thread.locator(".thread__folded a")
    expect(folded).to_have_count(1)
    expect(folded).to_contain_text(str(REPLIES_SHOWN + 2))
    # Long words and URLs wrap, code scrolls inside its box: the column never overflows.
    long_one = reader.locator(f"#comment-{comments['long'].pk}")
    long_one.scroll_into_view_if_needed()
    no_horizontal_overflow(reader)
    box = long_one.bounding_box()
    assert box["x"] + box["width"] <= width
    screenshot(f"{name}-thread", on=reader)
    controls_big_enough(reader)
    assert_no_axe_violations(reader)
    # The part of the page with the long words, as the reader sees it.
    reader.screenshot(path=str(SCREENSHOTS / f"{name}-thread-view.png"))
    folded.click()
    expect(reader.locator(".thread .comment")).to_have_count(REPLIES_SHOWN + 3)
    no_horizontal_overflow(reader)
    reader_context.close()

    # Without JavaScript: exact times, and the older comments on a page of their own.
    plain_context = browser.new_context(java_script_enabled=False, **options)
    plain = plain_context.new_page()
    plain.goto(url)
    expect(plain.locator(f"#comment-{comments['recent'].pk} time")).to_have_text(exact)
    plain.locator(".thread__more a[rel=next]").click()
    assert "/comments/page/2/" in plain.url
    oldest = plain.locator(f"#comment-{comments['oldest'].pk}")
    expect(oldest).to_contain_text(f"Older thread {THREADS_PER_PAGE - 1}.")
    expect(plain.locator(f"#comment-{comments['recent'].pk}")).to_have_count(0)
    no_horizontal_overflow(plain)
    screenshot(f"{name}-older-no-js", on=plain)
    plain_context.close()

    # Mina replies to the recent comment, then edits her reply.
    mina = session_page(browser, base, writers[0], **options)
    mina.goto(url)
    mina.locator(f"#comment-{comments['recent'].pk}").get_by_role(
        "link", name=REPLY[language]
    ).click()
    mina.locator("#id_reply_body").fill("Same here: it worked on the second try.")
    screenshot(f"{name}-reply-form", on=mina)
    assert_no_axe_violations(mina)
    no_horizontal_overflow(mina)
    mina.locator(".comment-actions button[type=submit]").click()
    reply = Comment.objects.get(body__startswith="Same here")
    mine = mina.locator(f"#comment-{reply.pk}")
    expect(mine).to_contain_text("it worked on the second try")
    expect(mine).to_have_class("comment d1")
    # Her own comment offers her Edit and Delete, named for what they do (screen readers too).
    expect(mine.get_by_role("link", name=DELETE[language], exact=True)).to_be_visible()
    controls_big_enough(mina)
    assert_no_axe_violations(mina)
    mine.get_by_role("link", name=EDIT[language], exact=True).click()
    mina.locator("textarea[name=body]").fill("Same here: it worked on the third try.")
    mina.locator(".form--wide button[type=submit]").click()
    mine = mina.locator(f"#comment-{reply.pk}")
    expect(mine).to_contain_text("it worked on the third try")
    expect(mine.locator(".comment__edited")).to_be_visible()
    no_horizontal_overflow(mina)
    screenshot(f"{name}-after-edit", on=mina)
