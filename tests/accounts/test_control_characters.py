"""Display names hold no control characters: the settings form, sign-up and the admin refuse
them, naming the character, rather than folding some of them into spaces (lessons.text)."""

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.forms import clean_display_name

pytestmark = pytest.mark.django_db

MESSAGE = "This text contains an invisible control character ({}): please remove it."

CONTROLS = {
    "record separator": "\x1e",
    "file separator": "\x1c",
    "C1 next line": "\x85",
    "escape": "\x1b",
    "bell": "\x07",
    "DEL": "\x7f",
    "lone carriage return": "\r",
}


@pytest.mark.parametrize("char", CONTROLS.values(), ids=CONTROLS.keys())
def test_a_name_with_a_control_character_is_refused_naming_it(char):
    with pytest.raises(forms.ValidationError) as caught:
        clean_display_name(f"Mina{char}Park")
    assert caught.value.messages == [MESSAGE.format(f"U+{ord(char):04X}")]


def test_settings_refuse_a_name_with_a_control_character(client, learner):
    client.force_login(learner)
    response = client.post(
        "/accounts/settings/",
        {"display_name": "Mi\x1ena", "language": "", "time_zone": "Asia/Seoul"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["display_name"] == [MESSAGE.format("U+001E")]
    learner.learner_profile.refresh_from_db()
    assert learner.learner_profile.display_name == "Mina"


def test_settings_refuse_a_name_with_nul(client, learner):
    client.force_login(learner)
    response = client.post(
        "/accounts/settings/",
        {"display_name": "Mi\x00na", "language": "", "time_zone": "Asia/Seoul"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    learner.learner_profile.refresh_from_db()
    assert learner.learner_profile.display_name == "Mina"


def test_signup_refuses_a_name_with_a_control_character(client):
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "Jun\x1bPark",
            "email": "jun-park@example.com",
            "password1": "sturdy-pass-77",
            "password2": "sturdy-pass-77",
        },
    )
    assert response.status_code == 200
    assert MESSAGE.format("U+001B") in response.content.decode()
    assert not get_user_model().objects.filter(email="jun-park@example.com").exists()


def test_the_profile_model_field_refuses_control_characters_for_the_admin(learner):
    profile = learner.learner_profile
    profile.display_name = "Mi\x1ena"
    with pytest.raises(ValidationError) as caught:
        profile.full_clean()
    assert caught.value.message_dict["display_name"] == [MESSAGE.format("U+001E")]
