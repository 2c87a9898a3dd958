"""Reading what the connector shows its operators, in tests: a /metrics scrape, and its log lines as configured."""

from __future__ import annotations

import copy
import io
import json
import logging
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scraped(text: str) -> Samples:
    """Every sample of a scrape by name and labels (sorted)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


class Lines(list[str]):
    def parsed(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self]


@contextmanager
def captured_logs(level: str = "DEBUG", fmt: str = "json", *, quiet: bool = True) -> Iterator[Lines]:
    """The settings' own LOGGING (its handler, filters, formatters and quiet loggers), with the root and Django's loggers
    at `level` as `LOG_LEVEL` sets them, writing to a buffer: the lines as an operator would read them. `quiet=False`
    lets the loggers the settings keep quiet (the HTTP libraries') say everything too."""
    buffer = io.StringIO()
    configured = copy.deepcopy(settings.LOGGING)
    configured["handlers"]["console"].update(stream=buffer, formatter=fmt)
    configured["root"]["level"] = level
    configured["loggers"]["django"]["level"] = level
    if not quiet:
        configured["loggers"] = {name: {**logger, "level": level} for name, logger in configured["loggers"].items()}
    lines = Lines()
    logging.config.dictConfig(configured)
    try:
        yield lines
    finally:
        logging.config.dictConfig(settings.LOGGING)
        lines.extend(line for line in buffer.getvalue().splitlines() if line)
