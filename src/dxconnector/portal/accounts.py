"""Registration as small operations the views call; no HTTP in here."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dxconnector.portal.models import RegistrationLink, User
from dxconnector.portal.tasks import send_registration_email


class LinkAlreadyUsed(Exception):
    pass


def register(*, name: str, company: str, email: str) -> User:
    """Create the not-yet-active account (or refresh an unfinished one) and queue the email with its link."""
    with transaction.atomic():
        user, created = User.objects.get_or_create(email=email, defaults={"name": name, "company": company, "is_active": False})
        if not created and not user.is_active:
            user.name, user.company = name, company
        user.accepted_terms_at = timezone.now()
        if created:
            user.set_unusable_password()
        user.save()
        transaction.on_commit(lambda: send_registration_email.enqueue(user.pk))
    return user


def complete_registration(link: RegistrationLink, password: str) -> User:
    """Spend the link exactly once, set the password and activate the account."""
    with transaction.atomic():
        spent = RegistrationLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
        if not spent:
            raise LinkAlreadyUsed()
        user = link.user
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        # Older links for the same account die with this one.
        RegistrationLink.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    return user
