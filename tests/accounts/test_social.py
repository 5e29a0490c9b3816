"""Sign in with Kakao, Naver and Google, against a fake provider on loopback.

The whole OAuth 2 round trip runs for real: Stream redirects to the provider's authorisation
page (whose address the test only reads), the test comes back to the callback with a code, and
Stream exchanges it over HTTP with a small server on 127.0.0.1 that plays the provider's token
and profile endpoints. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from tests.accounts.social_fake import (
    CREDENTIALS,
    fake_provider_running,
    kakao_profile,
    providers_configure,
)
from tests.conftest import learner_make

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
LESSON = "/courses/generative-media/how-diffusion-works/"


@pytest.fixture
def fake_provider(monkeypatch):
    with fake_provider_running(monkeypatch) as fake:
        yield fake


@pytest.fixture
def all_providers(settings):
    providers_configure(settings, "kakao", "naver", "google")


def naver_profile(*, email="hana@example.com", nickname="hana_n"):
    return {"id": "naver-4242", "email": email, "nickname": nickname, "name": "김하나"}


def google_profile(*, email="hana@example.com", verified=True):
    return {
        "sub": "google-4242",
        "email": email,
        "email_verified": verified,
        "given_name": "Hana",
        "family_name": "Kim",
        "name": "Hana Kim",
    }


def provider_start(client, provider: str, *, next_url: str = "", process: str = "login") -> str:
    """Press the provider's button: Stream sends the browser to the provider. Returns the
    state the provider would hand back."""
    query = {"process": process, **({"next": next_url} if next_url else {})}
    response = client.post(f"/accounts/{provider}/login/?{urlencode(query)}")
    assert response.status_code == 302, response.content[:500]
    location = urlsplit(response["Location"])
    params = parse_qs(location.query)
    assert params["client_id"] == [CREDENTIALS[provider][0]]
    assert urlsplit(params["redirect_uri"][0]).path == f"/accounts/{provider}/login/callback/"
    return params["state"][0]


def provider_return(client, provider: str, state: str, *, code: str = "the-code"):
    """The provider sends the browser back to Stream with a code."""
    return client.get(f"/accounts/{provider}/login/callback/", {"code": code, "state": state})


def test_providers_without_credentials_are_not_offered(client, settings):
    providers_configure(settings)
    page = client.get("/accounts/login/").content.decode()
    assert "Continue with" not in page
    assert client.post("/accounts/kakao/login/").status_code == 404
    assert client.get("/accounts/google/login/callback/?code=x&state=y").status_code == 404


def test_providers_with_credentials_are_offered_when_signing_in_and_up(client, settings):
    providers_configure(settings, "kakao", "google")
    for url, heading in (
        ("/accounts/login/", "Or sign in with"),
        ("/accounts/signup/", "Or sign up with"),
    ):
        page = client.get(url).content.decode()
        assert heading in page
        assert "Continue with Kakao" in page
        assert "Continue with Google" in page
        assert "Continue with Naver" not in page
        assert 'action="/accounts/kakao/login/?process=login"' in page
    assert client.post("/accounts/naver/login/").status_code == 404


@pytest.mark.parametrize(
    ("provider", "profile", "suggested_name"),
    [
        ("kakao", kakao_profile(), "하나"),
        ("naver", naver_profile(email="hana@naver.com"), "hana_n"),
        ("google", google_profile(), "Hana Kim"),
    ],
)
def test_signing_in_with_a_provider_asks_for_a_display_name_and_makes_the_learner(
    client, sample_content, all_providers, fake_provider, provider, profile, suggested_name
):
    fake_provider.profiles[provider] = profile
    state = provider_start(client, provider, next_url=LESSON)
    response = provider_return(client, provider, state)

    # The provider was asked with Stream's own credentials and the code it handed out.
    exchange = fake_provider.token_requests[-1]
    assert exchange["code"] == ["the-code"]
    assert exchange["client_secret"] == [CREDENTIALS[provider][1]]
    # Like email sign-up, the first visit asks for a display name, suggesting the provider's.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/3rdparty/signup/"
    form = client.get(response["Location"])
    assert 'name="display_name"' in form.content.decode()
    assert form.context["form"]["display_name"].value() == suggested_name
    email = form.context["form"]["email"].value()
    assert email == profile.get("email", "hana@example.com")

    refused = client.post("/accounts/3rdparty/signup/", {"email": email, "display_name": "  "})
    assert refused.context["form"].errors["display_name"]
    assert not get_user_model().objects.exists()

    done = client.post("/accounts/3rdparty/signup/", {"email": email, "display_name": "Hana"})
    assert done.status_code == 302
    assert done["Location"] == LESSON
    user = get_user_model().objects.get(email=email)
    assert user.learner_profile.display_name == "Hana"
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert SocialAccount.objects.get(user=user).provider == provider
    # Signed in: the page carries the hook that hands local progress to the account.
    assert 'data-progress-merge="/progress/merge/"' in client.get(LESSON).content.decode()


def test_a_verified_provider_address_signs_in_to_the_account_with_that_verified_address(
    client, all_providers, fake_provider
):
    mina = learner_make("mina", "mina@example.com", "learner-pass-42", "Mina")
    fake_provider.profiles["kakao"] = kakao_profile(email="Mina@example.com", verified=True)
    response = provider_return(client, "kakao", provider_start(client, "kakao"))

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/accounts/settings/").context["user"] == mina
    assert SocialAccount.objects.get(provider="kakao").user == mina
    assert get_user_model().objects.count() == 1
    mina.refresh_from_db()
    assert mina.check_password("learner-pass-42")


def test_an_unverified_provider_address_never_signs_in_to_an_existing_account(
    client, all_providers, fake_provider
):
    mina = learner_make("mina", "mina@example.com", "learner-pass-42", "Mina")
    fake_provider.profiles["kakao"] = kakao_profile(email="mina@example.com", verified=False)
    response = provider_return(client, "kakao", provider_start(client, "kakao"))

    assert response["Location"] == "/accounts/3rdparty/signup/"
    assert not SocialAccount.objects.exists()
    # The address is someone else's: the sign-up form says so instead of making a second account.
    taken = client.post(
        "/accounts/3rdparty/signup/", {"email": "mina@example.com", "display_name": "Not Mina"}
    )
    assert taken.status_code == 200
    assert taken.context["form"].errors["email"]
    assert not SocialAccount.objects.exists()
    assert client.get("/accounts/settings/").status_code == 302  # still signed out
    mina.refresh_from_db()
    assert mina.check_password("learner-pass-42")


def test_a_verified_provider_address_does_not_take_an_account_that_never_confirmed_it(
    client, all_providers, fake_provider
):
    """Someone signed up first with another person's address, never confirming it: the
    person's own Google sign-in must not land in (or wipe the password of) that account."""
    squatter = get_user_model().objects.create_user(
        username="squatter", email="hana@example.com", password="squatter-pass-1"
    )
    EmailAddress.objects.create(
        user=squatter, email="hana@example.com", verified=False, primary=True
    )
    fake_provider.profiles["google"] = google_profile(verified=True)
    response = provider_return(client, "google", provider_start(client, "google"))

    assert response["Location"] == "/accounts/3rdparty/signup/"
    assert not SocialAccount.objects.exists()
    squatter.refresh_from_db()
    assert squatter.check_password("squatter-pass-1")


def test_settings_list_connections_and_connect_and_disconnect_them(
    client, all_providers, fake_provider
):
    mina = learner_make("mina", "mina@example.com", "learner-pass-42", "Mina")
    client.force_login(mina)
    page = client.get("/accounts/settings/").content.decode()
    assert "No Kakao, Naver or Google account is connected." in page
    assert 'action="/accounts/naver/login/?process=connect"' in page

    fake_provider.profiles["naver"] = naver_profile(email="mina.naver@example.com")
    connected = provider_return(client, "naver", provider_start(client, "naver", process="connect"))
    assert connected.status_code == 302
    account = SocialAccount.objects.get(user=mina, provider="naver")

    page = client.get("/accounts/settings/").content.decode()
    assert "mina.naver@example.com" in page
    assert 'aria-label="Disconnect Naver"' in page
    assert 'action="/accounts/naver/login/?process=connect"' not in page
    assert 'action="/accounts/kakao/login/?process=connect"' in page

    response = client.post("/accounts/3rdparty/", {"account": account.pk}, follow=True)
    assert "The third-party account has been disconnected." in response.content.decode()
    assert not SocialAccount.objects.filter(user=mina).exists()


def test_the_last_way_in_cannot_be_disconnected_without_a_password(
    client, sample_content, all_providers, fake_provider
):
    fake_provider.profiles["kakao"] = kakao_profile()
    provider_return(client, "kakao", provider_start(client, "kakao"))
    client.post("/accounts/3rdparty/signup/", {"email": "hana@example.com", "display_name": "Hana"})
    account = SocialAccount.objects.get(provider="kakao")

    response = client.post("/accounts/3rdparty/", {"account": account.pk})
    assert response.status_code == 200
    assert "Your account has no password set up." in response.content.decode()
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_credentials_in_the_environment_turn_a_provider_and_its_redirect_on():
    """lessons/settings.py as a fresh process reads it: only complete credentials count, and
    the policy lets the sign-in form's redirect reach that provider alone."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'apps': {p: c.get('APPS') for p, c in "
        "s.SOCIALACCOUNT_PROVIDERS.items()}, "
        "'form_action': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']}))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "lessons.settings",
        "DEBUG": "true",
        "KAKAO_CLIENT_ID": "rest-key",
        "KAKAO_CLIENT_SECRET": "kakao-secret",
        "NAVER_CLIENT_ID": "naver-id",  # no secret: stays off
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["apps"] == {
        "kakao": [{"client_id": "rest-key", "secret": "kakao-secret"}],
    }
    assert "https://kauth.kakao.com" in found["form_action"]
    assert "https://nid.naver.com" not in found["form_action"]


def test_a_learner_without_a_password_deletes_their_account_by_typing_its_address(
    client, sample_content, all_providers, fake_provider, django_user_model
):
    fake_provider.profiles["kakao"] = kakao_profile()
    provider_return(client, "kakao", provider_start(client, "kakao"))
    client.post("/accounts/3rdparty/signup/", {"email": "hana@example.com", "display_name": "Hana"})

    data = json.loads(client.get("/accounts/export/").content)
    [connected] = data["account"]["connected_accounts"]
    assert connected["provider"] == "kakao"
    assert connected["data"]["kakao_account"]["email"] == "hana@example.com"

    refused = client.post("/accounts/delete/", {"email": "someone@example.com"})
    assert "That is not your account&#x27;s email address." in refused.content.decode()
    client.post("/accounts/delete/", {"email": "Hana@example.com"})
    assert not django_user_model.objects.filter(email="hana@example.com").exists()
    assert not SocialAccount.objects.exists()


def test_a_naver_contact_address_is_not_taken_as_confirmed(client, all_providers, fake_provider):
    """Naver passes on whatever contact address its member typed: only a naver.com one is
    surely theirs, so another never opens an account that has it, and is confirmed by email."""
    mina = learner_make("mina", "mina@example.com", "learner-pass-42", "Mina")
    fake_provider.profiles["naver"] = naver_profile(email="mina@example.com")
    response = provider_return(client, "naver", provider_start(client, "naver"))
    assert response["Location"] == "/accounts/3rdparty/signup/"
    assert not SocialAccount.objects.filter(user=mina).exists()

    fake_provider.profiles["naver"] = naver_profile(email="jun@example.com")
    provider_return(client, "naver", provider_start(client, "naver"))
    client.post("/accounts/3rdparty/signup/", {"email": "jun@example.com", "display_name": "Jun"})
    assert not EmailAddress.objects.get(email="jun@example.com").verified
