import zoneinfo

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import LearnerProfile
from accounts.services import profile_for
from lessons.text import has_visible_text, strip_bidi_controls, validate_no_controls


def clean_display_name(value: str) -> str:
    # As typed: str.split() below would turn some control characters (U+001C–U+001F) into
    # spaces and hide them.
    validate_no_controls(value)
    # Without bidirectional controls a name cannot reorder the text shown around it.
    value = " ".join(strip_bidi_controls(value).split())
    if not value:
        raise forms.ValidationError(_("Please enter a display name."))
    if not has_visible_text(value):
        raise forms.ValidationError(
            _(
                "Please enter a display name that shows at least one letter, number or "
                "symbol: spaces and invisible characters alone show nothing."
            )
        )
    if "@" in value:
        raise forms.ValidationError(
            _("Use a name, not an email address: your display name is shown to everyone.")
        )
    return value


class SignupExtraForm(forms.Form):
    """Fields that allauth's sign-up form gains (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=40,
        help_text=_("Shown beside your comments. Your email address is never shown."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])

    def signup(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        profile = profile_for(user)
        profile.display_name = self.cleaned_data["display_name"]
        profile.save(update_fields=["display_name", "updated_at"])


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class LearnerSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = LearnerProfile
        fields = [
            "display_name",
            "language",
            "time_zone",
            "email_notifications",
            "leaderboard_opt_in",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The empty value means "follow the browser" (the model's help text): say so in the menu
        # instead of Django's "---------".
        language = self.fields["language"]
        language.choices = [("", _("Same as my browser"))] + [
            (code, name) for code, name in language.choices if code
        ]

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: AbstractBaseUser, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            # Signed up with Kakao, Naver or Google, so there is no password to ask for: typing
            # the account's address confirms instead.
            del self.fields["password"]
            self.fields["email"] = forms.EmailField(
                label=_("Your email address"),
                help_text=_("You have no password here: type your account's email address."),
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email.casefold() != (self.user.email or "").casefold():
            raise forms.ValidationError(_("That is not your account's email address."))
        return email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not right."))
        return password
