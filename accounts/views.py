"""The learner's own pages beside allauth's: settings, language, export and deletion."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView, UpdateView
from django.views.i18n import set_language

from accounts.forms import AccountDeleteForm, LearnerSettingsForm
from accounts.services import (
    language_remember,
    language_save,
    learner_delete,
    learner_export,
    profile_for,
)


class LearnerSettingsView(LoginRequiredMixin, UpdateView):
    form_class = LearnerSettingsForm
    template_name = "accounts/settings.html"
    success_url = reverse_lazy("accounts:settings")

    def get_object(self, queryset=None):
        return profile_for(self.request.user)

    def form_valid(self, form):
        response = super().form_valid(form)
        language_remember(request=self.request, language=form.instance.language)
        messages.success(self.request, _("Your settings are saved."))
        return response


@csrf_exempt
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie, back to the same page), remembered in the profile too.

    For readers who are not signed in it only sets a cookie, so it needs no CSRF token; that
    keeps their pages free of per-visitor tokens, the same for everyone and cacheable whole.
    A signed-in learner's choice is saved to their profile, so there the token is checked.
    """
    if request.user.is_authenticated:
        return _language_switch_signed_in(request)
    return set_language(request)


@csrf_protect
def _language_switch_signed_in(request: HttpRequest) -> HttpResponse:
    response = set_language(request)
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        language_save(request=request, language=language)
    return response


@login_required
@require_GET
def data_export(request: HttpRequest) -> HttpResponse:
    data = learner_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"stream-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class AccountDeleteView(LoginRequiredMixin, FormView):
    form_class = AccountDeleteForm
    template_name = "accounts/account_delete.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "export_url": reverse("accounts:export")}

    def form_valid(self, form):
        user = self.request.user
        logout(self.request)
        learner_delete(user=user)
        messages.success(self.request, _("Your account and personal data have been deleted."))
        return redirect("/")
