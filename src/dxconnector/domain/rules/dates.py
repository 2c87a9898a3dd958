"""Dates: the connection's time zone, the Xero date of a Dynamics moment, when an invoice may go, and Xero's own date
formats read back."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dxconnector.domain.records import ConnectionSettings, DynamicsInvoice
from dxconnector.domain.rules.reasons import Reason, RuleViolation, Why


def zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise RuleViolation(
            Reason(
                Why.UNKNOWN_TIME_ZONE,
                f"The connection's time zone '{time_zone}' is unknown: pick "
                "one such as Pacific/Auckland in the connector settings.",
            )
        ) from error


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def xero_date(moment_utc: datetime, time_zone: str) -> date:
    """The calendar date of a UTC moment in the connection's time zone (a naive moment is UTC).

    Dynamics keeps Date Delivered as the UTC instant of midnight where the user picked it, so 04:00 UTC
    is still the day before in Los Angeles and 23:30 UTC is already the next day in Auckland. At the very ends
    of the calendar (31 December 9999 east of UTC) there is no such day.
    """
    try:
        return as_utc(moment_utc).astimezone(zone(time_zone)).date()
    except OverflowError as error:
        raise RuleViolation(
            Reason(
                Why.DATE_OUT_OF_RANGE,
                f"Date Delivered ({moment_utc.date().isoformat()}) falls outside the calendar in {time_zone}: pick a real date.",
            )
        ) from error


def today(now: datetime, time_zone: str) -> date:
    return xero_date(now, time_zone)


def due_date(invoice: DynamicsInvoice) -> date | None:
    """Dynamics' due date is date-only, so it goes across as it is, with no time zone shift. Left empty,
    Xero works it out from the contact's or the organisation's payment terms and the write-back brings it."""
    return invoice.due_date


def delivery_problems(invoice: DynamicsInvoice, settings: ConnectionSettings, now: datetime) -> tuple[Reason, ...]:
    """Date Delivered must be today or earlier in the connection's time zone."""
    if invoice.date_delivered is None:
        return ()
    try:
        delivered, current = xero_date(invoice.date_delivered, settings.time_zone), today(now, settings.time_zone)
    except RuleViolation as violation:
        return violation.reasons
    if delivered > current:
        return (
            Reason(
                Why.DELIVERED_IN_FUTURE,
                f"Date Delivered is {delivered.isoformat()}, after today "
                f"({current.isoformat()} in {settings.time_zone}): the invoice goes "
                "to Xero on that day.",
            ),
        )
    return ()


def before_sync_from(invoice: DynamicsInvoice, settings: ConnectionSettings) -> bool:
    """A new invoice delivered before the connection's sync-from date stays out of Xero (edits of sent ones go)."""
    if settings.sync_from is None or invoice.date_delivered is None:
        return False
    return xero_date(invoice.date_delivered, settings.time_zone) < settings.sync_from


MS_DATE = re.compile(r"^/Date\((?P<millis>-?\d+)(?:[+-]\d{4})?\)/$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BadXeroDate(ValueError):
    """A date from Xero that names no moment of the calendar."""


def parse_xero_moment(value: Any) -> datetime | None:
    """A Xero timestamp as an aware UTC datetime: `/Date(1541176290160+0000)/` counts milliseconds from 1970 in
    UTC, negative before it (`/Date(-2208988800000+0000)/` is 1 January 1900); the offset after them only says
    where it was shown. ISO 8601 is read too."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    try:
        found = MS_DATE.match(text)
        if found:
            return EPOCH + timedelta(milliseconds=int(found["millis"]))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError) as error:
        raise BadXeroDate(f"Xero's date {text[:40]!r} is not one this connector can read") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_xero_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if text.startswith("/Date("):
        moment = parse_xero_moment(text)
        return moment.date() if moment else None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as error:
        raise BadXeroDate(f"Xero's date {text[:40]!r} is not one this connector can read") from error
