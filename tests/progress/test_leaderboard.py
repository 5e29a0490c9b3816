"""The weekly leaderboard: opt-in, this week's XP, kind to those at the bottom."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import LearnerProfile
from progress.leaderboard import week_board, week_start
from progress.models import XPEntry
from tests.conftest import learner_make

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


@pytest.fixture(autouse=True)
def _site_time_zone(settings):
    settings.TIME_ZONE = "Asia/Seoul"


def member(number: int, *, xp: int = 0, at: datetime | None = None, opted_in: bool = True):
    user = learner_make(
        f"user{number}", f"user{number}@example.com", "pw-12345678", f"Kim {number}"
    )
    LearnerProfile.objects.filter(user=user).update(leaderboard_opt_in=opted_in)
    user.refresh_from_db()
    if xp:
        award(user, xp, at=at)
    return user


def award(user, amount: int, *, at: datetime | None = None, source: str = "") -> None:
    XPEntry.objects.create(
        user=user,
        source=source or f"test:{XPEntry.objects.count()}",
        amount=amount,
        created_at=at or timezone.now(),
    )


def names(rows) -> list[str]:
    return [row.display_name for row in rows]


def listed(page: str, name: str) -> bool:
    return f'class="board__name">{name}' in page


def signed_in_as(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_the_week_starts_on_monday_at_midnight_in_the_sites_time_zone(db):
    # Monday 00:00 in Seoul is Sunday 15:00 UTC.
    monday = datetime(2025, 3, 10, 0, 0, tzinfo=SEOUL)
    sunday_night = monday - timedelta(minutes=1)
    assert week_start(monday) == monday
    assert week_start(monday + timedelta(days=6, hours=23)) == monday
    assert week_start(sunday_night) == monday - timedelta(days=7)
    assert week_start(datetime(2025, 3, 9, 15, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))) == monday

    late, early = member(1), member(2)
    award(late, 50, at=sunday_night)
    award(early, 20, at=monday)
    board = week_board(late, now=monday + timedelta(hours=1))
    assert names(board.top) == ["Kim 2"]  # Sunday night's XP belongs to last week
    assert board.me is None
    assert names(board.history[0][1]) == ["Kim 1"]


def test_the_board_is_off_until_a_learner_joins_and_leaving_is_immediate(db, client):
    learner = member(1, xp=40, opted_in=False)
    browser = signed_in_as(learner)
    page = browser.get(reverse("progress:leaderboard")).content.decode()
    assert not listed(page, "Kim 1")
    assert "join it in your settings" in page

    settings_url = reverse("accounts:settings")
    form = {"display_name": "Kim 1", "language": "", "time_zone": "Asia/Seoul"}
    browser.post(settings_url, {**form, "leaderboard_opt_in": "on"})
    assert listed(client.get(reverse("progress:leaderboard")).content.decode(), "Kim 1")

    browser.post(settings_url, form)  # the box unticked
    assert not listed(client.get(reverse("progress:leaderboard")).content.decode(), "Kim 1")
    assert not LearnerProfile.objects.get(user=learner).leaderboard_opt_in


def test_nobody_without_xp_this_week_is_listed(db):
    last_week = week_start() - timedelta(days=2)
    idle = member(1, xp=500, at=last_week)
    member(2, xp=10)
    board = week_board(idle)
    assert names(board.top) == ["Kim 2"]
    assert board.member and board.me is None


def test_learners_who_did_not_join_are_never_shown(db):
    member(1, xp=900, opted_in=False)
    member(2, xp=10)
    assert names(week_board(member(3)).top) == ["Kim 2"]


def test_the_bottom_of_the_week_is_never_listed(db, client):
    learners = [member(n, xp=100 - n) for n in range(1, 7)]  # Kim 1 first … Kim 6 last
    page = client.get(reverse("progress:leaderboard")).content.decode()
    for shown in ("Kim 1", "Kim 2", "Kim 3"):
        assert shown in page
    for hidden in ("Kim 4", "Kim 5", "Kim 6"):
        assert hidden not in page

    # The last one sees their own place and those just above, nobody below anyone.
    board = week_board(learners[-1])
    assert names(board.top) == ["Kim 1", "Kim 2", "Kim 3"]
    assert names(board.around) == ["Kim 4", "Kim 5", "Kim 6"]
    assert board.me.rank == 6
    # Kim 4 sees Kim 5 and 6 nowhere: they are below, in the lower half.
    assert "Kim 5" not in names(week_board(learners[3]).around)


def test_a_member_sees_the_top_ten_and_their_neighbours(db):
    learners = [member(n, xp=1000 - n) for n in range(1, 31)]
    board = week_board(learners[12])  # 13th of 30
    assert [row.rank for row in board.top] == list(range(1, 11))
    assert [row.rank for row in board.around] == [11, 12, 13, 14, 15]
    assert board.me.display_name == "Kim 13"

    board = week_board(learners[4])  # within the top ten: nothing more
    assert board.around == []


def test_equal_xp_shares_a_rank(db):
    member(1, xp=30)
    member(2, xp=30)
    member(3, xp=20)
    member(4, xp=10)
    assert [row.rank for row in week_board(member(5)).top] == [1, 1]


def test_the_board_shows_display_names_only(db, client):
    member(1, xp=30)
    page = client.get(reverse("progress:leaderboard")).content.decode()
    assert "Kim 1" in page
    assert "user1@example.com" not in page
    assert "user1" not in page.replace("Kim 1", "")


def test_past_weeks_show_their_top_three(db, client):
    this_week = week_start()
    learners = [member(n) for n in range(1, 9)]
    for n, learner in enumerate(learners):
        award(learner, 100 - n, at=this_week - timedelta(days=3))  # last week
    award(learners[7], 5, at=this_week - timedelta(days=10))  # the week before, alone
    board = week_board(learners[0])
    assert [monday for monday, _rows in board.history] == [
        (this_week - timedelta(days=7 * n)).date() for n in range(1, 5)
    ]
    assert names(board.history[0][1]) == ["Kim 1", "Kim 2", "Kim 3"]
    assert names(board.history[1][1]) == ["Kim 8"]
    assert board.history[2][1] == []
    page = client.get(reverse("progress:leaderboard")).content.decode()
    assert "Past weeks" in page and "Kim 8" in page


def test_visitors_see_the_board_with_a_sign_in_prompt(db, client):
    member(1, xp=30)
    page = client.get(reverse("progress:leaderboard")).content.decode()
    assert "Kim 1" in page
    assert reverse("account_login") in page and "to join the leaderboard" in page


def test_the_progress_page_shows_a_members_week(db):
    learners = [member(n, xp=100 - n) for n in range(1, 4)]
    page = signed_in_as(learners[1]).get(reverse("progress:profile")).content.decode()
    assert "You are #2 on the leaderboard with 98 XP this week." in page
    assert f'href="{reverse("progress:leaderboard")}"' in page

    outsider = member(9, opted_in=False)
    page = signed_in_as(outsider).get(reverse("progress:profile")).content.decode()
    assert "Join it in your settings" in page


@pytest.mark.parametrize("members", [6, 40])
def test_the_board_costs_the_same_queries_for_any_number_of_members(
    db, members, django_assert_max_num_queries
):
    learners = [member(n, xp=500 - n) for n in range(1, members + 1)]
    for learner in learners[:5]:
        award(learner, 7, at=week_start() - timedelta(days=9))
    browser = signed_in_as(learners[-1])
    browser.get(reverse("progress:leaderboard"))  # sessions and caches warm
    with django_assert_max_num_queries(6):
        response = browser.get(reverse("progress:leaderboard"))
    assert response.status_code == 200
