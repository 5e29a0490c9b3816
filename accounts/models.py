"""The person behind an account: what they set about themselves, beside Django's User."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lessons.text import validate_no_controls


class LearnerProfile(models.Model):
    """What a learner sets about themselves. One per user, made when the user is.

    Kept beside Django's stock User (not a custom user model) so that allauth, admin and every
    third-party app keep working unchanged; the profile holds only what Stream adds.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    display_name = models.CharField(
        _("display name"),
        max_length=40,
        help_text=_("Shown beside your comments. Your email address is never shown."),
        validators=[validate_no_controls],
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow your browser."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        help_text=_("Your streak counts days in this time zone."),
    )
    email_notifications = models.BooleanField(
        _("email me when someone replies to my comments"), default=False
    )
    # Off until the learner joins: nobody is ranked against others without asking.
    leaderboard_opt_in = models.BooleanField(
        _("show me on the weekly leaderboard"),
        default=False,
        help_text=_(
            "Your display name and the XP you earn each week appear on the leaderboard. "
            "Untick to leave it at once."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learner profile")

    def __str__(self) -> str:
        return self.display_name
