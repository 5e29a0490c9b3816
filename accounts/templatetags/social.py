"""The learner's Kakao, Naver and Google connections, shown on the settings pages."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers import registry
from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

PROVIDER_NAMES = {"kakao": _("Kakao"), "naver": _("Naver"), "google": _("Google")}


@register.inclusion_tag("accounts/_social_connections.html", takes_context=True)
def social_connections(context: dict[str, Any], *, titled: bool = True) -> dict[str, Any]:
    request = context["request"]
    accounts = SocialAccount.objects.filter(user=request.user).only(
        "id", "provider", "extra_data", "date_joined"
    )
    # Names come from the provider classes, not from the apps: an account connected to a
    # provider since switched off is still listed, and can still be disconnected.
    connections = [
        {
            "id": account.pk,
            "provider_id": account.provider,
            "provider_name": _provider_name(account.provider),
            "email": _account_email(account.extra_data or {}),
            "connected_at": account.date_joined,
        }
        for account in accounts
    ]
    connected = {connection["provider_id"] for connection in connections}
    providers = [
        provider
        for provider in get_adapter().list_providers(request)
        if provider.id not in connected
    ]
    return {
        "request": request,
        "connections": connections,
        "providers": providers,
        "titled": titled,
    }


def _provider_name(provider_id: str) -> str:
    if provider_id in PROVIDER_NAMES:
        return str(PROVIDER_NAMES[provider_id])
    provider_class = registry.get_class(provider_id)
    return provider_class.name if provider_class else provider_id


def _account_email(extra_data: dict[str, Any]) -> str:
    # Kakao nests the address under kakao_account; Naver and Google give it at the top.
    return extra_data.get("email") or (extra_data.get("kakao_account") or {}).get("email") or ""


@register.filter
def provider_name(provider_id: str) -> str:
    """The provider's name in the reader's language: {{ account.provider|provider_name }}."""
    return _provider_name(provider_id)


@register.simple_tag(takes_context=True)
def social_providers(context: dict[str, Any]) -> list:
    """The providers that are set up, in the adapter's order (allauth's get_providers sorts
    them by name): {% social_providers as providers %}."""
    return [
        provider
        for provider in get_adapter().list_providers(context["request"])
        if not provider.uses_apps or not provider.app.settings.get("hidden")
    ]
