"""Fixtures for the Accounting API tests: a running sandbox, and validated clients for two organisations.

The sandbox runs with `--limits off`: Xero's 60 calls a minute per organisation would otherwise throttle
this suite, which makes a few hundred calls (the limits have tests of their own).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sandbox.xero_api.client import XeroApi
from tests.sandbox.xero_api.spec import accounting_validator, require_specs
from tests.sandbox.xero_helpers import connect, connect_custom
from tests.sandboxes import start_sandbox


@pytest.fixture(scope="session")
def accounting_sandbox(tmp_path_factory):
    require_specs()
    running = start_sandbox(tmp_path_factory.mktemp("accounting-sandbox"), "--limits", "off")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def api(accounting_sandbox) -> Iterator[XeroApi]:
    """Oakwood Trading (New Zealand, NZD, GST 15%) through the web app."""
    accounting_validator()
    client = XeroApi(accounting_sandbox, connect(accounting_sandbox, app_kind="web", tenant_index=0))
    yield client
    client.close()  # an open keep-alive connection would hold up the sandbox's shutdown


@pytest.fixture(scope="session")
def au_api(accounting_sandbox) -> Iterator[XeroApi]:
    """Bayside Wholesale (Australia, AUD, GST 10%, invoice numbers BW-) through the PKCE app."""
    client = XeroApi(accounting_sandbox, connect(accounting_sandbox, app_kind="pkce", tenant_index=1))
    yield client
    client.close()


@pytest.fixture(scope="session")
def custom_api(accounting_sandbox) -> Iterator[XeroApi]:
    """Oakwood Trading again, through the custom connection (another app, client credentials)."""
    client = XeroApi(accounting_sandbox, connect_custom(accounting_sandbox))
    yield client
    client.close()
