"""Xero's tokens in the database: a refresh saves its tokens only over the refresh token it used, so a reconnect that
lands while a worker refreshes keeps its new grant. Against the Xero sandbox: real grants, real refreshes."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from dxconnector.connections.models import XeroConnection
from dxconnector.connections.tokens import DatabaseTokenStore
from dxconnector.xero.auth import TokenSet
from dxconnector.xero.client import MemoryTokenStore, XeroClient
from dxconnector.xero.limits import RateGovernor
from tests.base import BaseTestCase
from tests.sandboxes import xero_api_config, xero_tokens


def store_grant(xero: XeroConnection, tokens: TokenSet) -> None:
    """What a reconnect writes (portal.xero_connect): the new grant's tokens over whatever was there."""
    XeroConnection.objects.filter(pk=xero.pk).update(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        id_token=tokens.id_token,
        expires_at=datetime.fromtimestamp(tokens.expires_at, UTC),
        scope=tokens.scope,
    )


class ReconnectAfterLoad(DatabaseTokenStore):
    """The connection's own store, and the admin reconnecting (a new grant stored) just after the client's first load:
    between the SDK reading the tokens it refreshes and the saving of the refreshed ones."""

    def __init__(self, xero: XeroConnection, new_grant: TokenSet):
        super().__init__(xero.pk)
        self.xero, self.new_grant = xero, new_grant
        self.reconnected = False

    def load(self) -> TokenSet:
        loaded = super().load()
        if not self.reconnected:
            store_grant(self.xero, self.new_grant)
            self.reconnected = True
        return loaded


class TokenRaceTestCase(BaseTestCase):
    @pytest.fixture(autouse=True)
    def _use_sandbox(self, sandbox):
        self.sandbox = sandbox

    def connected(self, tokens: TokenSet, tenant_id: str) -> XeroConnection:
        return XeroConnection.objects.create(
            connection=self.connection,
            tenant_id=tenant_id,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            id_token=tokens.id_token,
            expires_at=datetime.fromtimestamp(time.time() - 10, UTC),  # expired: the next call refreshes first
            scope=tokens.scope,
        )

    def test_a_reconnect_during_a_workers_refresh_keeps_the_new_grant(self):
        old_grant, [tenant_id] = xero_tokens(self.sandbox)
        new_grant, _ = xero_tokens(self.sandbox)  # the admin reconnects: a second consent, a grant of its own
        xero = self.connected(old_grant, tenant_id)
        store = ReconnectAfterLoad(xero, new_grant)
        client = XeroClient(xero_api_config(self.sandbox), store, tenant_id, governor=RateGovernor())

        organisation = client.organisation()  # refreshes the old grant at the sandbox, then calls

        self.assertTrue(store.reconnected)
        self.assertTrue(organisation.name)
        kept = DatabaseTokenStore(xero.pk).load()
        self.assertEqual(kept.refresh_token, new_grant.refresh_token, "the refresh of the old grant was written over the new one")
        self.assertEqual(kept.access_token, new_grant.access_token)
        self.assertEqual(client.api_client.configuration.oauth2_token.access_token, new_grant.access_token)

    def test_a_refresh_with_nothing_changed_meanwhile_is_saved(self):
        grant, [tenant_id] = xero_tokens(self.sandbox)
        xero = self.connected(grant, tenant_id)
        client = XeroClient(xero_api_config(self.sandbox), DatabaseTokenStore(xero.pk), tenant_id, governor=RateGovernor())
        client.organisation()
        saved = DatabaseTokenStore(xero.pk).load()
        self.assertNotEqual(saved.refresh_token, grant.refresh_token)
        self.assertGreater(saved.expires_at, time.time() + 1000)


def test_the_memory_store_swaps_only_over_the_refresh_token_it_was_given():
    first = TokenSet("access-1", "refresh-1", time.time() + 1800, "openid")
    store = MemoryTokenStore(first)
    second = TokenSet("access-2", "refresh-2", time.time() + 1800, "openid")
    assert store.save(second, replacing="refresh-0") == first
    assert store.save(second, replacing="refresh-1") == second
    assert store.save(first) == first  # no refresh token named: a plain write
