"""The signed-in user's own account pages: password reset by email (Django's views, our templates)
and the list of their API tokens."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .auth import client_address, over_hourly_limit
from .forms import ProfileForm, apply_service_errors
from .preferences import user_profile, user_profile_update
from .tokens import api_token_create, api_token_revoke, api_tokens_of, api_tokens_revoke_all

logger = logging.getLogger(__name__)


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by email. The answer is the same whether or not the address is known."""

    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        address = client_address(self.request)
        if over_hourly_limit("password-reset", address, settings.PASSWORD_RESET_REQUESTS_PER_HOUR):
            # The same answer as always, without the email: nobody can flood an inbox from here.
            logger.warning("Password reset requests from %s over the hourly limit; no email sent", address)
            return HttpResponseRedirect(self.get_success_url())
        # Links start with the address people open the app at, not with whatever Host header the
        # request carried.
        self.extra_email_context = {"site_url": getattr(settings, "SITE_URL", "")}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class _EndsApiTokens:
    """A view whose form sets a new password: every API token of that user ends with it."""

    def form_valid(self, form):
        response = super().form_valid(form)
        api_tokens_revoke_all(user=form.user)
        return response


class PasswordResetConfirmView(_EndsApiTokens, auth_views.PasswordResetConfirmView):
    """Set a new password from the emailed link. The new password also ends every API token."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


class PasswordChangeView(_EndsApiTokens, auth_views.PasswordChangeView):
    """Change one's own password; the session stays signed in, every API token ends."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


@login_required
def api_tokens(request):
    """The user's API tokens: when each was made, last used and expires; revoke or make one."""
    return render(request, "core/api_tokens.html", {"tokens": api_tokens_of(user=request.user)})


@login_required
@require_POST
def api_token_new(request):
    # The key is shown in this answer only: it is not stored and cannot be shown again.
    token, key = api_token_create(user=request.user)
    return render(
        request, "core/api_tokens.html", {"tokens": api_tokens_of(user=request.user), "new_key": key, "new": token}
    )


@login_required
@require_POST
def api_token_revoke_view(request, pk: int):
    if not api_token_revoke(token_id=pk, acting_user=request.user):
        raise Http404
    messages.success(request, _("Token revoked. Programs using it can no longer sign in with it."))
    return redirect("api_tokens")


@login_required
def my_profile(request):
    """My profile: the user's own name, email, language, time zone and email signature."""
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                profile = user_profile_update(user=request.user, data=form.cleaned_data, acting_user=request.user)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                # The answer to this very request already speaks the newly chosen language.
                if profile["language"]:
                    translation.activate(profile["language"])
                messages.success(request, _("Your profile was saved."))
                return redirect("my_profile")
    else:
        form = ProfileForm(initial=user_profile(user=request.user))
    return render(request, "core/my_profile.html", {"form": form})
