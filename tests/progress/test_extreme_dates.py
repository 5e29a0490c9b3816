"""No stored moment, in any learner's time zone, can break the pages that show progress."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from progress.models import Achievement, Completion, EarnedAchievement, XPEntry

pytestmark = pytest.mark.django_db

EXTREMES = {
    "first-moment": datetime(1, 1, 1, 0, 0, tzinfo=UTC),
    "last-moment": datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
}
ZONES = ["Pacific/Kiritimati", "Etc/GMT-14", "Etc/GMT+12", "America/Los_Angeles", "Asia/Seoul"]


@pytest.mark.parametrize("moment", EXTREMES.values(), ids=EXTREMES.keys())
@pytest.mark.parametrize("zone", ZONES)
def test_progress_pages_and_mark_complete_survive_extreme_stored_dates(
    signed_in, learner, lessons, zone, moment
):
    learner.learner_profile.time_zone = zone
    learner.learner_profile.save()
    done = lessons[0]
    Completion.objects.create(user=learner, lesson=done, completed_at=moment)
    XPEntry.objects.create(
        user=learner, source=f"lesson:{done.pk}", amount=done.xp, lesson=done, created_at=moment
    )
    EarnedAchievement.objects.create(
        user=learner, achievement=Achievement.objects.first(), earned_at=moment
    )

    assert signed_in.get(reverse("progress:profile")).status_code == 200
    assert signed_in.get(done.get_absolute_url()).status_code == 200
    assert signed_in.get(done.course.get_absolute_url()).status_code == 200
    response = signed_in.post(reverse("progress:complete", args=[lessons[1].id]))
    assert response.status_code == 302
    assert signed_in.get(response["Location"]).status_code == 200
    assert Completion.objects.filter(user=learner, lesson=lessons[1]).exists()
