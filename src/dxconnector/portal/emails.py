"""Transactional emails, each sent as text and HTML. Links are absolute, built on BASE_URL.

An email carries nothing a registrant typed but their own email address: anyone can register with anyone's email, so a
name or company typed on the form (free text, links and all) would reach a stranger's inbox under our name. Greetings are
plain "Hello"."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from dxconnector.connections.models import Connection
from dxconnector.domain.health import WORDS, Cause
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
    if user.is_active or user.switched_off:
        return  # finished registering before the job ran, or switched off by the operator: no link
    _link, raw = RegistrationLink.issue(user)
    send(
        user.email,
        "registration",
        "Complete your Dynamics Xero Connector registration",
        {"url": absolute_url(reverse("register-complete", args=[raw])), "hours": settings.REGISTRATION_LINK_HOURS},
    )


def send_already_registered_email(user_id: int) -> None:
    """Someone registered with the email of an active account: its owner hears of it (the page said only "check your
    email", as it does for a new one)."""
    user = User.objects.get(pk=user_id)
    if not user.is_active:
        return
    send(
        user.email,
        "already_registered",
        "Someone tried to register with your email",
        {"login_url": absolute_url(reverse("login")), "reset_url": absolute_url(reverse("password_reset"))},
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
            "url": absolute_url(reverse("password_reset_confirm", args=[uid, token])),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )


def send_connection_state_email(connection_id: str) -> None:
    """Tell the connection's owner it started needing attention, or that it recovered — once each way.

    Called after any run whose connection's state differs from what the owner was last told; the change is claimed
    with a conditional update first, so however many runs queued this job, one email goes per change. If the email
    cannot be sent the claim is given back, and the next run's job tries again."""
    connection = Connection.objects.select_related("owner").get(pk=connection_id)
    if connection.attention and not connection.attention_emailed:
        claimed = Connection.objects.filter(pk=connection.pk, attention_emailed=False).exclude(attention="")
        told, template = True, "connection_attention"
        subject = f"{connection.display_name} needs your attention"
    elif not connection.attention and connection.attention_emailed:
        claimed = Connection.objects.filter(pk=connection.pk, attention_emailed=True, attention="")
        told, template = False, "connection_recovered"
        subject = f"{connection.display_name} is syncing again"
    else:
        return
    if not claimed.update(attention_emailed=told):
        return  # another job told the owner already, or the state changed again meanwhile
    try:
        cause = Cause(connection.attention) if connection.attention else None
    except ValueError:
        cause = None
    try:
        send(
            connection.owner.email,
            template,
            subject,
            {
                "connection": connection,
                "what_to_do": WORDS[cause] if cause else "Open the connection to see what it needs.",
                "url": absolute_url(reverse("connection", args=[connection.pk])),
            },
        )
    except Exception:
        Connection.objects.filter(pk=connection.pk, attention_emailed=told).update(attention_emailed=not told)
        raise
