"""allauth's forms in Stream's words (ACCOUNT_FORMS).

Kept apart from accounts/forms.py: allauth imports that module (ACCOUNT_SIGNUP_FORM_CLASS) while
building its own forms, so it cannot import allauth's forms back.
"""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me")
