import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dxconnector.domain.timezones import iana_for_xero

SPEC = Path(__file__).resolve().parents[3] / "shared" / "specs" / "xero" / "xero_accounting.yaml"


@pytest.mark.parametrize(
    ("xero", "iana"),
    [
        ("NEWZEALANDSTANDARDTIME", "Pacific/Auckland"),
        ("AUSEASTERNSTANDARDTIME", "Australia/Sydney"),
        ("GMTSTANDARDTIME", "Europe/London"),
        ("PACIFICSTANDARDTIME", "America/Los_Angeles"),
        ("UTC", "Etc/UTC"),
        ("KAMCHATKASTANDARDTIME", "Asia/Kamchatka"),
        ("New Zealand Standard Time", "Pacific/Auckland"),
    ],
)
def test_it_maps_xero_zones_to_iana(xero, iana):
    assert iana_for_xero(xero) == iana


def test_an_unknown_zone_maps_to_none():
    assert iana_for_xero("MARSSTANDARDTIME") is None
    assert iana_for_xero("") is None


def test_every_zone_in_xeros_spec_maps_to_a_real_zone():
    if not SPEC.exists():
        pytest.skip("Xero's OpenAPI file is not beside this checkout (../shared/specs/xero)")
    text = SPEC.read_text()
    block = text[text.index("\n    TimeZone:\n") :]
    block = block[: re.search(r"\n    [A-Za-z]", block[1:]).start() + 1]  # up to the next schema
    zones = re.findall(r"^\s+- (\S+)$", block, re.M)
    assert len(zones) >= 140
    for zone in zones:
        iana = iana_for_xero(zone)
        assert iana, zone
        ZoneInfo(iana)
