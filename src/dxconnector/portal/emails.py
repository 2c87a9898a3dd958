"""Transactional emails, each sent as text and HTML. Links are absolute, built on BASE_URL."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from dxconnector.portal.models import RegistrationLink, User


def absolute_url(path: str) -> str:
    return settings.BASE_URL + path


def send(to: str, template: str, subject: str, context: dict) -> None:
    context = {"product": "Dynamics Xero Connector", **context}
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_registration_email(user_id: int) -> None:
    user = User.objects.get(pk=user_id)
    if user.is_active:
        return  # finished registering before the job ran: no link needed
    _link, raw = RegistrationLink.issue(user)
    send(
        user.email,
        "registration",
        "Complete your Dynamics Xero Connector registration",
        {
            "user": user,
            "url": absolute_url(reverse("register-complete", args=[raw])),
            "hours": settings.REGISTRATION_LINK_HOURS,
        },
    )


def send_password_reset_email(user_id: int) -> None:
    user = User.objects.get(pk=user_id)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    send(
        user.email,
        "password_reset",
        "Reset your Dynamics Xero Connector password",
        {
            "user": user,
            "url": absolute_url(reverse("password_reset_confirm", args=[uid, token])),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )
