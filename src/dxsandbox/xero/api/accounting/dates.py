"""Xero's date formats: `/Date(ms+0000)/` out; `YYYY-MM-DD`, ISO datetimes and `/Date(ms)/` in.

Calendar dates (Date, DueDate…) are midnight UTC of that day; timestamps (UpdatedDateUTC) are instants.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_MS_DATE = re.compile(r"^/Date\((?P<ms>-?\d+)(?P<offset>[+-]\d{4})?\)/$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BadDate(ValueError):
    pass


def ms_date(day: date) -> str:
    """A calendar date the way Xero writes it: `/Date(1539993600000+0000)/`."""
    return f"/Date({_to_ms(datetime(day.year, day.month, day.day, tzinfo=UTC))}+0000)/"


def ms_timestamp(epoch_ms: int) -> str:
    return f"/Date({epoch_ms}+0000)/"


def ms_envelope_timestamp(epoch_ms: int) -> str:
    """The envelope's DateTimeUTC carries no offset."""
    return f"/Date({epoch_ms})/"


def date_string(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def utc_string(epoch_ms: int) -> str:
    return from_epoch_ms(epoch_ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_epoch_ms(epoch_ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=epoch_ms)


def epoch_ms(moment: datetime) -> int:
    return _to_ms(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _to_ms(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def parse_moment(value: str) -> datetime:
    """Any date Xero accepts on input, as an aware datetime (no offset means UTC)."""
    text = str(value).strip()
    match = _MS_DATE.match(text)
    if match:
        moment = from_epoch_ms(int(match["ms"]))
        if match["offset"]:
            sign = 1 if match["offset"][0] == "+" else -1
            hours, minutes = int(match["offset"][1:3]), int(match["offset"][3:])
            moment = moment.astimezone(_fixed_offset(sign * (hours * 60 + minutes)))
        return moment
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadDate(f"'{value}' is not a valid date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_date(value: str) -> date:
    """A calendar date: the date part as written (Xero ignores any time of day)."""
    return parse_moment(value).date()


def parse_if_modified_since(value: str) -> datetime:
    """ISO 8601 with or without an offset (none means UTC), or RFC 1123 as HTTP defines it."""
    try:
        return parse_moment(value)
    except BadDate:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise BadDate(f"'{value}' is not a valid If-Modified-Since date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ms_to_date(value: str) -> date:
    """The calendar date a stored `/Date(ms+0000)/` stands for."""
    return parse_moment(value).astimezone(UTC).date()


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def day_of_month(year: int, month: int, day: int) -> date:
    """Day `day` of a month, clamped to the month's length (the 31st of February is its last day)."""
    return date(year, month, max(1, min(day, _days_in_month(year, month))))


def _fixed_offset(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))
