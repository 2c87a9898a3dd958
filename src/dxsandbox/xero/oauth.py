"""The Xero sandbox's identity logic: apps, users, consent, codes, tokens, connections. No HTTP here.

Behaviour follows Xero: access tokens last 30 minutes; refresh tokens rotate on every use, expire after
60 days unused, and the previous one keeps working for a 30-minute grace period (it then answers with
the same successor, so a client that lost a refresh response recovers exactly); codes are single-use.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dxsandbox.common.redirects import redirect_uri_allowed
from dxsandbox.common.signing import SigningKey
from dxsandbox.common.store import DocumentStore
from dxsandbox.xero import seed

GLOBAL = "_"  # the store's tenant for identity records, which belong to no organisation
XERO_ISSUER = "https://identity.xero.com"
SHORT_CODE_CHARACTERS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"


@dataclass
class IdentitySettings:
    access_token_seconds: int = 1800
    refresh_token_seconds: int = 60 * 24 * 3600
    refresh_grace_seconds: int = 1800
    code_seconds: int = 300


class OAuthError(Exception):
    def __init__(self, error: str, description: str = "", status: int = 400):
        self.error, self.description, self.status = error, description, status
        super().__init__(f"{error}: {description}")

    def body(self) -> dict[str, str]:
        return {"error": self.error, **({"error_description": self.description} if self.description else {})}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def xero_datetime(epoch: float) -> str:
    """Connections carry ISO dates with no zone and seven fractional digits."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


class XeroIdentity:
    def __init__(self, store: DocumentStore, settings: IdentitySettings | None = None, now=time.time):
        self.store = store
        self.settings = settings or IdentitySettings()
        self.now = now
        # Where the identity host is served: the `iss` of the tokens and the base of the OpenID configuration (the
        # sandbox sets it once its hosts have ports; a token's signature, not its issuer, is what the API checks).
        self.issuer = XERO_ISSUER
        self.login_url = "https://login.xero.com"
        # Xero signs its access and id tokens with RS256 and publishes the keys (JWKS); so does the sandbox.
        self._signing_key = SigningKey.kept_in(self.store, "identity:rsa_signing_key")
        self._seed()
        self._index_connections()

    # --- directory -----------------------------------------------------------------
    def jwks(self) -> dict[str, Any]:
        return {"keys": [{**self._signing_key.jwk(), "alg": "RS256"}]}

    def _seed(self) -> None:
        if self.store.get_value("identity:seeded"):
            return
        with self.store.transaction():
            for app in seed.APPS:
                self.store.put("app", GLOBAL, app["client_id"], app, updated=self.now())
            for user in seed.USERS:
                self.store.put("user", GLOBAL, user["user_id"], user, number=user["email"], updated=self.now())
            for org in seed.ORGANISATIONS:
                self.store.put("organisation", GLOBAL, org["tenant_id"], org, updated=self.now())
            self.store.set_value("identity:seeded", True)

    def app(self, client_id: str) -> dict[str, Any] | None:
        return self.store.get("app", GLOBAL, client_id or "")

    def apps(self) -> list[dict[str, Any]]:
        return self.store.list("app", GLOBAL)

    def update_app(self, client_id: str, **changes: Any) -> dict[str, Any]:
        app = self.app(client_id)
        if app is None:
            raise KeyError(client_id)
        app.update(changes)
        self.store.put("app", GLOBAL, client_id, app, updated=self.now())
        return app

    def users(self) -> list[dict[str, Any]]:
        return self.store.list("user", GLOBAL)

    def user(self, user_id: str) -> dict[str, Any] | None:
        return self.store.get("user", GLOBAL, user_id)

    def organisations(self) -> list[dict[str, Any]]:
        return self.store.list("organisation", GLOBAL)

    def organisation(self, tenant_id: str) -> dict[str, Any] | None:
        return self.store.get("organisation", GLOBAL, tenant_id)

    def user_by_email(self, email: str) -> dict[str, Any] | None:
        found = self.store.get_by_number("user", GLOBAL, email.strip().lower())
        return found[0] if found else None

    def create_organisation(self, name: str, country_code: str, user_emails: list[str]) -> dict[str, Any]:
        """A new organisation of `country_code` (one of seed.NEW_ORGANISATION_DEFAULTS), which the users named by
        `user_emails` may then choose on the consent page. Its books are the caller's to seed (the identity keeps
        none). Raises ValueError for an unknown country or user, before anything is stored."""
        defaults = seed.NEW_ORGANISATION_DEFAULTS.get(country_code)
        if defaults is None:
            raise ValueError(f"country_code is one of {', '.join(seed.NEW_ORGANISATION_DEFAULTS)}")
        if not name.strip():
            raise ValueError("name is the organisation's name, not empty")
        users = self._users_named(user_emails)
        organisation = {
            "tenant_id": str(uuid.uuid4()),
            "name": name.strip(),
            "short_code": self._new_short_code(),
            "country_code": country_code,
            **defaults,
        }
        with self.store.transaction():
            self.store.put("organisation", GLOBAL, organisation["tenant_id"], organisation, updated=self.now())
            for user in users:
                user["tenant_ids"] = [*user["tenant_ids"], organisation["tenant_id"]]
                self.store.put("user", GLOBAL, user["user_id"], user, number=user["email"], updated=self.now())
        return organisation

    def _users_named(self, emails: list[str]) -> list[dict[str, Any]]:
        found = {email: self.user_by_email(email) for email in emails}
        unknown = [email for email, user in found.items() if user is None]
        if unknown:
            raise ValueError(f"no such user: {', '.join(unknown)}")
        return [user for user in found.values() if user is not None]

    def _new_short_code(self) -> str:
        """Xero's short codes look like `!Oak01`: a `!` and five letters or digits, unique to the organisation."""
        taken = {org["short_code"] for org in self.organisations()}
        while True:
            code = "!" + "".join(secrets.choice(SHORT_CODE_CHARACTERS) for _ in range(5))
            if code not in taken:
                return code

    def sign_in(self, email: str, password: str) -> dict[str, Any] | None:
        for user in self.store.get_by_number("user", GLOBAL, email.strip().lower()):
            if secrets.compare_digest(user["password"], password):
                return user
        return None

    # --- authorize ------------------------------------------------------------------
    def check_authorize_request(self, client_id: str, redirect_uri: str, response_type: str) -> dict[str, Any]:
        """Errors here are shown on the page, never redirected (the redirect URI is not yet trusted)."""
        app = self.app(client_id)
        if app is None or app["kind"] == "custom":
            raise OAuthError("unauthorized_client", "Unknown client or client not enabled for this flow")
        if not redirect_uri_allowed(app["redirect_uris"], redirect_uri):
            raise OAuthError("invalid_request", "Invalid redirect_uri")
        if response_type != "code":
            raise OAuthError("unsupported_response_type", "response_type must be code")
        return app

    def issue_code(
        self,
        *,
        client_id: str,
        user_id: str,
        tenant_ids: list[str],
        scope: str,
        redirect_uri: str,
        code_challenge: str | None,
        code_challenge_method: str | None,
    ) -> str:
        code = secrets.token_urlsafe(32)
        self.store.put(
            "code",
            GLOBAL,
            _hash(code),
            {
                "client_id": client_id,
                "user_id": user_id,
                "tenant_ids": tenant_ids,
                "scope": scope,
                "redirect_uri": redirect_uri,
                "code_challenge": code_challenge,
                "code_challenge_method": code_challenge_method or ("plain" if code_challenge else None),
                "expires_at": self.now() + self.settings.code_seconds,
            },
            updated=self.now(),
        )
        return code

    # --- token endpoint ---------------------------------------------------------------
    def authenticate_client(self, client_id: str, client_secret: str | None, *, allow_public: bool) -> dict[str, Any]:
        app = self.app(client_id)
        if app is None:
            raise OAuthError("invalid_client")
        if app["client_secret"] is None:
            if not allow_public:
                raise OAuthError("invalid_client")
            return app
        if not client_secret or not secrets.compare_digest(app["client_secret"], client_secret):
            raise OAuthError("invalid_client")
        return app

    def exchange_code(self, app: dict[str, Any], code: str, redirect_uri: str, code_verifier: str | None) -> dict[str, Any]:
        with self.store.transaction():
            record = self.store.get("code", GLOBAL, _hash(code or ""))
            if record is None or record["client_id"] != app["client_id"]:
                raise OAuthError("invalid_grant")
            self.store.delete("code", GLOBAL, _hash(code))  # single use, whatever happens next
        if record["expires_at"] < self.now() or record["redirect_uri"] != redirect_uri:
            raise OAuthError("invalid_grant")
        if record["code_challenge"]:
            if not code_verifier or not _pkce_matches(record["code_challenge"], record["code_challenge_method"], code_verifier):
                raise OAuthError("invalid_grant", "Invalid code_verifier")
        elif app["client_secret"] is None:
            raise OAuthError("invalid_grant", "PKCE is required for this client")
        grant = self._new_grant(app["client_id"], record["user_id"], record["scope"])
        self._connect(grant, record["tenant_ids"])
        return self._issue_tokens(grant, with_refresh="offline_access" in record["scope"].split())

    def refresh(self, app: dict[str, Any], refresh_token: str) -> dict[str, Any]:
        with self.store.transaction():
            record = self.store.get("refresh_token", GLOBAL, _hash(refresh_token or ""))
            if record is None or record["client_id"] != app["client_id"]:
                raise OAuthError("invalid_grant")
            grant = self.store.get("grant", GLOBAL, record["grant_id"])
            now = self.now()
            if grant is None or grant.get("revoked"):
                raise OAuthError("invalid_grant")
            if record.get("successor") is not None:
                if now - record["rotated_at"] <= self.settings.refresh_grace_seconds:
                    return record["successor"]  # the lost-response grace period
                raise OAuthError("invalid_grant")
            if now - record["last_used"] > self.settings.refresh_token_seconds:
                raise OAuthError("invalid_grant")
            tokens = self._issue_tokens(grant, with_refresh=True)
            record.update(successor=tokens, rotated_at=now)
            self.store.put("refresh_token", GLOBAL, _hash(refresh_token), record, updated=now)
            return tokens

    def client_credentials(self, app: dict[str, Any], scope: str) -> dict[str, Any]:
        if app["kind"] != "custom":
            raise OAuthError("unauthorized_client", "client_credentials is for custom connections")
        grant = self._new_grant(app["client_id"], None, scope or seed.SCOPES_BROAD)
        self._connect(grant, [app["tenant_id"]])
        return self._issue_tokens(grant, with_refresh=False)

    def revoke(self, app: dict[str, Any], token: str) -> None:
        record = self.store.get("refresh_token", GLOBAL, _hash(token or ""))
        if record is None or record["client_id"] != app["client_id"]:
            return  # RFC 7009: unknown tokens are not an error
        grant = self.store.get("grant", GLOBAL, record["grant_id"])
        if grant is not None:
            grant["revoked"] = True
            self.store.put("grant", GLOBAL, grant["grant_id"], grant, updated=self.now())

    # --- bearer tokens and connections ---------------------------------------------------
    def grant_for_access_token(self, access_token: str) -> dict[str, Any] | None:
        claims = self._signing_key.verify(access_token)
        if claims is None or claims.get("exp", 0) < self.now():
            return None
        grant = self.store.get("grant", GLOBAL, claims.get("grant_id", ""))
        if grant is None or grant.get("revoked"):
            return None
        return grant

    def connections(self, grant: dict[str, Any]) -> list[dict[str, Any]]:
        """The connections of the grant's app and user: looked up by their index (every API call asks, and a sandbox
        may hold hundreds of organisations connected to one user)."""
        return self.store.get_by_number("connection", GLOBAL, _connection_key(grant["client_id"], grant["user_id"]))

    def client_ids_connected_to(self, tenant_id: str) -> set[str]:
        """The apps holding a connection to this organisation (whoever consented)."""
        return {c["_client_id"] for c in self.store.list("connection", GLOBAL) if c["tenantId"] == tenant_id}

    def tenant_allowed(self, grant: dict[str, Any], tenant_id: str) -> bool:
        return any(c["tenantId"] == tenant_id for c in self.connections(grant))

    def delete_connection(self, grant: dict[str, Any], connection_id: str) -> bool:
        for connection in self.connections(grant):
            if connection["id"].lower() == connection_id.lower():
                return self.store.delete("connection", GLOBAL, connection["id"])
        return False

    @staticmethod
    def public_connection(connection: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in connection.items() if not k.startswith("_")}

    # --- internals -------------------------------------------------------------------
    def _new_grant(self, client_id: str, user_id: str | None, scope: str) -> dict[str, Any]:
        grant = {
            "grant_id": str(uuid.uuid4()),
            "client_id": client_id,
            "user_id": user_id,
            "scope": scope,
            "auth_event_id": str(uuid.uuid4()),
            "created": self.now(),
            "revoked": False,
        }
        self.store.put("grant", GLOBAL, grant["grant_id"], grant, updated=self.now())
        return grant

    def _connect(self, grant: dict[str, Any], tenant_ids: list[str]) -> None:
        """Consenting again to a tenant refreshes its existing connection; new tenants get new ones."""
        existing = {c["tenantId"]: c for c in self.connections(grant)}
        now = self.now()
        for tenant_id in tenant_ids:
            org = self.organisation(tenant_id)
            connection = existing.get(tenant_id) or {
                "id": str(uuid.uuid4()),
                "tenantId": tenant_id,
                "tenantType": "ORGANISATION",
                "createdDateUtc": xero_datetime(now),
                "_client_id": grant["client_id"],
                "_user_id": grant["user_id"],
            }
            connection.update(
                authEventId=grant["auth_event_id"],
                tenantName=org["name"] if org else tenant_id,
                updatedDateUtc=xero_datetime(now),
            )
            self._put_connection(connection, now)

    def _put_connection(self, connection: dict[str, Any], now: float) -> None:
        key = _connection_key(connection["_client_id"], connection["_user_id"])
        self.store.put("connection", GLOBAL, connection["id"], connection, number=key, updated=now)

    def _index_connections(self) -> None:
        """Connections stored before they were indexed by app and user (a sandbox's state from an older version) get
        their index, once."""
        if self.store.get_value("identity:connections-indexed"):
            return
        with self.store.transaction():
            for connection in self.store.list("connection", GLOBAL):
                self._put_connection(connection, self.now())
            self.store.set_value("identity:connections-indexed", True)

    def _issue_tokens(self, grant: dict[str, Any], *, with_refresh: bool) -> dict[str, Any]:
        now = self.now()
        claims = {
            "iss": self.issuer,
            "nbf": int(now),
            "exp": int(now + self.settings.access_token_seconds),
            "client_id": grant["client_id"],
            "xero_userid": grant["user_id"],
            "authentication_event_id": grant["auth_event_id"],
            "grant_id": grant["grant_id"],
            "scope": grant["scope"].split(),
            "jti": uuid.uuid4().hex,
        }
        tokens: dict[str, Any] = {
            "access_token": self._signing_key.sign(claims),
            "expires_in": self.settings.access_token_seconds,
            "token_type": "Bearer",
            "scope": grant["scope"],
        }
        if grant["user_id"] and "openid" in grant["scope"].split():
            user = self.user(grant["user_id"]) or {}
            tokens["id_token"] = self._signing_key.sign(
                {
                    "iss": self.issuer,
                    "aud": grant["client_id"],
                    "sub": grant["user_id"],
                    "nbf": int(now),
                    "iat": int(now),
                    "exp": int(now + 300),
                    "auth_time": int(now),
                    "idp": "Xero",
                    "amr": ["pwd"],
                    "sid": grant["auth_event_id"],
                    "global_session_id": grant["auth_event_id"],
                    "preferred_username": user.get("email"),
                    "email": user.get("email"),
                    "given_name": user.get("first_name"),
                    "family_name": user.get("last_name"),
                    "xero_userid": grant["user_id"],
                }
            )
        if with_refresh:
            refresh = secrets.token_urlsafe(48)
            self.store.put(
                "refresh_token",
                GLOBAL,
                _hash(refresh),
                {
                    "grant_id": grant["grant_id"],
                    "client_id": grant["client_id"],
                    "last_used": now,
                    "successor": None,
                },
                updated=now,
            )
            tokens["refresh_token"] = refresh
        return tokens


def _connection_key(client_id: str, user_id: str | None) -> str:
    """The index of an app's connections for one user (none for a custom connection's, which has no user)."""
    return f"{client_id}|{user_id or ''}"


def _pkce_matches(challenge: str, method: str | None, verifier: str) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        return secrets.compare_digest(base64.urlsafe_b64encode(digest).rstrip(b"=").decode(), challenge)
    return secrets.compare_digest(verifier, challenge)
