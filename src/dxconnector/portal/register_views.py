from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

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
    return render(request, "registration/register_sent.html", {"email": request.session.get("registered_email")})


_LINK_PROBLEMS = {
    RegistrationLink.State.USED: "This link has already been used. Log in with your email and password.",
    RegistrationLink.State.EXPIRED: "This link has expired. Register again with the same email to get a new link.",
}

_SWITCHED_OFF = "This account has been switched off. Contact the operator of this service if you need it again."


def register_complete(request: HttpRequest, token: str) -> HttpResponse:
    link = RegistrationLink.find(token)
    if link is None:
        return render(
            request,
            "registration/link_problem.html",
            {"problem": "This link isn't valid. Check that you copied the whole link from the email."},
            status=404,
        )
    if link.user.switched_off:
        return render(request, "registration/link_problem.html", {"problem": _SWITCHED_OFF}, status=410)
    state = link.state()
    if state in _LINK_PROBLEMS:
        return render(request, "registration/link_problem.html", {"problem": _LINK_PROBLEMS[state]}, status=410)
    form = SetPasswordForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.complete_registration(link, form.cleaned_data["password1"])
        except accounts.LinkAlreadyUsed:
            return render(
                request, "registration/link_problem.html", {"problem": _LINK_PROBLEMS[RegistrationLink.State.USED]}, status=410
            )
        except accounts.AccountSwitchedOff:
            return render(request, "registration/link_problem.html", {"problem": _SWITCHED_OFF}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your registration is complete.")
        return redirect("home")
    return render(request, "registration/register_complete.html", {"form": form, "user_to_activate": link.user})
