"""Log-in and password reset: Django's views, throttled per address and per email (portal.throttles); a successful
log-in marks the browser as known to its user (portal.sign_in_limits), and a password reset forgets the account's
failed log-ins."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from dxconnector.portal import accounts, sign_in_limits, throttles
from dxconnector.portal.forms import EmailLoginForm, QueuedPasswordResetForm
from dxconnector.portal.models import User


class LoginView(auth_views.LoginView):
    authentication_form = EmailLoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A browser its user signed in with before is not throttled (its failures are counted apart, as for the
        # lock-outs): however many posts others make for an email, its owner's own browser still gets in.
        email = throttles.email_of(request, "username")
        if sign_in_limits.known_browser(request, email) is None:
            refusal = throttles.check("login", request, email)
            if refusal is not None:
                return throttles.refused(request, "login", refusal)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        sign_in_limits.remember_browser(response, form.get_user().email)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = throttles.check("password_reset", request, throttles.email_of(request, "email"))
        if refusal is not None:
            return throttles.refused(request, "password_reset", refusal)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        # Someone who registered but never set a password has none to reset: they get a fresh registration link, so
        # "Forgot your password?" is no dead end. The page says the same as for any email.
        unfinished = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=False).first()
        if unfinished is not None:
            accounts.send_new_link(unfinished)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password, with the rules shown before typing. Setting it lifts the account's lock-out: whoever
    opened the emailed link holds the account's email."""

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        form.fields["new_password1"].widget.attrs["aria-describedby"] = "password-rules"
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "password_rules": password_validation.password_validators_help_texts()}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        sign_in_limits.forget_failures(form.user.email)
        return response
