"""Entra ID for the Microsoft sandbox: directory, consent, codes, tokens and their validation. No HTTP here.

Behaviour follows Entra:
- access tokens live 60–75 minutes (Entra picks a random lifetime too); codes 10 minutes, single use;
- refresh tokens are multi-resource: signing in once (for Global Discovery, say) yields tokens for any
  resource of an API the user consented to, so an organisation found later needs no new sign-in;
- every refresh returns a new refresh token and the old one stays valid (Entra does not revoke on use);
  90 days without use ends one;
- Dataverse and Global Discovery accept v1 access tokens (`upn`, `appid`, `scp`); ID tokens are v2.

Resources are origins such as https://127.0.0.1:9414 (the sandbox serves each organisation on its own
port); a scope is the origin plus a permission: `https://127.0.0.1:9414/user_impersonation` or `/.default`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from dxsandbox.common.redirects import redirect_uri_allowed
from dxsandbox.common.signing import SigningKey
from dxsandbox.common.store import DocumentStore
from dxsandbox.microsoft import errors, seed

GLOBAL = "_"  # the store's tenant for identity records
OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
MULTI_TENANT = ("common", "organizations")
RESPONSE_MODES = ("query", "fragment", "form_post")
PERMISSION = "user_impersonation"  # the one delegated permission of the Dynamics CRM API
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
CLOCK_SKEW = 300


@dataclass
class IdentitySettings:
    access_token_min_seconds: int = 3600
    access_token_max_seconds: int = 4500
    id_token_seconds: int = 3600
    code_seconds: int = 600
    refresh_token_idle_seconds: int = 90 * 24 * 3600


@dataclass(frozen=True)
class Resource:
    url: str  # the audience: an origin such as https://127.0.0.1:9414
    kind: str  # "dataverse" or "discovery"
    organisation_id: str | None = None


@dataclass(frozen=True)
class TenantPath:
    segment: str  # as written in the URL: a tenant id, a domain, `common` or `organizations`
    tenant_id: str | None  # None for `common` and `organizations`

    def admits(self, tenant_id: str) -> bool:
        return self.tenant_id is None or self.tenant_id == tenant_id


@dataclass(frozen=True)
class ScopeRequest:
    oidc: tuple[str, ...]  # openid, profile, email, offline_access, as asked
    resource: Resource | None
    asked: tuple[str, ...] = ()  # the resource scopes exactly as written (MSAL's cache matches on them)

    @property
    def text(self) -> str:
        return " ".join(self.asked + self.oidc)

    def granted(self) -> str:
        """The response's `scope`: what was asked, plus the permission a `/.default` stands for."""
        scopes = list(self.asked)
        for scope in self.asked:
            implied = scope[: -len(".default")] + PERMISSION if scope.endswith("/.default") else scope
            if implied not in scopes:
                scopes.append(implied)
        return " ".join(scopes + list(self.oidc))


@dataclass
class AuthorizationRequest:
    """A checked /authorize request, held while the person signs in and consents."""

    tenant: TenantPath
    app: dict[str, Any]
    redirect_uri: str
    scopes: ScopeRequest
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    response_mode: str = "query"
    prompt: str | None = None
    login_hint: str | None = None
    max_age: int | None = None
    client_info: bool = False
    created: float = field(default_factory=time.time)


def canonical_origin(url: str) -> str | None:
    """`https://host:port` with loopback names folded together, or None for something that is no origin."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = "127.0.0.1" if parts.hostname in LOOPBACK_HOSTS else parts.hostname.lower()
    return f"{parts.scheme}://{host}:{port}"


def split_resource_scope(scope: str) -> tuple[str, str] | None:
    """(origin, permission) for `https://host:port/permission`; real resources end in '/', hence the `//` form."""
    parts = urlsplit(scope)
    permission = parts.path.lstrip("/")
    origin = canonical_origin(f"{parts.scheme}://{parts.netloc}") if parts.netloc else None
    if parts.scheme != "https" or origin is None or parts.query or parts.fragment or not permission or "/" in permission:
        return None
    return origin, permission


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _pairwise(object_id: str, audience: str) -> str:
    """Entra's `sub`: stable for a user, different for each app that sees it."""
    return _b64(hashlib.sha256(f"{object_id}:{audience}".encode()).digest())[:43]


def _pkce_matches(challenge: str, method: str | None, verifier: str) -> bool:
    if method == "S256":
        return secrets.compare_digest(_b64(hashlib.sha256(verifier.encode()).digest()), challenge)
    return secrets.compare_digest(verifier, challenge)


class MicrosoftIdentity:
    """The directory and token service; also the `TokenValidator` the Dataverse and discovery hosts use."""

    def __init__(self, store: DocumentStore, settings: IdentitySettings | None = None, now: Callable[[], float] = time.time):
        self.store = store
        self.settings = settings or IdentitySettings()
        self.now = now
        self.login_url = ""  # the sign-in pages' origin (plain http)
        self.identity_url = ""  # the token endpoint's origin (https), also the tokens' issuer
        self._resources: dict[str, Resource] = {}
        self._key = SigningKey.kept_in(self.store, "identity:signing_key")
        self._seed()

    # --- set-up ------------------------------------------------------------------------
    def configure(self, *, login_url: str, identity_url: str) -> None:
        self.login_url, self.identity_url = login_url.rstrip("/"), identity_url.rstrip("/")

    def add_resource(self, url: str, kind: str, organisation_id: str | None = None) -> Resource:
        origin = canonical_origin(url)
        if origin is None:
            raise ValueError(f"not an origin: {url}")
        resource = Resource(origin, kind, organisation_id)
        self._resources[origin] = resource
        return resource

    def resource(self, url: str) -> Resource | None:
        origin = canonical_origin(url)
        return self._resources.get(origin) if origin else None

    def organisation_url(self, organisation_id: str) -> str | None:
        return next((r.url for r in self._resources.values() if r.organisation_id == organisation_id), None)

    def _seed(self) -> None:
        if self.store.get_value("identity:seeded"):
            return
        now = self.now()
        with self.store.transaction():
            for tenant in seed.TENANTS:
                self.store.put("tenant", GLOBAL, tenant["tenant_id"], tenant, number=tenant["domain"], updated=now)
            for user in seed.USERS:
                self.store.put("user", GLOBAL, user["object_id"], user, number=user["upn"].lower(), updated=now)
            for app in seed.APPS:
                self.store.put("app", GLOBAL, app["client_id"], app, updated=now)
            for org in seed.ORGANISATIONS:
                self.store.put("organisation", GLOBAL, org["id"], org, number=org["unique_name"], updated=now)
            self.store.set_value("identity:seeded", True)

    # --- directory -----------------------------------------------------------------------
    def tenants(self) -> list[dict[str, Any]]:
        return self.store.list("tenant", GLOBAL)

    def tenant(self, id_or_domain: str) -> dict[str, Any] | None:
        key = (id_or_domain or "").lower()
        return self.store.get("tenant", GLOBAL, key) or next(iter(self.store.get_by_number("tenant", GLOBAL, key)), None)

    def users(self) -> list[dict[str, Any]]:
        return self.store.list("user", GLOBAL)

    def user(self, object_id: str) -> dict[str, Any] | None:
        return self.store.get("user", GLOBAL, object_id or "")

    def apps(self) -> list[dict[str, Any]]:
        return self.store.list("app", GLOBAL)

    def app(self, client_id: str) -> dict[str, Any] | None:
        return self.store.get("app", GLOBAL, (client_id or "").lower())

    def organisations(self) -> list[dict[str, Any]]:
        return self.store.list("organisation", GLOBAL)

    def organisation(self, organisation_id: str) -> dict[str, Any] | None:
        return self.store.get("organisation", GLOBAL, (organisation_id or "").lower())

    def organisations_of(self, user: dict[str, Any]) -> list[dict[str, Any]]:
        return [org for org in self.organisations() if org["unique_name"] in user["roles"]]

    def sign_in(self, upn: str, password: str) -> dict[str, Any] | None:
        for user in self.store.get_by_number("user", GLOBAL, (upn or "").strip().lower()):
            if secrets.compare_digest(user["password"].encode(), (password or "").encode()):
                return user
        return None

    def tenant_path(self, segment: str) -> TenantPath:
        if segment.lower() in MULTI_TENANT:
            return TenantPath(segment.lower(), None)
        tenant = self.tenant(segment)
        if tenant is None:
            raise errors.tenant_not_found(segment)
        return TenantPath(segment, tenant["tenant_id"])

    def _tenant_name(self, tenant: TenantPath) -> str:
        found = self.tenant(tenant.tenant_id) if tenant.tenant_id else None
        return found["name"] if found else tenant.segment

    # --- scopes ----------------------------------------------------------------------------
    def parse_scopes(self, scope: str, tenant: TenantPath) -> ScopeRequest:
        oidc: list[str] = []
        asked: list[str] = []
        resources: set[Resource] = set()
        for item in scope.split():
            if item.lower() in OIDC_SCOPES:
                oidc.append(item.lower())
                continue
            split = split_resource_scope(item)
            if split is None or split[1] not in (PERMISSION, ".default"):
                raise errors.invalid_scope(item)
            resource = self._resources.get(split[0])
            if resource is None:
                raise errors.resource_not_found(split[0], self._tenant_name(tenant))
            resources.add(resource)
            asked.append(item)
        if len(resources) > 1:
            raise errors.several_resources(scope)
        return ScopeRequest(tuple(dict.fromkeys(oidc)), next(iter(resources), None), tuple(dict.fromkeys(asked)))

    # --- authorize --------------------------------------------------------------------------
    def check_client(self, tenant_segment: str, client_id: str, redirect_uri: str) -> tuple[TenantPath, dict[str, Any]]:
        """Errors here are shown on the page, never redirected (the redirect URI is not yet trusted)."""
        tenant = self.tenant_path(tenant_segment)
        app = self.app(client_id)
        if app is None:
            raise errors.app_not_found(client_id, tenant.segment)
        if not redirect_uri or not redirect_uri_allowed(app["redirect_uris"], redirect_uri):
            raise errors.redirect_uri_mismatch(redirect_uri, client_id)
        return tenant, app

    def read_authorization(
        self, tenant: TenantPath, app: dict[str, Any], redirect_uri: str, params: dict[str, str]
    ) -> AuthorizationRequest:
        """The rest of the request; errors here go back to the (trusted) redirect URI."""
        response_type = params.get("response_type") or ""
        if response_type != "code":
            raise errors.unsupported_response_type(response_type) if response_type else errors.missing_parameter("response_type")
        response_mode = params.get("response_mode") or "query"
        if response_mode not in RESPONSE_MODES:
            raise errors.invalid_parameter("response_mode", response_mode)
        challenge, method = params.get("code_challenge") or None, params.get("code_challenge_method") or None
        if challenge and (method or "plain") not in ("S256", "plain"):
            raise errors.invalid_parameter("code_challenge_method", method or "")
        max_age = params.get("max_age")
        if max_age is not None and not max_age.isdigit():
            raise errors.invalid_parameter("max_age", max_age)
        return AuthorizationRequest(
            tenant=tenant,
            app=app,
            redirect_uri=redirect_uri,
            scopes=self.parse_scopes(params.get("scope") or "", tenant),
            state=params.get("state"),
            nonce=params.get("nonce"),
            code_challenge=challenge,
            code_challenge_method=(method or "plain") if challenge else None,
            response_mode=response_mode,
            prompt=params.get("prompt"),
            login_hint=params.get("login_hint"),
            max_age=int(max_age) if max_age is not None else None,
            client_info=params.get("client_info") == "1",
        )

    def check_user(self, request: AuthorizationRequest, user: dict[str, Any]) -> None:
        if not request.tenant.admits(user["tenant_id"]):
            raise errors.user_not_in_tenant(user["upn"], self._tenant_name(request.tenant), request.app["client_id"])

    def needs_consent(self, app: dict[str, Any], user: dict[str, Any], scopes: ScopeRequest) -> bool:
        consent = self._consent(app, user)
        return consent is None or (scopes.resource is not None and PERMISSION not in consent["permissions"])

    def grant_consent(self, app: dict[str, Any], user: dict[str, Any], scopes: ScopeRequest) -> None:
        consent = self._consent(app, user) or {"client_id": app["client_id"], "user_id": user["object_id"], "permissions": []}
        if scopes.resource is not None and PERMISSION not in consent["permissions"]:
            consent["permissions"].append(PERMISSION)
        consent["granted_at"] = self.now()
        self.store.put("consent", GLOBAL, f"{app['client_id']}:{user['object_id']}", consent, updated=self.now())

    def _consent(self, app: dict[str, Any], user: dict[str, Any]) -> dict[str, Any] | None:
        return self.store.get("consent", GLOBAL, f"{app['client_id']}:{user['object_id']}")

    def issue_code(self, request: AuthorizationRequest, user: dict[str, Any], auth_time: float) -> str:
        code = "1.A" + secrets.token_urlsafe(96)
        self.store.put(
            "code",
            GLOBAL,
            _hash(code),
            {
                "client_id": request.app["client_id"],
                "user_id": user["object_id"],
                "tenant": request.tenant.segment,
                "redirect_uri": request.redirect_uri,
                "oidc": list(request.scopes.oidc),
                "asked": list(request.scopes.asked),
                "resource": request.scopes.resource.url if request.scopes.resource else None,
                "code_challenge": request.code_challenge,
                "code_challenge_method": request.code_challenge_method,
                "nonce": request.nonce,
                "auth_time": int(auth_time),
                "max_age": request.max_age,
                "expires_at": self.now() + self.settings.code_seconds,
                "redeemed": False,
            },
            updated=self.now(),
        )
        return code

    def client_info(self, user: dict[str, Any]) -> str:
        return _b64(json.dumps({"uid": user["object_id"], "utid": user["tenant_id"]}, separators=(",", ":")).encode())

    # --- token endpoint -----------------------------------------------------------------------
    def authenticate_client(self, tenant: TenantPath, client_id: str, client_secret: str | None) -> dict[str, Any]:
        if not client_id:
            raise errors.missing_parameter("client_id")
        app = self.app(client_id)
        if app is None:
            raise errors.app_not_found(client_id, tenant.tenant_id or tenant.segment)
        if not client_secret:
            raise errors.missing_client_secret()
        if not secrets.compare_digest(app["client_secret"].encode(), client_secret.encode()):
            raise errors.invalid_client_secret(client_id)
        return app

    def redeem_code(
        self,
        tenant: TenantPath,
        app: dict[str, Any],
        code: str,
        redirect_uri: str,
        code_verifier: str | None,
        *,
        client_info: bool,
    ) -> dict[str, Any]:
        if not code:
            raise errors.missing_parameter("code")
        with self.store.transaction():
            record = self.store.get("code", GLOBAL, _hash(code))
            if record is None or record["client_id"] != app["client_id"]:
                raise errors.invalid_code()
            if record["redeemed"]:
                raise errors.code_already_redeemed()
            record["redeemed"] = True  # single use, whatever happens next
            self.store.put("code", GLOBAL, _hash(code), record, updated=self.now())
        user = self.user(record["user_id"])
        if record["expires_at"] < self.now():
            raise errors.grant_expired()
        if user is None or not tenant.admits(user["tenant_id"]):
            raise errors.invalid_code()
        if record["redirect_uri"] != redirect_uri:
            raise errors.redirect_uri_changed()
        if record["code_challenge"] and not (
            code_verifier and _pkce_matches(record["code_challenge"], record["code_challenge_method"], code_verifier)
        ):
            raise errors.pkce_mismatch()
        resource = self._resources.get(record["resource"]) if record["resource"] else None
        if record["resource"] and resource is None:
            raise errors.resource_not_found(record["resource"], self._tenant_name(tenant))
        scopes = ScopeRequest(tuple(record["oidc"]), resource, tuple(record["asked"]))
        return self._user_tokens(
            app,
            user,
            scopes,
            nonce=record["nonce"],
            auth_time=record["auth_time"] if record["max_age"] is not None else None,
            client_info=client_info,
        )

    def refresh(
        self, tenant: TenantPath, app: dict[str, Any], refresh_token: str, scope: str, *, client_info: bool
    ) -> dict[str, Any]:
        if not refresh_token:
            raise errors.missing_parameter("refresh_token")
        record = self.store.get("refresh_token", GLOBAL, _hash(refresh_token))
        if record is None:
            raise errors.malformed_grant()
        if record["client_id"] != app["client_id"]:
            raise errors.grant_of_another_client()
        now = self.now()
        if now - record["last_used"] > self.settings.refresh_token_idle_seconds:
            raise errors.grant_expired()
        user = self.user(record["user_id"])
        if user is None or not tenant.admits(user["tenant_id"]):
            raise errors.grant_of_another_client()
        asked = self.parse_scopes(scope, tenant)
        scopes = ScopeRequest(asked.oidc or tuple(record["oidc"]), asked.resource, asked.asked)
        if scopes.resource is None and record["resource"] in self._resources:  # no resource named: the last one again
            scopes = ScopeRequest(scopes.oidc, self._resources[record["resource"]], tuple(record["asked"]))
        if self.needs_consent(app, user, scopes):
            raise errors.consent_required(app["client_id"], app["name"])
        record["last_used"] = now
        self.store.put("refresh_token", GLOBAL, _hash(refresh_token), record, updated=now)
        return self._user_tokens(app, user, scopes, nonce=None, auth_time=None, client_info=client_info)

    def client_credentials(self, tenant: TenantPath, app: dict[str, Any], scope: str) -> dict[str, Any]:
        if tenant.tenant_id is None:
            raise errors.no_tenant_in_request()
        principal = app["service_principals"].get(tenant.tenant_id)
        if principal is None:
            raise errors.app_not_found(app["client_id"], tenant.tenant_id)
        split = split_resource_scope(scope.strip()) if len(scope.split()) == 1 else None
        if split is None or split[1] != ".default":
            raise errors.client_credentials_scope(scope)
        resource = self._resources.get(split[0])
        if resource is None:
            raise errors.resource_not_found(split[0], self._tenant_name(tenant))
        access_token, lifetime = self._access_token(resource, tenant.tenant_id, app, principal_id=principal)
        return {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access_token}

    # --- validation (the TokenValidator contract) --------------------------------------------------
    def validate(self, token: str, audience: str) -> dict[str, Any] | None:
        claims = self._key.verify(token or "")
        expected = canonical_origin(audience)
        if claims is None or expected is None or claims.get("aud") != expected:
            return None
        if not str(claims.get("iss", "")).startswith(self.identity_url + "/"):
            return None
        now = self.now()
        if claims.get("exp", 0) <= now or claims.get("nbf", 0) > now + CLOCK_SKEW:
            return None
        return claims

    # --- metadata ------------------------------------------------------------------------------------
    def openid_configuration(self, tenant: TenantPath) -> dict[str, Any]:
        path = tenant.tenant_id or tenant.segment
        base, login = f"{self.identity_url}/{path}", f"{self.login_url}/{path}"
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code"],
            "scopes_supported": list(OIDC_SCOPES),
            "issuer": f"{self.identity_url}/{tenant.tenant_id or '{tenantid}'}/v2.0",
            "request_uri_parameter_supported": False,
            "authorization_endpoint": f"{login}/oauth2/v2.0/authorize",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{login}/oauth2/v2.0/logout",
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "acr",
                "nonce",
                "preferred_username",
                "name",
                "tid",
                "ver",
                "email",
                "oid",
            ],
            "code_challenge_methods_supported": ["S256", "plain"],
            "tenant_region_scope": "OC",
            "cloud_instance_name": "sandbox",
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [{**self._key.jwk(), "issuer": f"{self.identity_url}/{{tenantid}}/v2.0"}]}

    # --- tokens --------------------------------------------------------------------------------------
    def _user_tokens(
        self,
        app: dict[str, Any],
        user: dict[str, Any],
        scopes: ScopeRequest,
        *,
        nonce: str | None,
        auth_time: int | None,
        client_info: bool,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"token_type": "Bearer", "scope": scopes.granted()}
        if scopes.resource is not None:
            access_token, lifetime = self._access_token(scopes.resource, user["tenant_id"], app, user=user)
            body.update(expires_in=lifetime, ext_expires_in=lifetime, access_token=access_token)
        if "offline_access" in scopes.oidc:
            body["refresh_token"] = self._new_refresh_token(app, user, scopes)
        if "openid" in scopes.oidc:
            body["id_token"] = self._id_token(app, user, scopes, nonce=nonce, auth_time=auth_time)
        if client_info:
            body["client_info"] = self.client_info(user)
        return body

    def _access_token(
        self,
        resource: Resource,
        tenant_id: str,
        app: dict[str, Any],
        *,
        user: dict[str, Any] | None = None,
        principal_id: str | None = None,
    ) -> tuple[str, int]:
        now = int(self.now())
        lifetime = random.randint(self.settings.access_token_min_seconds, self.settings.access_token_max_seconds)
        issuer = f"{self.identity_url}/{tenant_id}/"
        object_id = user["object_id"] if user else principal_id
        claims: dict[str, Any] = {"aud": resource.url, "iss": issuer, "iat": now, "nbf": now, "exp": now + lifetime}
        if user:
            claims.update(
                acr="1",
                amr=["pwd"],
                appid=app["client_id"],
                appidacr="1",
                family_name=user["family_name"],
                given_name=user["given_name"],
                idtyp="user",
                name=user["display_name"],
                oid=object_id,
                scp=PERMISSION,
                sub=_pairwise(object_id, seed.DYNAMICS_CRM_APP_ID),
                tid=tenant_id,
                unique_name=user["upn"],
                upn=user["upn"],
            )
        else:
            claims.update(
                appid=app["client_id"],
                appidacr="1",
                idp=issuer,
                idtyp="app",
                oid=object_id,
                roles=[],
                sub=object_id,
                tid=tenant_id,
            )
        claims.update(uti=_b64(secrets.token_bytes(16)), ver="1.0")
        return self._key.sign(claims), lifetime

    def _id_token(
        self, app: dict[str, Any], user: dict[str, Any], scopes: ScopeRequest, *, nonce: str | None, auth_time: int | None
    ) -> str:
        now = int(self.now())
        claims: dict[str, Any] = {
            "aud": app["client_id"],
            "iss": f"{self.identity_url}/{user['tenant_id']}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + self.settings.id_token_seconds,
        }
        if auth_time is not None:
            claims["auth_time"] = auth_time
        if "email" in scopes.oidc:
            claims["email"] = user["upn"]
        if "profile" in scopes.oidc:
            claims.update(name=user["display_name"], preferred_username=user["upn"])
        if nonce is not None:
            claims["nonce"] = nonce  # as sent to /authorize (MSAL sends a hash and compares with it)
        claims.update(
            oid=user["object_id"],
            sub=_pairwise(user["object_id"], app["client_id"]),
            tid=user["tenant_id"],
            uti=_b64(secrets.token_bytes(16)),
            ver="2.0",
        )
        return self._key.sign(claims)

    def _new_refresh_token(self, app: dict[str, Any], user: dict[str, Any], scopes: ScopeRequest) -> str:
        token = "1.A" + secrets.token_urlsafe(160)
        now = self.now()
        self.store.put(
            "refresh_token",
            GLOBAL,
            _hash(token),
            {
                "client_id": app["client_id"],
                "user_id": user["object_id"],
                "oidc": list(scopes.oidc),
                "asked": list(scopes.asked),
                "resource": scopes.resource.url if scopes.resource else None,
                "issued": now,
                "last_used": now,
            },
            updated=now,
        )
        return token
