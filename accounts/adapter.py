from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.http import Http404, HttpRequest
from django.utils import timezone
from django_tasks import task

from lessons.clients import client_address

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's sign-in and sign-up limits count per real client, read exactly as Stream's
        # own limits read it (TRUSTED_PROXY_COUNT), so the two can never disagree.
        return client_address(request)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's emails (address confirmation, password reset, …), rendered here, where the
        request gives the links and the language, and sent by a task: with TASKS_BACKEND=database
        sign-up and password reset never wait for the mail server, and a failed send is tried
        again. The rendered text waits in the task queue until then, reset link included: no
        more than the sessions table already gives whoever can read the database."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request)}
            | context,
        )
        # Now, not after the commit: the database queue commits the task with the account (or
        # the reset) it is about, and the immediate backend sends as allauth itself would.
        account_email_task.enqueue(message=message_to_json(message))


# Naver hands over the contact address its member typed without saying whether it was confirmed
# (allauth takes it as verified); only an address at Naver's own mail is surely theirs.
PROVIDER_OWN_MAIL_DOMAINS = {"naver": {"naver.com"}}


def addresses_distrust_unconfirmed(sociallogin: SocialLogin) -> None:
    domains = PROVIDER_OWN_MAIL_DOMAINS.get(sociallogin.account.provider)
    if domains is None:
        return
    for address in sociallogin.email_addresses:
        address.verified = address.email.rpartition("@")[2].lower() in domains


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Kakao, Naver and Google sign-in (settings "Social sign-in")."""

    def get_app(self, request: HttpRequest, provider, client_id=None) -> SocialApp:
        # A provider without credentials is switched off: its sign-in and callback URLs are
        # not found, rather than an error page.
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404(f"{provider} sign-in is not set up") from None

    def list_providers(self, request: HttpRequest) -> list:
        # In the order settings.SOCIAL_PROVIDERS gives (Kakao, Naver, Google: the most used here
        # first), not allauth's alphabetical one.
        order = list(settings.SOCIAL_PROVIDERS)
        return sorted(
            super().list_providers(request),
            key=lambda provider: order.index(provider.id) if provider.id in order else len(order),
        )

    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[Any, str] | None:
        """Sign in to (and connect) an existing account only when the provider vouches for the
        address and the account proved it owns it too. allauth alone would also take an account
        whose address was never confirmed, wiping its password: someone who signed up first
        with another person's address must not end up sharing, or owning, their account."""
        addresses_distrust_unconfirmed(sociallogin)
        for address in sociallogin.email_addresses:
            if not address.verified or not self.can_authenticate_by_email(
                sociallogin, address.email
            ):
                continue
            owner = (
                EmailAddress.objects.filter(email__iexact=address.email, verified=True)
                .select_related("user")
                .first()
            )
            if owner is not None and owner.user.is_active:
                return owner.user, owner.email
        return None

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        # Before a new account stores the addresses as confirmed (or not).
        addresses_distrust_unconfirmed(sociallogin)
        super().pre_social_login(request, sociallogin)

    def get_signup_form_initial_data(self, sociallogin: SocialLogin) -> dict[str, Any]:
        # The name the provider knows them by is a starting point for their display name; the
        # form still asks, as email sign-up does.
        user = sociallogin.user
        extra = sociallogin.account.extra_data or {}
        name = (
            " ".join(part for part in (user.first_name, user.last_name) if part)
            or user.username
            or extra.get("nickname")
            or extra.get("name")
            or ""
        )
        return {**super().get_signup_form_initial_data(sociallogin), "display_name": name[:40]}


def message_to_json(message: EmailMessage) -> dict[str, Any]:
    """What a task needs to send `message` again, as JSON (task arguments are stored so)."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


def message_from_json(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


@task()
def account_email_task(message: dict[str, Any], attempt: int = 1) -> str:
    """Send one of allauth's emails; after a failure, queue this again after the next of
    EMAIL_RETRY_MINUTES. After the last try the error is logged and raised, so the task stays in
    the queue's admin as failed, with the message in its arguments."""
    try:
        message_from_json(message).send()
    except Exception as error:
        delays = settings.EMAIL_RETRY_MINUTES
        # The immediate backend cannot run a task later; trying again at once would only keep
        # the request waiting on a mail server that just failed.
        tries = len(delays) + 1 if account_email_task.get_backend().supports_defer else 1
        # The subject says which email; the address stays out of the log.
        if attempt >= tries:
            logger.error(
                "Could not send %r (try %d of %d), giving up: %s",
                message["subject"],
                attempt,
                tries,
                error,
            )
            raise
        retry_at = timezone.now() + timedelta(minutes=delays[attempt - 1])
        account_email_task.using(run_after=retry_at).enqueue(message=message, attempt=attempt + 1)
        logger.warning(
            "Could not send %r (try %d of %d), trying again at %s: %s",
            message["subject"],
            attempt,
            tries,
            retry_at.isoformat(),
            error,
        )
        return "queued"
    return "sent"
