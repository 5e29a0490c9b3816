"""The learner as a person: their profile, language and time zone, their data and its deletion."""

from __future__ import annotations

import zoneinfo
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import LearnerProfile
from accounts.signals import learner_data_requested

# Where a signed-in learner's chosen language rides along between requests (read by
# accounts.middleware.LearnerLanguageMiddleware), so that no extra query is needed per page.
LANGUAGE_SESSION_KEY = "learner_language"


def profile_for(user: AbstractBaseUser) -> LearnerProfile:
    profile, _created = LearnerProfile.objects.get_or_create(
        user=user, defaults={"display_name": default_display_name(user)}
    )
    return profile


def default_display_name(user: AbstractBaseUser) -> str:
    # Never derived from the email address: display names are public.
    return _("Learner %(number)s") % {"number": user.pk}


def learner_time_zone(user: AbstractBaseUser) -> zoneinfo.ZoneInfo:
    name = getattr(getattr(user, "learner_profile", None), "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


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


def email_notifications_stop(*, user: AbstractBaseUser) -> None:
    """Turn off the learner's "email me" setting (e.g. from an email's unsubscribe link)."""
    LearnerProfile.objects.filter(user=user).update(
        email_notifications=False, updated_at=timezone.now()
    )


def admin_create(*, email: str, password: str, display_name: str = "") -> AbstractBaseUser:
    """A superuser who signs in with `email`, set up as allauth expects: the address verified
    and primary (with ACCOUNT_EMAIL_VERIFICATION=mandatory an unverified one cannot sign in)."""
    # allauth keeps addresses in lower case and looks them up that way.
    email = email.strip().lower()
    users = get_user_model().objects
    if (
        users.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    ):
        raise ValueError(f"An account with the email address {email} already exists.")
    with transaction.atomic():
        user = users.create_superuser(
            username=get_adapter().generate_unique_username([email]), email=email, password=password
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        if display_name:
            LearnerProfile.objects.filter(user=user).update(display_name=display_name)
    return user


def learner_export(*, user: AbstractBaseUser) -> dict[str, Any]:
    """Everything Stream holds about a learner, as plain JSON-ready data.

    The account and profile are this app's; every other app adds what it holds through
    accounts.signals.learner_data_requested.
    """
    profile = profile_for(user)
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "id": user.pk,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
            ],
            # What Kakao, Naver or Google handed over at sign-in is theirs too.
            "connected_accounts": [
                {
                    "provider": account.provider,
                    "uid": account.uid,
                    "connected_at": account.date_joined.isoformat(),
                    "last_login": account.last_login.isoformat(),
                    "data": account.extra_data,
                }
                for account in SocialAccount.objects.filter(user=user).order_by("date_joined")
            ],
        },
        "profile": {
            "display_name": profile.display_name,
            "language": profile.language or None,
            "time_zone": profile.time_zone,
            "email_notifications": profile.email_notifications,
            "leaderboard_opt_in": profile.leaderboard_opt_in,
        },
    }
    for _receiver, held in learner_data_requested.send(sender=LearnerProfile, user=user):
        data.update(held)
    return data


@transaction.atomic
def learner_delete(*, user: AbstractBaseUser) -> None:
    """Remove the account and its personal data.

    Profile, email addresses and progress go with the user (CASCADE); what others need to keep
    their context, such as comments in a thread, points at the user with SET_NULL and is shown
    as written by a deleted user.
    """
    user.delete()
