"""Display names must show something and must not reorder the text around them: names made only
of invisible characters are refused, bidirectional controls are stripped (lessons.text)."""

import pytest
from django import forms
from django.contrib.auth import get_user_model

from accounts.forms import clean_display_name

pytestmark = pytest.mark.django_db

INVISIBLE_ERROR = "Please enter a display name that shows at least one letter, number or symbol"

INVISIBLE_NAMES = {
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "several zero-width": "\u200b\u200c\u200d\u2060\ufeff",
    "Hangul filler": "\u3164",
    "Hangul fillers": "\u3164\u3164\u3164",
    "Hangul choseong filler": "\u115f",
    "Hangul jungseong filler": "\u1160",
    "halfwidth Hangul filler": "\uffa0",
    "braille blank": "\u2800",
    "braille blanks": "\u2800" * 10,
    "spaces around a zero-width space": "  \u200b  ",
    "ideographic space and filler": "\u3000\u3164\u3000",
    "no-break space and zero-width": "\u00a0\u200b\u00a0",
    "tab and filler": "\t\u3164",
    "soft hyphen": "\u00ad",
    "combining grapheme joiner": "\u034f",
    "variation selector alone": "\ufe0f",
    "Mongolian vowel separator": "\u180e",
    "invisible tag characters": "\U000e0041\U000e0042",
    "right-to-left override only": "\u202e",
    "isolates only": "\u2066\u2069",
    "direction marks only": "\u200e\u200f\u061c",
    "override around a filler": "\u202e\u3164\u202c",
    "every kind at once": "\u200b \u3164\u2800\u202e\u2066\ufeff\u115f\u1160\uffa0",
}


@pytest.mark.parametrize("name", INVISIBLE_NAMES.values(), ids=INVISIBLE_NAMES.keys())
def test_names_made_only_of_invisible_characters_are_refused(name):
    with pytest.raises(forms.ValidationError) as refused:
        clean_display_name(name)
    message = " ".join(refused.value.messages)
    assert INVISIBLE_ERROR in message or "Please enter a display name." in message


BIDI_NAMES = {
    "override before": ("\u202eMina", "Mina"),
    "override inside": ("Mi\u202ena", "Mina"),
    "reversed text after override": ("\u202eanim\u202c", "anim"),
    "left-to-right override": ("\u202dMina\u202c", "Mina"),
    "embeddings": ("\u202aMina\u202b", "Mina"),
    "isolates": ("\u2066Mina\u2069 \u2067Park\u2069", "Mina Park"),
    "first strong isolate": ("\u2068Mina\u2069", "Mina"),
    "marks": ("\u200eMina\u200f", "Mina"),
    "Arabic letter mark": ("\u061cمينا", "مينا"),
    "Arabic in isolates": ("\u2067مينا\u2069", "مينا"),
    "spaces left by controls": ("Mina \u202e Park", "Mina Park"),
}


@pytest.mark.parametrize("typed,kept", BIDI_NAMES.values(), ids=BIDI_NAMES.keys())
def test_bidirectional_controls_are_stripped(typed, kept):
    assert clean_display_name(typed) == kept


FINE_NAMES = {
    "Latin": "Mina",
    "Korean": "민아",
    "Korean with a particle": "민아는",
    "Korean name with spaces": "김 민아",
    "Korean with a Hangul filler inside": "민\u3164아",
    "Arabic without controls": "مينا",
    "Hebrew": "דנה",
    "Arabic and Latin": "مينا Mina",
    "emoji": "🌱",
    "emoji with variation selector": "❤️ Mina",
    "emoji joined by ZWJ": "👩\u200d💻 Dev",
    "flag emoji": "🇰🇷",
    "Persian with a zero-width non-joiner": "می\u200cخواهم",
    "digits": "42",
    "punctuation": "…",
    "letter with combining accent": "Jose\u0301",
}


@pytest.mark.parametrize("name", FINE_NAMES.values(), ids=FINE_NAMES.keys())
def test_visible_names_in_any_script_are_kept_as_typed(name):
    assert clean_display_name(name) == name


def test_the_email_address_rule_still_applies():
    with pytest.raises(forms.ValidationError):
        clean_display_name("\u202ejun@example.com")


# --- Through the forms -------------------------------------------------------------------------


def test_settings_refuse_an_invisible_name(client, learner):
    client.force_login(learner)
    response = client.post(
        "/accounts/settings/",
        {"display_name": "\u3164\u200b", "language": "", "time_zone": "Asia/Seoul"},
    )
    assert response.status_code == 200
    assert INVISIBLE_ERROR in response.content.decode()
    learner.learner_profile.refresh_from_db()
    assert learner.learner_profile.display_name == "Mina"


def test_settings_save_a_name_without_its_controls(client, learner):
    client.force_login(learner)
    response = client.post(
        "/accounts/settings/",
        {"display_name": "\u202eMina\u202c", "language": "", "time_zone": "Asia/Seoul"},
    )
    assert response.status_code == 302
    learner.learner_profile.refresh_from_db()
    assert learner.learner_profile.display_name == "Mina"


def test_signup_refuses_an_invisible_name(client):
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "\u2800",
            "email": "blank@example.com",
            "password1": "sturdy-pass-77",
            "password2": "sturdy-pass-77",
        },
    )
    assert response.status_code == 200
    assert INVISIBLE_ERROR in response.content.decode()
    assert not get_user_model().objects.filter(email="blank@example.com").exists()


def test_signup_saves_a_name_without_its_controls(client):
    client.post(
        "/accounts/signup/",
        {
            "display_name": "\u2067مينا\u2069",
            "email": "mina2@example.com",
            "password1": "sturdy-pass-77",
            "password2": "sturdy-pass-77",
        },
    )
    user = get_user_model().objects.get(email="mina2@example.com")
    assert user.learner_profile.display_name == "مينا"
