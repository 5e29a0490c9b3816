"""`manage.py createadmin`: a superuser who can sign in with their email address."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def create(monkeypatch, *args, password="sturdy-admin-pass-9"):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    out = io.StringIO()
    call_command("createadmin", *args, "--noinput", stdout=out)
    return out.getvalue()


def test_the_admin_signs_in_with_the_email_address(client, monkeypatch, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    output = create(monkeypatch, "--email", "Head@Example.com", "--display-name", "Head")
    assert "head@example.com" in output  # allauth keeps addresses in lower case
    address = EmailAddress.objects.get(email="head@example.com")
    assert address.verified and address.primary
    assert address.user.is_superuser and address.user.is_staff
    assert address.user.learner_profile.display_name == "Head"
    response = client.post(
        "/accounts/login/", {"login": "HEAD@example.com", "password": "sturdy-admin-pass-9"}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        ([], "sturdy-admin-pass-9", "email address is needed"),
        (["--email", "not-an-address"], "sturdy-admin-pass-9", "not a valid email"),
        (["--email", "a@example.com"], "123", "too short"),
        (["--email", "a@example.com"], "", "DJANGO_SUPERUSER_PASSWORD"),
    ],
)
def test_missing_or_bad_answers_are_refused_clearly(monkeypatch, args, password, message):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        call_command("createadmin", *args, "--noinput", stdout=io.StringIO())
    assert not EmailAddress.objects.exists()


def test_an_address_already_in_use_is_refused(monkeypatch, learner):
    with pytest.raises(CommandError, match="already exists"):
        create(monkeypatch, "--email", "MINA@example.com")
    assert EmailAddress.objects.filter(email__iexact="mina@example.com").count() == 1


def test_it_asks_when_interactive(monkeypatch):
    answers = iter(["asked@example.com"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    passwords = iter(["sturdy-admin-pass-9", "sturdy-admin-pass-9"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(passwords))
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    call_command("createadmin", stdout=io.StringIO())
    assert EmailAddress.objects.get(email="asked@example.com").verified
