from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from dxconnector.connections.models import Connection, XeroConnection
from dxconnector.domain.rules.setting_values import account_code_fault
from dxconnector.domain.timezones import iana_for_xero
from dxconnector.portal import run_words, settings_row, time_zones
from dxconnector.portal.models import User

# The longest email address the user table stores (Django's EmailField: 254, RFC 5321's limit for a forward path); the form
# field's own limit is 320, which PostgreSQL would refuse to store.
EMAIL_MAX_LENGTH = 254
EMAIL_TOO_LONG = "An email address can be at most 254 characters long."


class RegisterForm(forms.Form):
    name = forms.CharField(max_length=150, label="Your name")
    company = forms.CharField(max_length=200, label="Company")
    email = forms.EmailField(label="Work email", max_length=EMAIL_MAX_LENGTH, error_messages={"max_length": EMAIL_TOO_LONG})
    accept_terms = forms.BooleanField(
        label="I agree to the terms and conditions",
        error_messages={"required": "Please accept the terms and conditions to register."},
    )

    def clean_email(self) -> str:
        # Whether the email has an account is never said here (accounts.register: the same answer either way).
        return str(self.cleaned_data["email"]).strip().lower()


class SetPasswordForm(forms.Form):
    """The last step of registration: choose a password (validated by Django's validators)."""

    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False)
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords don't match.")
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        max_length=EMAIL_MAX_LENGTH,
        error_messages={"max_length": EMAIL_TOO_LONG},
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": "That email and password don't match an account. Check them and try again.",
        "inactive": "This account isn't active yet. Open the link in your registration email to finish signing up.",
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class QueuedPasswordResetForm(PasswordResetForm):
    """Sends the reset email through the job queue; the link is made in the worker, never stored."""

    def save(self, *args, **kwargs) -> None:
        from dxconnector.portal.tasks import send_password_reset_email

        for user in self.get_users(self.cleaned_data["email"]):
            send_password_reset_email.enqueue(user.pk)


def _time_zone_choices(xero_zone: str | None) -> list[tuple[str, str]]:
    """The current zones by place name ("Auckland (Pacific)"), so typing a city's first letters finds it; the Xero
    organisation's zone first."""
    leading = time_zones.current_name(xero_zone or "")
    choices = [(zone, time_zones.place_name(zone)) for zone in time_zones.current_zones() if zone != leading]
    first = [(leading, f"{time_zones.place_name(leading)}: your Xero organisation's time zone")] if leading else []
    return [("", "Choose a time zone…"), *first, *sorted(choices, key=lambda choice: choice[1])]


FIRST_SYNC_DAY = date(2000, 1, 1)


def _today_in(time_zone: str | None) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(time_zones.current_name(time_zone or "") or "UTC")).date()


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


class DefaultsForm(forms.ModelForm):
    """The connection's settings. The account code is checked against the Xero organisation's chart of accounts
    (`settings_row.find_account`) when it changes; nothing is cut short or saved half: a value that cannot work is
    refused with what to do."""

    class Meta:
        model = Connection
        fields = ["name", "time_zone", "default_sales_account_code", "sync_invoices_from"]
        labels = {
            "name": "1. Connection name",
            "time_zone": "2. Time zone of Dynamics and Xero",
            "default_sales_account_code": "3. Default sales account code (optional, e.g. 200)",
            "sync_invoices_from": "4. Sync invoices delivered on or after (optional; empty: all)",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        xero = XeroConnection.objects.filter(connection_id=self.instance.pk).first() if self.instance.pk else None
        xero_zone = iana_for_xero(xero.organisation_timezone) if xero else None
        self.fields["time_zone"] = forms.ChoiceField(
            choices=_time_zone_choices(xero_zone),
            label=self.Meta.labels["time_zone"],
            help_text="Listed by place: type a city's first letters, such as Auck for Auckland, to jump to it.",
            error_messages={"invalid_choice": "“%(value)s” is not a time zone we know. Pick one from the list."},
        )
        if not self.is_bound and self.instance.time_zone:  # a zone saved under an old name shows as its current one
            self.initial["time_zone"] = time_zones.current_name(self.instance.time_zone) or self.instance.time_zone
        # No maxlength on the box: a browser would cut a longer code short without a word; the check below says it.
        self.fields["default_sales_account_code"] = forms.CharField(
            required=False,
            label=self.Meta.labels["default_sales_account_code"],
            help_text="A code from your Xero chart of accounts; it is checked with Xero when you save.",
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        )
        self.fields["sync_invoices_from"] = forms.DateField(
            required=False,
            label=self.Meta.labels["sync_invoices_from"],
            help_text="A day from 1 January 2000 to today.",
            widget=forms.DateInput(
                attrs={"type": "date", "min": FIRST_SYNC_DAY.isoformat(), "max": _today_in("Pacific/Kiritimati").isoformat()},
                format="%Y-%m-%d",
            ),
        )

    def clean_default_sales_account_code(self) -> str:
        code = str(self.cleaned_data["default_sales_account_code"]).strip()
        if not code:
            return ""
        fault = account_code_fault(code)
        if fault:
            raise forms.ValidationError(
                f"“{code}” can't be a Xero account code: {fault}. Enter the code as your Xero chart of accounts shows it, "
                "such as 200."
            )
        if code == self.instance.default_sales_account_code:
            return code  # checked when it was saved
        try:
            account = settings_row.find_account(self.instance, code)
        except settings_row.CannotCheck as cannot:
            raise forms.ValidationError(str(cannot)) from cannot
        if account is None:
            raise forms.ValidationError(
                f"Your Xero organisation has no account with the code “{code}”. Check the code in Xero's chart of "
                "accounts (Accounting → Chart of accounts)."
            )
        if account.status != "ACTIVE":
            raise forms.ValidationError(
                f"Account {account.code} ({account.name}) is archived in Xero, so invoices can't use it. "
                "Pick an active account, or restore it in Xero first."
            )
        if account.type == "BANK":
            raise forms.ValidationError(
                f"Account {account.code} ({account.name}) is a bank account, which invoice lines can't use. "
                "Pick a sales account, such as 200."
            )
        return account.code

    def clean_sync_invoices_from(self) -> date | None:
        day: date | None = self.cleaned_data["sync_invoices_from"]
        if day is None:
            return None
        today = _today_in(self.cleaned_data.get("time_zone") or self.instance.time_zone or None)
        if not FIRST_SYNC_DAY <= day <= today:
            raise forms.ValidationError(
                f"Pick a day from {_day(FIRST_SYNC_DAY)} to today ({_day(today)}), or leave it empty to sync all invoices."
            )
        return day


# The days the history can be filtered on: a day outside them is a mistake, and near the ends of the calendar the day after
# (the range is "before the next day's start") or the day in UTC would not exist.
HISTORY_FIRST_DAY = date(2000, 1, 1)
HISTORY_LAST_DAY = date(2999, 12, 31)
HISTORY_DAY_RANGE = "Enter a date between 1 January 2000 and 31 December 2999."


def _history_day(label: str) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        widget=forms.DateInput(attrs={"type": "date", "min": HISTORY_FIRST_DAY.isoformat(), "max": HISTORY_LAST_DAY.isoformat()}),
        validators=[
            MinValueValidator(HISTORY_FIRST_DAY, HISTORY_DAY_RANGE),
            MaxValueValidator(HISTORY_LAST_DAY, HISTORY_DAY_RANGE),
        ],
    )


class HistoryFilterForm(forms.Form):
    """The history page's filters (all optional; read from the query string)."""

    outcome = forms.ChoiceField(
        choices=[("", "Any outcome"), *run_words.OUTCOME_CHOICES],  # in the words the rows use
        required=False,
        label="Outcome",
    )
    record = forms.CharField(
        max_length=64,
        required=False,
        label="Record",
        widget=forms.TextInput(attrs={"placeholder": "Invoice number, or a Dynamics or Xero id (or its start)"}),
    )
    date_from = _history_day("From")
    date_to = _history_day("To")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


class InvoiceQuestionForm(forms.Form):
    """ "Why isn't it syncing?": an invoice picked from those recently held back or failed, or one pasted (its id or
    number); a pasted one wins."""

    invoice = forms.ChoiceField(required=False, label="A recently held-back or failed invoice")
    pasted = forms.CharField(
        required=False,
        max_length=100,
        label="or an invoice's number or id",
        widget=forms.TextInput(attrs={"placeholder": "e.g. INV-01001 or its id"}),
    )

    def __init__(self, *args: Any, choices: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        invoice = self.fields["invoice"]
        assert isinstance(invoice, forms.ChoiceField)
        invoice.choices = [("", "Choose one…"), *choices]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = (cleaned.get("pasted") or "").strip() or cleaned.get("invoice") or ""
        if not chosen and not self.errors:
            raise forms.ValidationError("Choose an invoice from the list, or paste its number or id.")
        cleaned["chosen"] = chosen
        return cleaned
