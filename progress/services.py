"""Rules about learners that touch several rows: profiles, language, export and deletion."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from progress.models import LearnerProfile

# Where a signed-in learner's chosen language rides along between requests (read by
# progress.middleware.LearnerLanguageMiddleware), so that no extra query is needed per page.
LANGUAGE_SESSION_KEY = "learner_language"


def profile_for(user: AbstractBaseUser) -> LearnerProfile:
    profile, _created = LearnerProfile.objects.get_or_create(
        user=user, defaults={"display_name": default_display_name(user)}
    )
    return profile


def default_display_name(user: AbstractBaseUser) -> str:
    # Never derived from the email address: display names are public.
    return _("Learner %(number)s") % {"number": user.pk}


def language_remember(*, request: HttpRequest, language: str | None) -> None:
    """Carry the learner's saved language in their session (None: follow the browser)."""
    if language:
        request.session[LANGUAGE_SESSION_KEY] = language
    else:
        request.session.pop(LANGUAGE_SESSION_KEY, None)


def language_save(*, request: HttpRequest, language: str) -> None:
    """A signed-in learner switched language: keep it in their profile and session."""
    LearnerProfile.objects.filter(user=request.user).update(
        language=language, updated_at=timezone.now()
    )
    language_remember(request=request, language=language)


def learner_export(*, user: AbstractBaseUser) -> dict[str, Any]:
    """Everything Stream holds about a learner, as plain JSON-ready data."""
    profile = profile_for(user)
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "id": user.pk,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
            ],
        },
        "profile": {
            "display_name": profile.display_name,
            "language": profile.language or None,
            "time_zone": profile.time_zone,
            "email_notifications": profile.email_notifications,
        },
    }


@transaction.atomic
def learner_delete(*, user: AbstractBaseUser) -> None:
    """Remove the account and its personal data.

    Profile, email addresses and progress go with the user (CASCADE); what others need to keep
    their context, such as comments in a thread, points at the user with SET_NULL and is shown
    as written by a deleted user.
    """
    user.delete()
