import html

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments.models import BugReport, CommentFlag, FlagReason
from lessons.text import has_visible_text, strip_bidi_controls, validate_no_controls


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "You can use **bold**, _italics_, `code`, lists, > quotes and links. No images or HTML."
        ),
    )

    def clean_body(self) -> str:
        # As typed, before .strip() could hide a control character at either end; Django's
        # own check has already refused U+0000 ("Null characters are not allowed.").
        validate_no_controls(self.cleaned_data["body"])
        body = strip_bidi_controls(self.cleaned_data["body"]).strip()
        limit = settings.COMMENTS_MAX_LENGTH
        if len(body) > limit:
            raise forms.ValidationError(
                ngettext(
                    "A comment can be at most %(limit)d character long; yours has %(length)d.",
                    "A comment can be at most %(limit)d characters long; yours has %(length)d.",
                    limit,
                )
                % {"limit": limit, "length": len(body)}
            )
        if not body:
            raise forms.ValidationError(_("Please write something first."))
        # As it will be read: markdown turns "&#8203;" into the zero-width space it names.
        if not has_visible_text(html.unescape(body)):
            raise forms.ValidationError(
                _(
                    "Please write something first: spaces and invisible characters alone "
                    "are not a comment."
                )
            )
        return body


class FlagForm(forms.ModelForm):
    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"),
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = CommentFlag
        fields = ["reason", "note"]
        labels = {"note": _("Anything moderators should know (optional)")}


class BugReportForm(forms.ModelForm):
    # A honeypot: hidden from people, filled in by bots that fill in every field.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = BugReport
        fields = ["category", "description", "passage", "contact_email"]
        labels = {
            "category": _("What kind of problem is it?"),
            "description": _("What is wrong?"),
            "passage": _("The passage it concerns (optional)"),
            "contact_email": _("Your email address (optional)"),
        }
        help_texts = {
            "description": _("What you saw, and what you expected instead."),
            "passage": _("Paste the sentence or code, so that we find it quickly."),
            "contact_email": _("Only if you would like us to be able to ask you about it."),
        }
        widgets = {
            "category": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5}),
            "passage": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = self.fields["category"].choices[1:]  # no "---------"
        self.fields["description"].validators.append(MaxLengthValidator(4000))
        self.fields["passage"].validators.append(MaxLengthValidator(2000))
        if signed_in:
            # Signed-in reporters are reached through their account.
            del self.fields["contact_email"]

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != "website"]

    @property
    def honeypot(self):
        return self["website"]

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))
