from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dxconnector.portal import accounts, throttles
from dxconnector.portal.forms import RegisterForm, SetPasswordForm
from dxconnector.portal.models import RegistrationLink


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST":
        refusal = throttles.check("register", request, throttles.email_of(request, "email"))
        if refusal is not None:
            return throttles.refused(request, "register", refusal)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        accounts.register(name=form.cleaned_data["name"], company=form.cleaned_data["company"], email=email)
        request.session["registered_email"] = email
        return redirect("register-sent")
    return render(request, "registration/register.html", {"form": form})


def register_sent(request: HttpRequest) -> HttpResponse:
    context = {"email": request.session.get("registered_email"), "hours": settings.REGISTRATION_LINK_HOURS}
    return render(request, "registration/register_sent.html", context)


_UNKNOWN_LINK = "This link isn't valid. Check that you copied the whole link from the email."
_USED = "This link has already been used. Log in with your email and password."
_SWITCHED_OFF = "This account has been switched off. Contact the operator of this service if you need it again."


def _link_problem(request: HttpRequest, problem: str, offer: str, status: int = 410, token: str = "") -> HttpResponse:
    """The page for a link that can't be used; `offer` is the way forward: "login", "new_link" (for `token`) or
    "register"."""
    context = {"problem": problem, "offer": offer, "token": token}
    return render(request, "registration/link_problem.html", context, status=status)


def _used_or_expired(request: HttpRequest, link: RegistrationLink, token: str) -> HttpResponse | None:
    """The page for a link that can no longer complete its registration; None when it still can."""
    if link.user.switched_off:
        return _link_problem(request, _SWITCHED_OFF, offer="")
    state = link.state()
    if state == RegistrationLink.State.USED or (state == RegistrationLink.State.EXPIRED and link.user.is_active):
        return _link_problem(request, _USED, offer="login")
    if state == RegistrationLink.State.EXPIRED:
        # The account has no password yet: "Log in" would be a dead end, and a new link is what it needs.
        expired = f"This link has expired. We can email you a new one: it works for {settings.REGISTRATION_LINK_HOURS} hours."
        return _link_problem(request, expired, offer="new_link", token=token)
    return None


def register_complete(request: HttpRequest, token: str) -> HttpResponse:
    link = RegistrationLink.find(token)
    if link is None:
        return _link_problem(request, _UNKNOWN_LINK, offer="register", status=404)
    problem = _used_or_expired(request, link, token)
    if problem is not None:
        return problem
    form = SetPasswordForm(link.user, request.POST or None)
    form.fields["password1"].widget.attrs["aria-describedby"] = "password-rules"
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.complete_registration(link, form.cleaned_data["password1"])
        except accounts.LinkAlreadyUsed:
            return _link_problem(request, _USED, offer="login")
        except accounts.AccountSwitchedOff:
            return _link_problem(request, _SWITCHED_OFF, offer="")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your registration is complete.")
        return redirect("home")
    return render(
        request,
        "registration/register_complete.html",
        {"form": form, "user_to_activate": link.user, "password_rules": password_validation.password_validators_help_texts()},
    )


@require_POST
def register_new_link(request: HttpRequest, token: str) -> HttpResponse:
    """ "Send me a new link" on an expired link's page: a fresh link to the email the old one went to, and to no other."""
    link = RegistrationLink.find(token)
    if link is None:
        return _link_problem(request, _UNKNOWN_LINK, offer="register", status=404)
    refusal = throttles.check("register", request, link.user.email)
    if refusal is not None:
        return throttles.refused(request, "register", refusal)
    if link.user.is_active or link.user.switched_off:
        return _used_or_expired(request, link, token) or redirect("login")
    if link.state() == RegistrationLink.State.VALID:
        return redirect("register-complete", token=token)
    accounts.send_new_link(link.user)
    # The page names no email: whoever holds an old link learns nothing from it that the link did not say.
    request.session.pop("registered_email", None)
    return redirect("register-sent")
