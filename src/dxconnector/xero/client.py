"""A Xero organisation reached through the official `xero-python` SDK.

The SDK refreshes the access token by itself a minute before it expires and hands the rotated pair to
our saver, which stores both tokens in one write, and only over the refresh token the refresh used: tokens stored
meanwhile (a reconnect's new grant) are kept, and used. If a refresh response is lost, the stored (old)
refresh token is used again on the next call and Xero's 30-minute grace period answers with the same
successor. Errors come out as the small hierarchy in errors.py.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import urllib3
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.exceptions import (
    AccessTokenExpiredError,
    ApiException,
    BadRequestException,
    HTTPStatusException,
    NotFoundException,
    RateLimitException,
)
from xero_python.identity import IdentityApi

from dxconnector import metrics
from dxconnector.retry import backoff_delay, retry_after
from dxconnector.xero.auth import TokenSet
from dxconnector.xero.errors import AuthExpired, PermanentError, RateLimited, RetryableError, XeroError
from dxconnector.xero.limits import (
    DAY_HEADER,
    LEASE_SECONDS,
    MINUTE_HEADER,
    BudgetBusy,
    BudgetObserver,
    BudgetSeen,
    Limits,
    RateGovernor,
    SlotStore,
    governor_for,
    remaining,
)
from dxconnector.xero.resources import BATCH_SIZE, PAGE_SIZE, Resource

T = TypeVar("T")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class XeroApiConfig:
    client_id: str
    client_secret: str
    api_url: str  # …/api.xro/2.0
    connections_url: str  # …/connections
    token_url: str
    revocation_url: str
    ca_bundle: str = ""
    time_scale: float = 1.0  # >1 only against a time-scaled sandbox
    max_attempts: int = 8  # 1: one attempt in all, not retried by the HTTP library either (a web request's client)
    # Seconds to connect, and to wait for each read of the answer (None: no limit). A job's call that hangs would hold
    # its connection's lease and a worker for good; 60 s is far beyond any answer Xero gives, even for 50 invoices.
    timeout: float | None = 60.0
    limits: Limits = field(default_factory=Limits)  # the organisation's (and the app's) budget the governor keeps to
    # Where the budgets are kept: None for this process's own memory; the connections layer gives one shared by every
    # process (xero.limits.SlotStore). A slot a killed process held frees itself after `slot_lease_seconds`.
    slot_store: SlotStore | None = field(default=None, compare=False)
    slot_lease_seconds: float = LEASE_SECONDS
    # Real seconds a call may wait for budget (other processes using it) before failing as BudgetBusy; None: as long as
    # it takes. A page's client has one: it must not hang while a sync spends the organisation's minute.
    slot_max_wait: float | None = None

    @property
    def request_timeout(self) -> tuple[float, float] | None:
        """`timeout` as the SDK takes it (a float on its own is ignored by the SDK; a (connect, read) pair is not)."""
        return None if self.timeout is None else (self.timeout, self.timeout)

    @property
    def identity_base_url(self) -> str:
        return self.connections_url.rsplit("/", 1)[0]

    @classmethod
    def from_settings(cls) -> XeroApiConfig:
        from django.conf import settings

        return cls(
            client_id=settings.XERO_CLIENT_ID,
            client_secret=settings.XERO_CLIENT_SECRET,
            api_url=settings.XERO_API_URL,
            connections_url=settings.XERO_CONNECTIONS_URL,
            token_url=settings.XERO_TOKEN_URL,
            revocation_url=settings.XERO_REVOCATION_URL,
            ca_bundle=settings.CA_BUNDLE,
            time_scale=settings.XERO_TIME_SCALE,
            limits=Limits(
                per_minute=settings.XERO_CALLS_PER_MINUTE,
                per_day=settings.XERO_CALLS_PER_DAY,
                app_per_minute=settings.XERO_APP_CALLS_PER_MINUTE,
            ),
            slot_lease_seconds=float(settings.XERO_SLOT_LEASE_SECONDS),
        )


class TokenStore(Protocol):
    def load(self) -> TokenSet: ...

    def save(self, tokens: TokenSet, replacing: str | None = None) -> TokenSet:
        """Store `tokens` and return them; with `replacing`, only if the stored refresh token is still that one (the
        one they were refreshed from), else keep and return what is stored."""
        ...


@dataclass
class MemoryTokenStore:
    tokens: TokenSet

    def load(self) -> TokenSet:
        return self.tokens

    def save(self, tokens: TokenSet, replacing: str | None = None) -> TokenSet:
        if replacing is None or self.tokens.refresh_token == replacing:
            self.tokens = tokens
        return self.tokens


@dataclass(frozen=True)
class XeroTenant:
    connection_id: str
    tenant_id: str
    tenant_name: str
    tenant_type: str
    auth_event_id: str


@dataclass(frozen=True)
class OrganisationInfo:
    organisation_id: str
    name: str
    timezone: str  # Xero's Windows-style name, e.g. NEWZEALANDSTANDARDTIME
    base_currency: str
    country_code: str
    short_code: str


class _ClientToken(OAuth2Token):
    """The SDK's token holder, refreshing at this client's own token URL. The SDK keeps its token URLs as class
    attributes of `TokenApi`, shared by every client in the process; they are left alone, and the refresh request is
    made here, as the SDK makes it, with its failure told by status rather than as a bare Exception."""

    def __init__(self, *, token_url: str, client_id: str, client_secret: str, request_timeout: tuple[float, float] | None = None):
        super().__init__(client_id=client_id, client_secret=client_secret)
        self.token_url = token_url
        self.request_timeout = request_timeout
        self.refreshed_from: str | None = None  # the refresh token the last refresh used: the saver's compare-and-swap

    def call_refresh_token_api(self, token_api: TokenApi) -> dict[str, Any]:
        self.refreshed_from = self.refresh_token
        response, status, _ = token_api.api_client.call_api(
            self.token_url,
            "POST",
            header_params={"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
            post_params={
                "grant_type": "refresh_token",
                "scope": " ".join(self.scope),
                "refresh_token": self.refresh_token,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
            auth_settings=None,
            _preload_content=False,
            _request_timeout=self.request_timeout,
        )
        if status != 200:
            raise (
                RetryableError(f"Xero's token refresh answered {status}", status)
                if status >= 500
                else AuthExpired(f"Xero's token refresh answered {status}", status)
            )
        return token_api.parse_token_response(response)


class _CountedApiClient(ApiClient):  # type: ignore[misc]  # the SDK publishes no types
    """The SDK's client, counting every HTTP request it sends to Xero's API (`dxconnector.metrics`) with the answer's
    status; the token endpoint's requests (Xero's sign-in, another host) are not API calls and go uncounted."""

    def __init__(self, configuration: Configuration, api_urls: tuple[str, ...], **kwargs: Any):
        super().__init__(configuration, **kwargs)
        self.api_urls = api_urls

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if not url.startswith(self.api_urls):
            return super().request(method, url, *args, **kwargs)
        try:
            response = super().request(method, url, *args, **kwargs)
        except ApiException as error:  # an answer other than 2xx carries its status; status 0: none came
            metrics.api_call(metrics.XERO, error.status if isinstance(error.status, int) else None)
            raise
        except Exception:  # the network failed (urllib3 and OSError): no answer
            metrics.api_call(metrics.XERO, None)
            raise
        metrics.api_call(metrics.XERO, response.status)
        return response


def translate(error: Exception) -> XeroError:
    if isinstance(error, XeroError):
        return error
    if isinstance(error, AccessTokenExpiredError):
        return AuthExpired("The Xero access token expired and could not be refreshed")
    if isinstance(error, RateLimitException):
        headers = error.headers or {}
        return RateLimited(
            "Xero rate limit reached",
            retry_after=retry_after(headers, 1.0),
            problem=headers.get("X-Rate-Limit-Problem") or error.rate_limit or "",
            body=error.body,
        )
    if isinstance(error, BadRequestException):
        body = _json_or_text(error.body)
        if isinstance(body, dict) and body.get("error") == "invalid_grant":
            return AuthExpired("Xero refused the refresh token (revoked, expired or disconnected)", 400, body)
        return PermanentError(_bad_request_message(body), 400, body)
    if isinstance(error, NotFoundException):
        return PermanentError("Not found in Xero", 404, _json_or_text(error.body))
    if isinstance(error, HTTPStatusException | ApiException):
        status = getattr(error, "status", None)
        if status == 401:
            return AuthExpired("Xero answered 401: the connection was revoked or disconnected", 401)
        if status == 403:
            return PermanentError("Xero answered 403: this organisation is not connected to the app", 403)
        if isinstance(status, int) and (status >= 500 or status == 0):
            return RetryableError(f"Xero answered {status}", status)
        return PermanentError(f"Xero answered {status}", status if isinstance(status, int) else None)
    if isinstance(error, urllib3.exceptions.HTTPError | OSError):
        return RetryableError(f"Xero could not be reached: {error}")
    raise error


def _json_or_text(body: Any) -> Any:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        return json.loads(body) if isinstance(body, str) else body
    except ValueError:
        return body


def _bad_request_message(body: Any) -> str:
    if isinstance(body, dict):
        messages = [e.get("Message") for el in body.get("Elements", []) for e in el.get("ValidationErrors", [])]
        return "; ".join(m for m in messages if m) or body.get("Message") or "Xero rejected the request"
    return "Xero rejected the request"


@dataclass(frozen=True)
class ElementResult:
    """One element of a batch write, as Xero answered it."""

    index: int
    ok: bool
    record: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def xero_id(self) -> str:
        return next(
            (
                str(v)
                for k, v in self.record.items()
                if k.endswith("ID") and k[:-2] in ("Invoice", "CreditNote", "Contact", "Item", "Payment")
            ),
            "",
        )


def idempotency_key(tenant_id: str, resource: str, elements: list[dict[str, Any]]) -> str:
    """The same elements for the same organisation always give the same key, so a retried or
    re-run write is answered from Xero's idempotency cache instead of being applied twice."""
    canonical = json.dumps([tenant_id, resource, elements], sort_keys=True, separators=(",", ":"), default=str)
    return "dxc-" + hashlib.sha256(canonical.encode()).hexdigest()[:60]


def _element_result(index: int, element: dict[str, Any]) -> ElementResult:
    errors = [e.get("Message", "") for e in element.get("ValidationErrors") or []]
    warnings = [w.get("Message", "") for w in element.get("Warnings") or []]
    failed = bool(errors) or element.get("StatusAttributeString") == "ERROR" or bool(element.get("HasErrors"))
    return ElementResult(index, not failed, element, errors, warnings)


class XeroClient:
    def __init__(
        self,
        config: XeroApiConfig,
        tokens: TokenStore,
        tenant_id: str = "",
        governor: RateGovernor | None = None,
        on_budget: BudgetObserver | None = None,
    ):
        self.config = config
        self.tokens = tokens
        self.tenant_id = tenant_id
        self.governor = governor or governor_for(
            tenant_id or "identity",
            config.time_scale,
            config.limits,
            app_id=config.client_id,
            store=config.slot_store,
            lease_seconds=config.slot_lease_seconds,
            max_wait=config.slot_max_wait,
        )
        self.on_budget = on_budget  # told what each answer says is left of the organisation's budget
        self.calls = 0
        # The SDK's Configuration() hands out copies of the first instance ever made, ignoring its
        # arguments: set this client's own token holder and CA on the copy, or clients would share them.
        configuration = Configuration()
        self._token = _ClientToken(
            token_url=config.token_url,
            client_id=config.client_id,
            client_secret=config.client_secret,
            request_timeout=config.request_timeout,
        )
        configuration.oauth2_token = self._token
        configuration.ssl_ca_cert = config.ca_bundle or None
        self.api_client = _CountedApiClient(configuration, (config.api_url, config.connections_url), pool_threads=1)
        if config.max_attempts <= 1:  # urllib3 would otherwise try a timed-out or refused request up to 3 more times
            self.api_client.rest_client.pool_manager.connection_pool_kw["retries"] = False
        self.api_client.oauth2_token_getter(self._sdk_token)
        self.api_client.oauth2_token_saver(self._save_sdk_token)
        self.accounting = AccountingApi(self.api_client, base_url=config.api_url)
        self.identity = IdentityApi(self.api_client, base_url=config.identity_base_url)

    # --- tokens, in the SDK's shape ------------------------------------------------
    def _sdk_token(self) -> dict[str, Any]:
        return self._sdk_shape(self.tokens.load())

    @staticmethod
    def _sdk_shape(tokens: TokenSet) -> dict[str, Any]:
        return {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at,
            "expires_in": max(0, int(tokens.expires_at - time.time())),
            "scope": tokens.scope.split(),
            "token_type": "Bearer",
            "id_token": tokens.id_token or None,
        }

    def _save_sdk_token(self, token: dict[str, Any]) -> None:
        """The SDK's saver, called with a refresh's answer. Saved only over the refresh token it was refreshed from:
        if the store holds another one by now (the admin reconnected, or another process refreshed first), that is kept,
        and this client goes on with it (the SDK takes the holder's token once the saver returns)."""
        scope = token.get("scope") or []
        refreshed = TokenSet(
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token") or "",
            expires_at=float(token.get("expires_at") or time.time() + int(token.get("expires_in") or 1800)),
            scope=" ".join(scope) if isinstance(scope, list | tuple) else str(scope),
            id_token=token.get("id_token") or "",
        )
        stored = self.tokens.save(refreshed, replacing=self._token.refreshed_from)
        if stored.refresh_token != refreshed.refresh_token:
            logger.info("Xero's tokens changed while this client refreshed them (a reconnect?): the stored ones are kept")
            self._token.update_token(**self._sdk_shape(stored))

    def call(self, operation: Callable[[], T]) -> T:
        """One SDK call, its errors translated (identity calls: no governor, no retries)."""
        try:
            return operation()
        except Exception as error:  # the SDK raises many types; translate() re-raises what it doesn't know
            raise translate(error) from error

    def request(self, method: str, *args: Any, **kwargs: Any) -> tuple[dict[str, Any], Mapping[str, str]]:
        """An Accounting API call through the governor, retried on 429, 5xx and network errors. Numbers with a
        fraction come back as Decimal: Xero's amounts stay exact however large.

        Retrying is safe: reads are reads, and every write carries an Idempotency-Key.
        """
        operation = getattr(self.accounting, method)
        for attempt in range(1, self.config.max_attempts + 1):
            try:
                with self.governor.slot() as slot:
                    self.calls += 1
                    raw, _status, headers = self.call(
                        lambda: operation(
                            self.tenant_id,
                            *args,
                            _return_http_data_only=False,
                            _preload_content=False,
                            _request_timeout=self.config.request_timeout,
                            **kwargs,
                        )
                    )
                    slot.heard(headers)  # believed as the slot is given back
                self._tell_budget(headers)
                return (json.loads(raw.data, parse_float=Decimal) if raw.data else {}), headers
            except RateLimited as limited:
                if isinstance(limited, BudgetBusy) or limited.problem == "day" or attempt == self.config.max_attempts:
                    raise
                self.governor.back_off(limited.retry_after, limited.problem)
            except RetryableError:
                if attempt == self.config.max_attempts:
                    raise
                delay = backoff_delay(attempt)
                metrics.api_wait(metrics.XERO, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _tell_budget(self, headers: Mapping[str, str]) -> None:
        minute_left, day_left = remaining(headers, MINUTE_HEADER), remaining(headers, DAY_HEADER)
        if self.on_budget is None or (minute_left is None and day_left is None):
            return
        try:
            self.on_budget(BudgetSeen(self.tenant_id, minute_left, day_left, self.governor.limits, self.governor.time_scale))
        except Exception:  # a figure for a page is never worth a sync's call
            logger.warning("Xero's remaining calls could not be recorded", exc_info=True)

    # --- reading -------------------------------------------------------------------
    def pages(
        self,
        resource: Resource,
        *,
        where: str | None = None,
        order: str | None = None,
        modified_since: datetime | None = None,
        page_size: int = PAGE_SIZE,
        **filters: Any,
    ) -> Iterator[list[dict[str, Any]]]:
        """Every page of a resource; one list for resources Xero does not page."""
        params: dict[str, Any] = dict(filters)
        if where:
            params["where"] = where
        if order:
            params["order"] = order
        if modified_since:
            params["if_modified_since"] = modified_since
        if not resource.paged:
            body, _ = self.request(resource.list_method, **params)
            yield body.get(resource.name, [])
            return
        page = 1
        while True:
            body, _ = self.request(resource.list_method, page=page, page_size=page_size, **params)
            records = body.get(resource.name, [])
            if records:
                yield records
            pagination = body.get("pagination") or {}
            if len(records) < page_size or page >= int(pagination.get("pageCount") or page):
                return
            page += 1

    def records(self, resource: Resource, **query: Any) -> Iterator[dict[str, Any]]:
        for page in self.pages(resource, **query):
            yield from page

    # --- writing -------------------------------------------------------------------
    def write(
        self, resource: Resource, elements: list[dict[str, Any]], *, create_only: bool = False, unitdp: int | None = None
    ) -> list[ElementResult]:
        """Create or update in batches of up to 50, each element's outcome reported on its own.

        `unitdp=4` keeps unit amounts to four places (Xero rounds them to two otherwise).
        """
        method = resource.create_method if create_only else (resource.upsert_method or resource.create_method)
        if method is None:
            raise ValueError(f"{resource.name} cannot be written")
        options: dict[str, Any] = {} if unitdp is None else {"unitdp": unitdp}
        key_label = method if unitdp is None else f"{method}:unitdp={unitdp}"
        results: list[ElementResult] = []
        for start in range(0, len(elements), BATCH_SIZE):
            batch = elements[start : start + BATCH_SIZE]
            body, _ = self.request(
                method,
                {resource.name: batch},
                summarize_errors=False,
                **options,
                idempotency_key=idempotency_key(self.tenant_id, key_label, batch),
            )
            answered = body.get(resource.name, [])
            if len(answered) != len(batch):
                raise PermanentError(f"Xero answered {len(answered)} {resource.name} for a batch of {len(batch)}", 200, body)
            results.extend(_element_result(start + i, element) for i, element in enumerate(answered))
        return results

    # --- identity ------------------------------------------------------------------
    def connections(self, auth_event_id: str = "") -> list[XeroTenant]:
        timeout = self.config.request_timeout
        if auth_event_id:
            found = self.call(lambda: self.identity.get_connections(auth_event_id=auth_event_id, _request_timeout=timeout))
        else:
            found = self.call(lambda: self.identity.get_connections(_request_timeout=timeout))
        return [
            XeroTenant(str(c.id), str(c.tenant_id), c.tenant_name or "", c.tenant_type or "", str(c.auth_event_id or ""))
            for c in found
        ]

    def delete_connection(self, connection_id: str) -> None:
        self.call(lambda: self.identity.delete_connection(connection_id, _request_timeout=self.config.request_timeout))

    def refresh_now(self) -> None:
        self.call(lambda: self.api_client.refresh_oauth2_token())

    # --- accounting ----------------------------------------------------------------
    def organisation(self) -> OrganisationInfo:
        body, _ = self.request("get_organisations")
        found = body["Organisations"][0]
        return OrganisationInfo(
            found.get("OrganisationID", ""),
            found.get("Name", ""),
            found.get("Timezone", ""),
            found.get("BaseCurrency", ""),
            found.get("CountryCode", ""),
            found.get("ShortCode", ""),
        )
