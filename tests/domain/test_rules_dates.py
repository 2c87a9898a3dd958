from datetime import UTC, date, datetime

import pytest

from dxconnector.domain.records import DynamicsInvoice
from dxconnector.domain.rules import (
    BadXeroDate,
    RuleViolation,
    Why,
    due_date,
    parse_xero_date,
    parse_xero_moment,
    today,
    xero_date,
)


@pytest.mark.parametrize(
    ("moment", "time_zone", "expected"),
    [
        # just after midnight UTC: still the day before on the US west coast, the same day in New Zealand
        (datetime(2026, 3, 5, 0, 30, tzinfo=UTC), "America/Los_Angeles", date(2026, 3, 4)),
        (datetime(2026, 3, 5, 0, 30, tzinfo=UTC), "Pacific/Auckland", date(2026, 3, 5)),
        (datetime(2026, 3, 5, 0, 30, tzinfo=UTC), "UTC", date(2026, 3, 5)),
        # just before midnight UTC: already the next day in New Zealand
        (datetime(2026, 3, 4, 23, 30, tzinfo=UTC), "Pacific/Auckland", date(2026, 3, 5)),
        (datetime(2026, 3, 4, 23, 30, tzinfo=UTC), "UTC", date(2026, 3, 4)),
        # a date picked in Auckland is stored as the UTC instant of its midnight (NZDT +13, NZST +12)
        (datetime(2026, 3, 4, 11, 0, tzinfo=UTC), "Pacific/Auckland", date(2026, 3, 5)),
        (datetime(2026, 7, 4, 12, 0, tzinfo=UTC), "Pacific/Auckland", date(2026, 7, 5)),
        # a date picked in Los Angeles (PST -8)
        (datetime(2026, 3, 5, 8, 0, tzinfo=UTC), "America/Los_Angeles", date(2026, 3, 5)),
        # the night British Summer Time starts
        (datetime(2026, 3, 29, 23, 30, tzinfo=UTC), "Europe/London", date(2026, 3, 30)),
        # a naive moment is UTC
        (datetime(2026, 3, 4, 23, 30), "Pacific/Auckland", date(2026, 3, 5)),
        # no time zone set: UTC
        (datetime(2026, 3, 4, 23, 30, tzinfo=UTC), "", date(2026, 3, 4)),
    ],
)
def test_the_xero_date_is_the_calendar_date_in_the_connections_time_zone(moment, time_zone, expected):
    assert xero_date(moment, time_zone) == expected


def test_today_depends_on_the_time_zone():
    now = datetime(2026, 3, 10, 10, 30, tzinfo=UTC)
    assert today(now, "UTC") == date(2026, 3, 10)
    assert today(now, "Pacific/Auckland") == date(2026, 3, 10)
    assert today(datetime(2026, 3, 10, 11, 30, tzinfo=UTC), "Pacific/Auckland") == date(2026, 3, 11)


@pytest.mark.parametrize("time_zone", ["Mars/Olympus_Mons", "NEWZEALANDSTANDARDTIME", "../etc/passwd"])
def test_an_unknown_time_zone_is_refused_with_a_reason(time_zone):
    with pytest.raises(RuleViolation) as refused:
        xero_date(datetime(2026, 3, 5, tzinfo=UTC), time_zone)
    assert refused.value.reasons[0].code is Why.UNKNOWN_TIME_ZONE
    assert time_zone in refused.value.reasons[0].text


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (date(2026, 4, 30), date(2026, 4, 30)),
        (None, None),
    ],
)
def test_the_due_date_goes_as_it_is_or_not_at_all(due, expected):
    assert due_date(DynamicsInvoice("i", due_date=due)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2018-10-20", date(2018, 10, 20)),
        ("2018-10-20T00:00:00", date(2018, 10, 20)),
        ("/Date(1539993600000+0000)/", date(2018, 10, 20)),
        ("/Date(1539993600000)/", date(2018, 10, 20)),
        ("/Date(-2208988800000+0000)/", date(1900, 1, 1)),  # before 1970 the milliseconds are negative
        ("/Date(-5364662400000+0000)/", date(1800, 1, 1)),
        ("/Date(253402214400000+0000)/", date(9999, 12, 31)),
        ("/Date(1539993600000-0800)/", date(2018, 10, 20)),  # the offset only says where it was shown
        (date(2018, 10, 20), date(2018, 10, 20)),
        (None, None),
        ("", None),
    ],
)
def test_xero_dates_are_read_in_every_shape_xero_writes_them(value, expected):
    assert parse_xero_date(value) == expected


@pytest.mark.parametrize("value", ["/Date(99999999999999999+0000)/", "/Date(abc)/", "20-10-2018", "2018-13-45"])
def test_a_xero_date_naming_no_day_is_refused_with_its_own_error(value):
    with pytest.raises(BadXeroDate):
        parse_xero_date(value)


def test_a_moment_before_1970_keeps_its_sign():
    assert parse_xero_moment("/Date(-1000+0000)/") == datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)


def test_the_last_day_of_the_calendar_east_of_utc_is_held_with_a_reason_not_a_crash():
    with pytest.raises(RuleViolation) as refused:
        xero_date(datetime(9999, 12, 31, 20, 0, tzinfo=UTC), "Pacific/Auckland")
    assert refused.value.reasons[0].code is Why.DATE_OUT_OF_RANGE
