"""Each comment's controls are real links named for what they do, drawn on the server for each
reader (comments.parts, "comment-controls"), also when the page comes from the shell all
signed-in learners share (lessons.caching.shells)."""

import re
import unicodedata
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_flag, comment_post, flags_dismiss

pytestmark = pytest.mark.django_db


class _Controls(HTMLParser):
    """The links and notes inside each comment of a page: {comment id: [(accessible name,
    visible text, href)]}, the accessible name being aria-label if there is one, else the text."""

    def __init__(self):
        super().__init__()
        self.found: dict[int, list[tuple[str, str, str]]] = {}
        self._comment: int | None = None
        self._link: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and (attrs.get("id") or "").startswith("comment-"):
            self._comment = int(attrs["id"].removeprefix("comment-"))
            self.found[self._comment] = []
        elif tag == "a" and self._comment is not None:
            self._link = {
                "href": attrs.get("href", ""),
                "label": attrs.get("aria-label"),
                "text": "",
            }

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data
        elif self._comment is not None and data.strip() == "You flagged this.":
            self.found[self._comment].append(("You flagged this.", data.strip(), ""))

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            link, self._link = self._link, None
            text = link["text"].strip()
            self.found[self._comment].append((link["label"] or text, text, link["href"]))
        elif tag == "li":
            self._comment = None


CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+|(csrf-token" content=")[^"]+')


def without_csrf(html: bytes) -> str:
    """A page without its CSRF token, which is each browser's own."""
    return CSRF.sub(lambda m: m.group(1) or m.group(2), html.decode())


def links_of(html: str) -> dict[int, dict[str, str]]:
    """{comment id: {accessible name: href}} for the lesson page's discussion."""
    parser = _Controls()
    parser.feed(html[html.index('id="comments"') :])
    return {pk: {name: href for name, _text, href in links} for pk, links in parser.found.items()}


def named(links: dict[str, str]) -> set[str]:
    """The controls' names, without the time's permalink (a link to the comment itself)."""
    return {name for name, href in links.items() if not href.startswith("#")}


@pytest.fixture
def lesson_renders():
    """How often the lesson page's template was rendered (not served from a shell)."""
    names: list[str] = []

    def seen(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(seen)
    yield lambda: names.count("courses/lesson_detail.html")
    template_rendered.disconnect(seen)


def test_an_author_sees_edit_and_delete_named_for_what_they_do_on_the_shared_shell(
    mina, jun, learner, lesson, lesson_renders
):
    comment = comment_post(author=learner, lesson=lesson, body="My question")
    url = lesson.get_absolute_url()
    first = mina.get(url).content.decode()
    juns = jun.get(url).content.decode()
    again = mina.get(url).content.decode()
    assert lesson_renders() == 1  # one shell for the three pages

    edit = reverse("comments:edit", args=[comment.pk])
    delete = reverse("comments:delete", args=[comment.pk])
    for page in (first, again):
        links = links_of(page)[comment.pk]
        assert named(links) == {"Reply to Mina", "Edit your comment", "Delete your comment"}
        assert links["Reply to Mina"] == f"{reverse('comments:comment', args=[comment.pk])}#actions"
        assert links["Edit your comment"] == edit and links["Delete your comment"] == delete
        assert 'aria-label="Edit your comment">Edit</a>' in page
        assert 'aria-label="Delete your comment">Delete</a>' in page
    assert named(links_of(juns)[comment.pk]) == {"Reply to Mina", "Flag this comment"}
    assert "Edit your comment" not in juns and "Delete your comment" not in juns

    # Each leads where its name says: the edit form, the confirmation before deleting.
    form = mina.get(edit).content.decode()
    assert f'action="{edit}"' in form and "Save changes" in form
    assert "Delete your comment?" in mina.get(delete).content.decode()


def test_readers_not_signed_in_get_one_page_whose_reply_and_flag_lead_to_signing_in(
    settings, learner, lesson
):
    comment = comment_post(author=learner, lesson=lesson, body="Hello")
    url = lesson.get_absolute_url()
    for cached in (True, False):
        settings.PAGE_CACHE = cached
        first, second = (without_csrf(Client().get(url).content) for _reader in range(2))
        assert first == second
    links = links_of(first)[comment.pk]
    assert named(links) == {"Reply to Mina", "Flag this comment"}
    flag = links["Flag this comment"]
    assert flag == reverse("comments:flag", args=[comment.pk])
    signin = Client().get(flag)
    assert signin.status_code == 302
    assert signin["Location"].startswith(f"{reverse('account_login')}?next=")
    own_page = Client().get(links["Reply to Mina"]).content.decode()
    assert 'class="discussion__signin"' in own_page


def test_edit_goes_when_the_window_closes_also_from_the_parts_kept_for_the_reader(
    monkeypatch, mina, learner, lesson
):
    comment = comment_post(author=learner, lesson=lesson, body="Quick")
    url = lesson.get_absolute_url()
    assert "Edit your comment" in named(links_of(mina.get(url).content.decode())[comment.pk])
    # Kept for her next page until the window closes: a second before, still there.
    almost = comment.editable_until - timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: almost)
    assert "Edit your comment" in named(links_of(mina.get(url).content.decode())[comment.pk])
    later = comment.editable_until + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    controls = named(links_of(mina.get(url).content.decode())[comment.pk])
    assert controls == {"Reply to Mina", "Delete your comment"}


def test_a_flagger_sees_their_flag_and_may_withdraw_it_and_after_review_nothing_more(
    mina, learner, other_learner, lesson
):
    comment = comment_post(author=other_learner, lesson=lesson, body="Buy now")
    url = lesson.get_absolute_url()
    comment_flag(comment=comment, user=learner, reason="spam")
    page = mina.get(url).content.decode()
    links = links_of(page)[comment.pk]
    assert named(links) == {"Reply to Jun", "You flagged this.", "Withdraw flag"}
    assert links["Withdraw flag"] == reverse("comments:flag-withdraw-confirm", args=[comment.pk])
    flags_dismiss(comments=Comment.objects.filter(pk=comment.pk))
    # Flagged once, reviewed: there is nothing more for her to do with it but reply.
    assert named(links_of(mina.get(url).content.decode())[comment.pk]) == {"Reply to Jun"}


def test_moderators_get_a_moderate_link_and_staff_without_the_permission_do_not(
    staff_user, staff_client, learner, lesson
):
    comment = comment_post(author=learner, lesson=lesson, body="Borderline")
    url = lesson.get_absolute_url()
    admin_url = reverse("admin:comments_comment_change", args=[comment.pk])
    controls = named(links_of(staff_client.get(url).content.decode())[comment.pk])
    assert "Moderate this comment" not in controls
    staff_user.user_permissions.add(Permission.objects.get(codename="change_comment"))
    moderator = Client()
    moderator.force_login(type(staff_user).objects.get(pk=staff_user.pk))
    links = links_of(moderator.get(url).content.decode())[comment.pk]
    assert links["Moderate this comment"] == admin_url
    assert "Edit your comment" not in links  # only the author edits; moderators hide, in admin


# --- Words are in the HTML ---------------------------------------------------------------------

COMMENT_SELECTORS = re.compile(
    r"comment|discussion|thread|notification|bell|report-link|freshness|chip|avatar"
)


def test_no_words_are_drawn_by_css_content_in_the_comments_styles():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "stream.css").read_text()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    drawn = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if not COMMENT_SELECTORS.search(selector):
            continue
        for value in re.findall(r"content\s*:\s*([^;]+)", body):
            for text in re.findall(r'"((?:[^"\\]|\\.)*)"', value):
                if any(unicodedata.category(char).startswith("L") for char in text):
                    drawn.append(f"{selector.strip()}: {text}")
    assert drawn == []


def test_a_signed_in_discussion_carries_no_style_of_its_own(mina, learner, other_learner, lesson):
    comment_post(author=learner, lesson=lesson, body="Mine")
    comment_post(author=other_learner, lesson=lesson, body="His")
    page = mina.get(lesson.get_absolute_url()).content.decode()
    assert "<style" not in page[page.index('id="comments"') :]


# --- Text that looks like the cache's own --------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["a\x1eb, the old record separator", "streamcut" + "0123456789abcdef" * 2 + " streamcsrf00"],
)
def test_a_comment_that_looks_like_a_cut_leaves_the_signed_in_lesson_page_whole(
    body, mina, jun, learner, other_learner, lesson
):
    # Written around the form (which refuses control characters): a script, an old row.
    odd = Comment.objects.create(lesson=lesson, author=other_learner, body=body)
    comment_post(author=learner, lesson=lesson, body="A plain one", parent=odd)
    url = lesson.get_absolute_url()
    for reader in (mina, jun, mina, jun):  # the shell built, then drawn from for each
        response = reader.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert odd.body_html in page and "A plain one" in page
        assert named(links_of(page)[odd.pk]) >= {"Reply to Jun"}
