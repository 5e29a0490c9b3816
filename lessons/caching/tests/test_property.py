"""The cache's invariant, as a property: whatever readers do, in any order, with any text, each
page served equals the same page rendered with caching off for that reader, and nothing
answers 500.

Hypothesis draws sequences of steps; each step is an action by a reader (anonymous, two
learners, staff, a learner who deletes their account) and then a page request by a reader:
the lesson with its discussion, checks and exercise, another lesson, the course,
/progress/, the catalogue or a comment's page, with or without a query string. The page is
fetched as served (from the cache when it can be) and then again with caching off
(PAGE_CACHE off and no pages cache at all), and the two must match but for CSRF tokens.
A failure shrinks to its smallest sequence.

HYPOTHESIS_EXAMPLES sets the number of sequences (a modest default keeps scripts/test quick;
raise it for a deeper run, e.g. HYPOTHESIS_EXAMPLES=500).
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.services import learner_delete
from comments.models import Comment
from comments.services import comments_hide
from courses.models import Lesson
from lessons.caching import pages as pagecache
from tests.conftest import learner_make

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "15"))
READERS = ["anonymous", "mina", "jun", "staff", "gone"]
LEARNERS = ["mina", "jun", "gone"]

# Text as hostile as people type: control characters (U+001E was the shells' old cut, NUL
# breaks PostgreSQL), bidi controls, markup, markers' look-alikes, long runs, any Unicode.
HOSTILE = [
    "\x00", "\x1e", "\x1f", "\x7f", "\u202e", "\u2066", "\u200b", "\ufeff", "\r\n", "\t",
    "<script>alert(1)</script>", "<b>", "&amp;", "{{ user }}", "{% csrf_token %}",
    "streamcut", "streamcsrf", "csrfmiddlewaretoken", "**bold**", "[a](javascript:x)",
    "https://example.com/?q=1", "피파", "Mina",
]  # fmt: skip
hostile_text = st.one_of(
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), min_size=0, max_size=8).map(
        "".join
    ),
    st.integers(min_value=2_000, max_value=12_000).map(lambda n: "long " * (n // 5)),
)
ZONES = ["Asia/Seoul", "UTC", "America/Los_Angeles", "Pacific/Kiritimati"]
reader = st.sampled_from(READERS)
learner = st.sampled_from(LEARNERS)
index = st.integers(min_value=0, max_value=50)

actions = st.one_of(
    st.tuples(st.just("post"), reader, hostile_text),
    st.tuples(st.just("reply"), reader, index, hostile_text),
    st.tuples(st.just("edit"), learner, index, hostile_text),
    st.tuples(st.just("hide"), index),
    st.tuples(st.just("flag"), learner, index),
    st.tuples(st.just("complete"), learner, st.integers(min_value=0, max_value=2)),
    st.tuples(st.just("rename"), learner, hostile_text),
    st.tuples(st.just("language"), reader, st.sampled_from(["en", "ko"])),
    st.tuples(st.just("time-zone"), learner, st.sampled_from(ZONES)),
    st.tuples(st.just("answer-check"), reader, index, st.lists(index, max_size=3)),
    st.tuples(
        st.just("exercise"), learner, st.sampled_from(["draft", "submit", "done", "share"]),
        hostile_text,
    ),
    st.tuples(st.just("delete-account")),
    st.tuples(st.just("nothing")),
)  # fmt: skip
PAGES = ["lesson", "other-lesson", "course", "progress", "catalogue", "comment"]
QUERIES = ["", "?utm_source=x", "?page=2", "?page=%00&x=\u202e"]
requests = st.tuples(reader, st.sampled_from(PAGES), st.sampled_from(QUERIES), index)
steps = st.lists(st.tuples(actions, requests), min_size=1, max_size=10)

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+')


@dataclass
class Site:
    lessons: list[Lesson]
    clients: dict[str, Client] = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    comments: list[int] = field(default_factory=list)

    def client(self, name: str) -> Client:
        return self.clients[name]

    def comment(self, number: int) -> Comment | None:
        if not self.comments:
            return None
        return Comment.objects.filter(pk=self.comments[number % len(self.comments)]).first()


def site_make(lessons: list[Lesson], staff_user) -> Site:
    site = Site(lessons=lessons)
    site.clients["anonymous"] = Client()
    for name in LEARNERS:
        user = learner_make(name, f"{name}@example.com", "learner-pass-42", name.title())
        site.users[name] = user
        site.clients[name] = Client()
        site.clients[name].force_login(user)
    site.users["staff"] = staff_user
    site.clients["staff"] = Client()
    site.clients["staff"].force_login(staff_user)
    return site


def act(site: Site, action: tuple) -> None:
    """One action, as the reader's browser would send it (a refused one is fine: no 500)."""
    kind, *args = action
    lesson = site.lessons[0]
    if kind in ("post", "reply"):
        name, text = args[0], args[-1]
        parent = site.comment(args[1]) if kind == "reply" else None
        url = reverse("comments:post", args=[lesson.course.slug, lesson.slug])
        data = {"body": text, **({"parent": parent.pk} if parent else {})}
        if parent is not None and kind == "reply":
            url = reverse("comments:reply", args=[parent.pk])
        response = site.client(name).post(url, data)
        assert response.status_code < 500
        newest = Comment.objects.order_by("-pk").values_list("pk", flat=True).first()
        if newest and newest not in site.comments:
            site.comments.append(newest)
    elif kind == "edit":
        comment = site.comment(args[1])
        if comment is not None:
            url = reverse("comments:edit", args=[comment.pk])
            assert site.client(args[0]).post(url, {"body": args[2]}).status_code < 500
    elif kind == "hide":
        comment = site.comment(args[0])
        if comment is not None:
            comments_hide(comments=[comment])
    elif kind == "flag":
        comment = site.comment(args[1])
        if comment is not None:
            url = reverse("comments:flag", args=[comment.pk])
            data = {"reason": "spam", "note": ""}
            assert site.client(args[0]).post(url, data).status_code < 500
    elif kind == "complete":
        target = site.lessons[args[1] % len(site.lessons)]
        url = reverse("progress:complete", args=[target.pk])
        assert site.client(args[0]).post(url).status_code < 500
    elif kind in ("rename", "time-zone"):
        name = args[0]
        profile = type(site.users[name].learner_profile).objects.filter(user__username=name)
        profile = profile.first()
        if profile is None:
            return
        data = {
            "display_name": args[1] if kind == "rename" else profile.display_name,
            "language": profile.language,
            "time_zone": args[1] if kind == "time-zone" else profile.time_zone,
            "email_notifications": "on",
        }
        response = site.client(name).post(reverse("accounts:settings"), data)
        assert response.status_code < 500
    elif kind == "language":
        response = site.client(args[0]).post(
            reverse("accounts:language"), {"language": args[1], "next": "/"}
        )
        assert response.status_code < 500
    elif kind == "answer-check":
        checks = list(lesson.checks.all())
        if checks:
            check = checks[args[1] % len(checks)]
            url = reverse("practice:check-answer", args=[check.pk])
            chosen = [str(i % (len(check.options) + 1)) for i in args[2]]  # some out of range
            response = site.client(args[0]).post(url, {"option": chosen})
            assert response.status_code < 500
    elif kind == "exercise":
        url = reverse("practice:exercise", args=[lesson.pk])
        response = site.client(args[0]).post(url, {"action": args[1], "text": args[2]})
        assert response.status_code < 500
    elif kind == "delete-account":
        user = type(site.users["gone"]).objects.filter(username="gone").first()
        if user is not None:
            learner_delete(user=user)


def page_url(site: Site, page: str, query: str, number: int) -> str | None:
    lesson = site.lessons[0]
    if page == "lesson":
        path = lesson.get_absolute_url()
    elif page == "other-lesson":
        path = site.lessons[1].get_absolute_url()
    elif page == "course":
        path = lesson.course.get_absolute_url()
    elif page == "progress":
        path = reverse("progress:profile")
    elif page == "catalogue":
        path = reverse("courses:catalogue")
    else:
        comment = site.comment(number)
        if comment is None:
            return None
        path = reverse("comments:comment", args=[comment.pk])
    return path + query


def version_counters(store) -> dict:
    """The version counters and the publish schedule the pages cache holds (in process memory
    or in Redis)."""
    if isinstance(getattr(store, "_cache", None), dict):  # LocMemCache
        keys = [key.split(":", 2)[2] for key in list(store._cache)]
    else:  # RedisCache: its keys carry the cache's prefix and version, ":1:"
        prefix = store.make_key("")
        client = store._cache.get_client(None)
        keys = [
            key.decode()[len(prefix) :] for key in client.scan_iter(match=f"{prefix}version:*")
        ] + [pagecache.SCHEDULE_KEY]
    wanted = [key for key in keys if key.startswith("version:") or key == pagecache.SCHEDULE_KEY]
    return store.get_many(wanted)


@pytest.fixture(params=["memory", "redis"])
def pages_cache(request) -> str:
    """Both caches in process memory (the tests' default), or both in a throwaway Redis
    (production's backend: lessons.caching.backend.ResilientRedisCache)."""
    if request.param == "redis":
        request.getfixturevalue("redis_server")
    return request.param


@contextmanager
def caching_off():
    """No page cache: pages, shells, fragments, figures and everything else kept per version
    built anew, from a cache that holds only the version counters (pages that name a version,
    such as the catalogue's address, must name the same one)."""
    counters = version_counters(caches["pages"])
    fresh = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fresh"}
    with (
        override_settings(PAGE_CACHE=False, CACHES={**django_settings.CACHES, "pages": fresh}),
        mock.patch.object(pagecache, "_per_version", OrderedDict()),
    ):
        caches["pages"].clear()
        caches["pages"].set_many(counters)
        yield


def same_page(client: Client, url: str) -> None:
    # Messages waiting (after a form posted without JavaScript) show on the next page only, and
    # such a page is never cached: read them first, so both renders below see none.
    if client.cookies.get("messages") or "_messages" in client.session:
        assert client.get(url).status_code < 500, url
    served = client.get(url)
    assert served.status_code < 500, url
    with caching_off():
        fresh = client.get(url)
    assert served.status_code == fresh.status_code, url
    assert CSRF.sub(r"\1", served.content.decode()) == CSRF.sub(r"\1", fresh.content.decode()), url


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=steps)
def test_every_page_served_equals_the_page_rendered_with_caching_off(
    sequence, pages_cache, sample_content, staff_user
):
    assert ("Redis" in type(caches["pages"]).__name__) is (pages_cache == "redis")
    lessons = list(Lesson.objects.published().select_related("course").order_by("course", "order"))
    with rolled_back():
        for each in caches.all():
            each.clear()
        site = site_make(lessons[:3], staff_user)
        for action, (name, page, query, number) in sequence:
            act(site, action)
            url = page_url(site, page, query, number)
            if url is not None:
                same_page(site.client(name), url)
                same_page(site.client(name), url)  # and once more, now from the cache
