"""The weekly leaderboard: XP earned this week by learners who chose to take part.

Computed from the XP ledger at each request, so joining or leaving shows at once and there is
nothing to keep in step. It is built not to shame anyone: only members (accounts'
`leaderboard_opt_in`, off by default), only XP earned this week (nobody with zero is listed),
display names only, and the bottom of the week's ranking is never listed: the board shows the
upper half at most, and a member in the lower half sees their own place and the few just above
them, so the last place is seen by nobody but its holder.
"""

from __future__ import annotations

import math
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from progress.models import XPEntry

TOP = 10
NEIGHBOURS = 2  # shown each way around the learner looking at the board
HISTORY_WEEKS = 4
HISTORY_TOP = 3


def site_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def week_start(now: datetime | None = None) -> datetime:
    """Monday 00:00 of the week `now` falls in, in the site's TIME_ZONE (everyone's week is the
    same, wherever they are)."""
    zone = site_zone()
    local = timezone.localtime(now or timezone.now(), zone)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time.min, tzinfo=zone)


def next_week(start: datetime) -> datetime:
    # By the calendar, not by 7 × 24 hours: a week with a DST change is 167 or 169 hours long.
    return datetime.combine(start.date() + timedelta(days=7), time.min, tzinfo=start.tzinfo)


@dataclass(frozen=True)
class Row:
    rank: int  # 1 for the most XP; equal XP, equal rank
    user_id: int
    display_name: str
    xp: int


def _members_xp(start: datetime, end: datetime):
    """XP per member earned in [start, end), most first: one query."""
    return (
        XPEntry.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            user__learner_profile__leaderboard_opt_in=True,
        )
        .values("user_id", "user__learner_profile__display_name")
        .annotate(xp=Sum("amount"))
        .filter(xp__gt=0)
        .order_by("-xp", "user_id")
    )


def _ranked(rows) -> list[Row]:
    ranked: list[Row] = []
    for position, row in enumerate(rows, start=1):
        tied = ranked and ranked[-1].xp == row["xp"]
        ranked.append(
            Row(
                rank=ranked[-1].rank if tied else position,
                user_id=row["user_id"],
                display_name=row["user__learner_profile__display_name"],
                xp=row["xp"],
            )
        )
    return ranked


def shown_to_others(total: int) -> int:
    """How many places of a ranking of `total` may appear on others' boards: the upper half
    (rounded up, so a lone member is shown), and never more than it takes to hide the last."""
    return math.ceil(total / 2)


@dataclass
class Board:
    week_start: datetime
    top: list[Row]
    # The viewer's neighbourhood when it is not already within the top rows.
    around: list[Row] = field(default_factory=list)
    me: Row | None = None
    member: bool = False
    history: list[tuple[date, list[Row]]] = field(default_factory=list)

    @property
    def week_end(self) -> datetime:
        return next_week(self.week_start) - timedelta(microseconds=1)


def _is_member(user) -> bool:
    profile = getattr(user, "learner_profile", None)
    return bool(user.is_authenticated and profile and profile.leaderboard_opt_in)


def week_board(user, *, now: datetime | None = None, history: bool = True) -> Board:
    """This week's board as `user` sees it. Queries: one for the week, one for the history,
    whatever the number of learners."""
    start = week_start(now)
    ranking = _ranked(_members_xp(start, next_week(start)))
    visible = ranking[: shown_to_others(len(ranking))]
    board = Board(week_start=start, top=visible[:TOP], member=_is_member(user))
    if board.member:
        index = next((i for i, row in enumerate(ranking) if row.user_id == user.pk), None)
        if index is not None:
            board.me = ranking[index]
            # Those above, the learner, and those below who are in the upper half.
            window = ranking[max(index - NEIGHBOURS, 0) : index] + [ranking[index]]
            window += visible[index + 1 : index + 1 + NEIGHBOURS]
            board.around = [row for row in window if row not in board.top]
    if history:
        board.history = week_history(start)
    return board


def week_history(start: datetime) -> list[tuple[date, list[Row]]]:
    """The top few of each of the weeks before `start`, newest first, for members as they are
    now (someone who left is gone from the past weeks too). One query."""
    zone = site_zone()
    earliest = datetime.combine(
        start.date() - timedelta(days=7 * HISTORY_WEEKS), time.min, tzinfo=zone
    )
    rows = (
        XPEntry.objects.filter(
            created_at__gte=earliest,
            created_at__lt=start,
            user__learner_profile__leaderboard_opt_in=True,
        )
        .annotate(week=TruncWeek("created_at", tzinfo=zone))
        .values("week", "user_id", "user__learner_profile__display_name")
        .annotate(xp=Sum("amount"))
        .filter(xp__gt=0)
        .order_by("-week", "-xp", "user_id")
    )
    by_week: dict[date, list[dict]] = {}
    for row in rows:
        by_week.setdefault(timezone.localtime(row["week"], zone).date(), []).append(row)
    weeks = []
    for weeks_back in range(1, HISTORY_WEEKS + 1):
        monday = start.date() - timedelta(days=7 * weeks_back)
        ranking = _ranked(by_week.get(monday, []))
        weeks.append((monday, ranking[: min(HISTORY_TOP, shown_to_others(len(ranking)))]))
    return weeks
