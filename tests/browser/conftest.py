"""Headless Debian Chromium driven by Playwright (its own browser download cannot be fetched here), and what the
browser tests check on every page state they reach: axe-core's accessibility rules, the page's width on a phone, and a
screenshot for a reviewer."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without these, Chromium keeps trying to reach Google's services, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# axe-core's impacts that fail a test; "moderate" and "minor" ones are reported by axe but not counted here.
FAILING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.BASE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server, settings):
    """A page in a phone-sized window (390×844, an iPhone 12 to 15)."""
    settings.BASE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@cache
def _axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def axe_violations(page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now (axe.min.js is injected into it)."""
    results = _axe().run(page)
    return [violation for violation in results.response["violations"] if violation["impact"] in FAILING_IMPACTS]


def describe_violations(label: str, violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{label}: {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]} -- {summary[:240]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def axe_check(page, label: str) -> None:
    """Fail when axe-core finds a serious or critical violation on the page, naming each with its elements."""
    violations = axe_violations(page)
    assert not violations, describe_violations(label, violations)


def horizontal_overflow(page) -> int:
    """How many pixels the document is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


# The innermost elements reaching past the window's right edge, for the message of a page too wide.
WIDE_ELEMENTS = """() => [...document.body.querySelectorAll("*")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && e.children.length === 0)
  .slice(0, 5)
  .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + String(e.className).trim().replace(/ +/g, ".") : ""}`
    + ` (right edge at ${Math.round(e.getBoundingClientRect().right)}px)`)"""


class Audit:
    """Looks at each page state a test reaches and keeps what it finds, for one assertion at the end: axe-core's
    serious and critical violations, on the portal's own pages whether the document is wider than the window, and a
    full-page screenshot under test-artifacts/<folder>/ numbered in the order the states were reached."""

    def __init__(self, portal_url: str | None, folder: str):
        self.portal_url = portal_url
        self.folder = ARTIFACTS / folder
        for old in self.folder.glob("*.png"):  # a previous run's, numbered differently
            old.unlink()
        self.problems: list[str] = []
        self.seen: list[str] = []

    def look(self, page, label: str) -> None:
        self.seen.append(label)
        name = f"{len(self.seen):02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}"
        violations = self._settled(page, axe_violations)
        if violations:
            self.problems.append(describe_violations(f"{label} ({page.url})", violations))
        if self.portal_url and page.url.startswith(self.portal_url):
            overflow = self._settled(page, horizontal_overflow)
            if overflow:
                wide = ", ".join(page.evaluate(WIDE_ELEMENTS))
                self.problems.append(f"{label} ({page.url}): the page is {overflow}px wider than the window: {wide}")
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)

    @staticmethod
    def _settled(page, check):
        """`check(page)` once the page has loaded, again if a navigation it did not wait for (a key pressed on a
        button or link) replaced the page meanwhile."""
        from playwright.sync_api import Error

        for attempt in range(3):
            page.wait_for_load_state()
            try:
                return check(page)
            except Error as error:
                if "context was destroyed" not in str(error) or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def assert_clean(self) -> None:
        assert self.seen, "no page state was looked at"
        assert not self.problems, f"{len(self.problems)} of {len(self.seen)} page states have problems:\n" + "\n".join(
            self.problems
        )


@pytest.fixture
def screenshot(page, request):
    """Call to keep a picture of the current page under test-artifacts/."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory, request):
    """A fresh sandbox for the test module: no solution imported anywhere yet, whatever other tests did."""
    from tests.sandboxes import start_sandbox

    running = start_sandbox(tmp_path_factory.mktemp(f"{request.module.__name__.rsplit('.', 1)[-1]}-sandbox"), "--limits", "off")
    yield running
    running.stop()


@pytest.fixture
def dynamics(browser, sandbox):
    """The sandbox's Dynamics app in a browser context of its own (not the live server the `page` fixture serves, and
    its session cookie is not the portal's)."""
    context = browser.new_context(base_url=sandbox.manifest["microsoft"]["app_url"])
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
