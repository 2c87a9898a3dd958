"""Registration as small operations the views call; no HTTP in here.

Registering answers the same whatever the email is: nothing on the page tells whether an account exists. What happens
behind it differs: a new email gets an account waiting for its link; an unfinished one gets a fresh link (what it was
registered with first is kept: name and company are not overwritten by whoever registers next); an active account gets
an email saying someone tried to register with it; an account the operator switched off gets nothing and stays off."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dxconnector.portal.models import RegistrationLink, User
from dxconnector.portal.tasks import send_already_registered_email, send_registration_email


class LinkAlreadyUsed(Exception):
    pass


class AccountSwitchedOff(Exception):
    """The operator deactivated the account: a registration link does not switch it back on."""


def register(*, name: str, company: str, email: str) -> None:
    """Create the not-yet-active account, or find the existing one, and queue the email that fits (see above)."""
    with transaction.atomic():
        user, created = User.objects.get_or_create(email=email, defaults={"name": name, "company": company, "is_active": False})
        if created:
            user.accepted_terms_at = timezone.now()
            user.set_unusable_password()
            user.save(update_fields=["accepted_terms_at", "password"])
        if user.is_active:
            transaction.on_commit(lambda: send_already_registered_email.enqueue(user.pk))
        elif not user.switched_off:
            transaction.on_commit(lambda: send_registration_email.enqueue(user.pk))


def send_new_link(user: User) -> None:
    """Queue a fresh registration link for an account still waiting for one (its last link expired); an active or
    switched-off account gets nothing."""
    if not user.is_active and not user.switched_off:
        transaction.on_commit(lambda: send_registration_email.enqueue(user.pk))


def complete_registration(link: RegistrationLink, password: str) -> User:
    """Spend the link exactly once, set the password and activate the account — unless the operator switched it off."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=link.user_id)
        if user.switched_off:
            raise AccountSwitchedOff()
        spent = RegistrationLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
        if not spent:
            raise LinkAlreadyUsed()
        user.set_password(password)
        user.is_active = True
        user.activated_at = user.activated_at or timezone.now()
        user.save(update_fields=["password", "is_active", "activated_at"])
        # Older links for the same account die with this one.
        RegistrationLink.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    return user
