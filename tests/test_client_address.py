"""Anonymous rate limits count per real client, read through one helper that trusts exactly
TRUSTED_PROXY_COUNT proxies, so neither a shared proxy nor a forged header fools them."""

import pytest
from django.test import RequestFactory

from comments.models import BugReport
from courses.models import Course, Lesson, Status
from lessons.clients import client_address

PROXY = "10.0.0.5"


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client"),
    [
        (0, "203.0.113.7", None, "203.0.113.7"),
        (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # no proxy: the header is a lie
        (1, PROXY, "203.0.113.7", "203.0.113.7"),
        (1, PROXY, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # forged left part ignored
        (1, PROXY, " 203.0.113.7 ", "203.0.113.7"),
        (1, PROXY, None, PROXY),  # came round the proxy: only the connection is known
        (1, PROXY, "", PROXY),
        (2, PROXY, "198.51.100.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, PROXY, "203.0.113.7", PROXY),  # fewer hops than proxies: trust the connection
        (1, PROXY, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_read_behind_exactly_the_trusted_proxies(
    settings, trusted, remote, forwarded, client
):
    settings.TRUSTED_PROXY_COUNT = trusted
    assert client_address(request_from(remote, forwarded)) == client


@pytest.fixture
def lesson(db) -> Lesson:
    course = Course.objects.create(slug="c", title="C", status=Status.PUBLISHED)
    return Lesson.objects.create(
        course=course, slug="l", title="L", order=1, status=Status.PUBLISHED, body_md="x"
    )


REPORT = {"category": "typo", "description": "A typo in the second paragraph."}


def report(client, lesson, forwarded: str):
    url = f"{lesson.get_absolute_url()}report/"
    return client.post(url, REPORT, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def test_bug_report_limits_are_per_client_behind_the_proxy(settings, client, lesson):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.BUG_REPORTS_RATE_LIMIT = "2/3600"
    for _ in range(2):
        assert report(client, lesson, "203.0.113.7").status_code == 302
    assert report(client, lesson, "203.0.113.7").status_code == 429
    # A forged address in front of the real one does not buy more reports...
    assert report(client, lesson, "192.0.2.99, 203.0.113.7").status_code == 429
    # ...and another reader behind the same proxy is not locked out.
    assert report(client, lesson, "198.51.100.1").status_code == 302
    assert BugReport.objects.count() == 3


def failed_login(client, email: str, forwarded: str):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_one_readers_failed_sign_ins_do_not_lock_out_others_behind_the_proxy(
    settings, client, learner
):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(12):  # past allauth's per-address limit, each with its own address
        failed_login(client, f"nobody{number}@example.com", "203.0.113.7")
    blocked = failed_login(client, "someone@example.com", "203.0.113.7")
    assert "Too many failed login attempts" in blocked.content.decode()
    response = client.post(
        "/accounts/login/",
        {"login": "mina@example.com", "password": "learner-pass-42"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
