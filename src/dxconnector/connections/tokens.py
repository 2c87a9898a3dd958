"""Each side's tokens, kept in the database, encrypted: Xero's pair (the SDK reads them and saves rotated ones here)
and Microsoft's sign-in (MSAL's token cache, from which tokens for the organisation come silently)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from dxconnector.connections.models import DynamicsConnection, XeroConnection
from dxconnector.dynamics import auth
from dxconnector.xero.auth import TokenSet


class DatabaseTokenStore:
    def __init__(self, xero_connection_id: int):
        self.pk = xero_connection_id

    def load(self) -> TokenSet:
        return _tokens_of(XeroConnection.objects.get(pk=self.pk))

    def save(self, tokens: TokenSet, replacing: str | None = None) -> TokenSet:
        """Both tokens and the expiry in one write: never a new access token with an old refresh token. With `replacing`
        (the refresh token these tokens were refreshed from), a compare-and-swap: they are stored only if that is still
        the stored refresh token; if it changed meanwhile (the admin reconnected, another process refreshed), what is
        stored stays. Returns the tokens stored now."""
        with transaction.atomic():
            row = XeroConnection.objects.select_for_update().get(pk=self.pk)
            if replacing is not None and row.refresh_token != replacing:
                return _tokens_of(row)
            row.access_token, row.refresh_token, row.id_token = tokens.access_token, tokens.refresh_token, tokens.id_token
            row.expires_at = datetime.fromtimestamp(tokens.expires_at, UTC)
            row.scope = tokens.scope
            row.tokens_saved_at = timezone.now()
            row.save(update_fields=["access_token", "refresh_token", "id_token", "expires_at", "scope", "tokens_saved_at"])
        return tokens


def _tokens_of(row: XeroConnection) -> TokenSet:
    return TokenSet(row.access_token, row.refresh_token, row.expires_at.timestamp(), row.scope, row.id_token)


def dynamics_token(dynamics: DynamicsConnection, org_url: str | None = None) -> auth.AccessToken:
    """A token for the organisation, silently; a refreshed token cache is saved back at once."""
    config = auth.DynamicsOAuthConfig.from_settings()
    url = org_url or dynamics.org_url
    if dynamics.mode == DynamicsConnection.Mode.APP:
        return auth.app_token(config, dynamics.tenant_id, url)
    current = DynamicsConnection.objects.get(pk=dynamics.pk)
    token, changed_cache = auth.silent_token(config, current.token_cache, current.home_account_id, auth.user_scope(url))
    if changed_cache is not None:
        DynamicsConnection.objects.filter(pk=dynamics.pk).update(token_cache=changed_cache)
    return token
