"""The time zones a person picks from: the current IANA names only (those the tz database lists for a country, and UTC),
never the old aliases it keeps for compatibility ("US/Pacific", "GB", "Asia/Calcutta"). An alias typed or stored is
read as the zone it stands for."""

from __future__ import annotations

from functools import cache
from importlib import resources


def _tzdata_text(name: str) -> str:
    return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")


@cache
def current_zones() -> tuple[str, ...]:
    """UTC, then every zone of zone.tab (one or more per country, the names in use today), sorted."""
    zones = {line.split("\t")[2] for line in _tzdata_text("zone.tab").splitlines() if line and not line.startswith("#")}
    return ("UTC", *sorted(zones))


@cache
def _aliases() -> dict[str, str]:
    """Old name → the zone it now stands for, from the database's link lines ("L Europe/London GB")."""
    links = {}
    for line in _tzdata_text("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            links[alias] = target
    return links


@cache
def _by_folded_name() -> dict[str, str]:
    """Every name a person may type, folded (any case, spaces for underscores), → the current zone."""
    names = {**_aliases(), "Etc/UTC": "UTC", **{zone: zone for zone in current_zones()}}
    return {_fold(name): names.get(target, target) for name, target in names.items()}


def _fold(name: str) -> str:
    return name.strip().replace(" ", "_").casefold()


def current_name(typed: str) -> str | None:
    """The current zone for what was typed ("pacific/auckland", "Europe/London", "GB" → "Europe/London"), or None."""
    found = _by_folded_name().get(_fold(typed))
    return found if found in current_zones() else None


def place_name(zone: str) -> str:
    """How a zone reads in a list: its place, then the region ("Buenos Aires (America/Argentina)"); UTC as it is."""
    region, _, place = zone.rpartition("/")
    place = place.replace("_", " ")
    return f"{place} ({region.replace('_', ' ')})" if region else place
