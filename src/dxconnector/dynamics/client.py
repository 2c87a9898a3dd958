"""A thin Dataverse Web API client (httpx) for what the official SDK does not cover: WhoAmI, solutions,
privileges, ImportSolution, and plain reads and writes of our own tables.

Every call is retried, up to `max_attempts` in all (6 by default), when the service or the network fails
it in a way that may pass:

- 429 (service protection limits): after its `Retry-After`, when that is at most `max_retry_after`
  seconds (60 by default); a longer wait is not slept through in a worker: `RateLimited` is raised at
  once with the service's wait. Until then no other call of this client goes out either.
- 408, 500, 502, 503, 504: after a capped exponential backoff with jitter (dxconnector.retry), or the
  `Retry-After` the answer gives when that is longer (within the same bound).
- No answer: connection refused or reset, a connect or read timeout (`timeout`: seconds, `connect`
  at most 10), a connection closed before the answer (`httpx.RemoteProtocolError`), the same backoff.

With a `governor` (dynamics/limits.py), each attempt first waits for room in the budget the governor keeps (shared
by every process, as the connections layer builds it) and holds it until the answer came; the answer's
requests-left header is told to it, and a 429's `Retry-After` holds back everyone spending from the budget.

What is still failing after the last attempt raises `RetryableError` (or `RateLimited`), which the
sync treats as "try again later". Other 4xx are `PermanentError`s at once; 412 is `PreconditionFailed`.

Retrying a write whose answer was lost sends it again, so writes are made repeatable: a PATCH by id is
an upsert (applied twice, the same result), and a conditional one (`If-Match: <etag>`) whose first
attempt was applied answers 412 on the retry: the error carries `after_lost_answer` so the caller can
tell "someone changed it" from "we may have changed it ourselves". A `$batch` of upserts is repeatable
as a whole (dynamics/batch.py). A POST that creates is not: sent again after a lost answer, it can
create a second row; prefer `upsert` with an id of our own where that matters.

Every request goes to the organisation's own host (scheme, host and port): a link Dynamics hands back to follow
(`@odata.nextLink`, a delta link kept in a cursor) that points anywhere else raises `UntrustedHost` before anything is
sent, so the bearer token never leaves for another host. Redirects are not followed.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from dxconnector import metrics, tls
from dxconnector.dynamics import limits
from dxconnector.dynamics.errors import (
    AuthExpired,
    PermanentError,
    PreconditionFailed,
    RateLimited,
    RetryableError,
    UntrustedHost,
)
from dxconnector.dynamics.limits import REQUESTS_PER_WINDOW, WINDOW_SECONDS, Governor
from dxconnector.retry import backoff_delay, retry_after

logger = logging.getLogger(__name__)

API_PATH = "/api/data/v9.2/"
HEADERS = {"Accept": "application/json", "OData-MaxVersion": "4.0", "OData-Version": "4.0"}

MAX_ATTEMPTS = 6
DEFAULT_TIMEOUT = 30.0  # seconds to wait for an answer (and at most CONNECT_TIMEOUT to connect)
CONNECT_TIMEOUT = 10.0
MAX_RETRY_AFTER = 60.0  # the longest Retry-After slept through within one call
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Failures that happen before the request can have reached the service: retrying them cannot apply it twice.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json().get("error", {})
        return str(error.get("message", "")), str(error.get("code", ""))
    except (ValueError, AttributeError):
        return response.text[:200], ""


@dataclass(frozen=True)
class RequestsLeft:
    """What an answer said is left of the user's requests in the service protection window."""

    left: int
    limit: int = REQUESTS_PER_WINDOW
    window_seconds: float = WINDOW_SECONDS


class RequestsObserver(Protocol):
    """Told after each answer that carried the requests-left header (connections/ records it for the portal)."""

    def __call__(self, seen: RequestsLeft) -> None: ...


def requests_left(response: httpx.Response) -> RequestsLeft | None:
    left = limits.requests_left(response.headers)
    return RequestsLeft(left) if left is not None else None


@dataclass(frozen=True)
class Answer:
    """The response a call finally got, and how it got there: `attempts` made in all, `lost_answers` of them
    unanswered after they may have reached the service (so a write in it may already have been applied)."""

    response: httpx.Response
    attempts: int
    lost_answers: int


class DataverseClient:
    def __init__(
        self,
        org_url: str,
        token: Callable[[], str],
        ca_bundle: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        max_attempts: int = MAX_ATTEMPTS,
        max_retry_after: float = MAX_RETRY_AFTER,
        on_budget: RequestsObserver | None = None,
        governor: Governor | None = None,
    ):
        self.org_url = org_url.rstrip("/")
        self.on_budget = on_budget  # told what each answer says is left of the user's requests
        self.governor = governor  # the budget each request spends from (None: only 429s pace this client)
        self.token = token
        self.max_attempts = max(1, max_attempts)
        self.max_retry_after = max_retry_after
        self.http = httpx.Client(
            base_url=self.org_url + API_PATH,
            verify=tls.verify(ca_bundle),
            headers=HEADERS,
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
            event_hooks={"request": [self._only_to_the_organisation]},
        )
        self.calls = 0  # attempts sent, retries included
        self.retries = 0
        self.waited_seconds = 0.0  # slept between attempts, for reports
        self._lock = threading.Lock()
        self._resume_at = 0.0  # monotonic time before which no call goes out (after a 429)

    def close(self) -> None:
        self.http.close()

    def _only_to_the_organisation(self, request: httpx.Request) -> None:
        """Called by httpx before each request is sent: one to another host than the organisation's is refused."""
        own = self.http.base_url
        if (request.url.scheme, request.url.host, request.url.port) != (own.scheme, own.host, own.port):
            raise UntrustedHost(
                f"Dynamics gave a link to {request.url.host or 'no host'}, not to the organisation's own host {own.host}: "
                "not followed"
            )

    def __enter__(self) -> DataverseClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        """One call, retried on what may pass (see the module's docstring); errors raised as typed ones."""
        return self.call(method, path, headers=headers, **kwargs).response

    def call(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> Answer:
        """`request`, telling also how many attempts it took and whether an earlier one may have been applied."""
        lost = 0
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            self._wait_for_resume()
            try:
                response = self._send(method, path, {"Authorization": f"Bearer {self.token()}", **(headers or {})}, kwargs)
            except httpx.TransportError as error:
                metrics.api_call(metrics.DATAVERSE, None)
                if not isinstance(error, _NEVER_SENT):
                    lost += 1
                if last:
                    raise RetryableError(
                        f"Dynamics could not be reached ({type(error).__name__}: {str(error) or 'no answer'}) "
                        f"after {attempt} attempts",
                        after_lost_answer=lost > 0,
                    ) from error
                self._retrying(backoff_delay(attempt))
                continue
            metrics.api_call(metrics.DATAVERSE, response.status_code)
            self._tell_budget(response)
            if response.status_code == 429 and self.governor is not None:
                self.governor.back_off(retry_after(response.headers, 1.0) or 1.0)
            if response.status_code in TRANSIENT_STATUSES and not last:
                self._retrying(self._wait_before_retry(response, attempt, lost))
                continue
            return Answer(self._checked(response, lost_answer=lost > 0), attempt, lost)
        raise AssertionError("unreachable")

    def _send(self, method: str, path: str, headers: dict[str, str], kwargs: dict[str, Any]) -> httpx.Response:
        """One attempt, holding a slot of the governor's budget (if any) until its answer came."""
        if self.governor is None:
            return self._attempt(method, path, headers, kwargs)
        with self.governor.slot() as slot:
            response = self._attempt(method, path, headers, kwargs)
            slot.heard(response.headers)  # believed as the slot is given back
        return response

    def _attempt(self, method: str, path: str, headers: dict[str, str], kwargs: dict[str, Any]) -> httpx.Response:
        with self._lock:
            self.calls += 1
        return self.http.request(method, path, headers=headers, **kwargs)

    def _tell_budget(self, response: httpx.Response) -> None:
        seen = requests_left(response) if self.on_budget is not None else None
        if seen is None or self.on_budget is None:
            return
        try:
            self.on_budget(seen)
        except Exception:  # a figure for a page is never worth a sync's call
            logger.warning("Dynamics' remaining requests could not be recorded", exc_info=True)

    def _wait_before_retry(self, response: httpx.Response, attempt: int, lost: int) -> float:
        """Seconds to wait before trying a 429 or 5xx again; raises RateLimited when the service asks for more
        than this client waits within one call."""
        asked = retry_after(response.headers)
        if asked is not None and asked > self.max_retry_after:
            message, code = _error_of(response)
            raise RateLimited(
                message or f"Dynamics asked to wait {asked:g} s", asked, response.status_code, code, after_lost_answer=lost > 0
            )
        wait = backoff_delay(attempt)
        if response.status_code == 429:
            wait = asked if asked is not None else wait
            with self._lock:  # the limit is per user: every call of this client stands back
                self._resume_at = max(self._resume_at, time.monotonic() + wait)
            return 0.0
        return max(wait, asked or 0.0)

    def _retrying(self, wait: float) -> None:
        with self._lock:
            self.retries += 1
        self._pause(wait)

    def _wait_for_resume(self) -> None:
        with self._lock:
            wait = self._resume_at - time.monotonic()
        if wait > 0:
            self._pause(wait)

    def _pause(self, seconds: float) -> None:
        if seconds <= 0:
            return
        with self._lock:
            self.waited_seconds += seconds
        metrics.api_wait(metrics.DATAVERSE, seconds)
        time.sleep(seconds)

    @staticmethod
    def _checked(response: httpx.Response, *, lost_answer: bool = False) -> httpx.Response:
        status = response.status_code
        if status < 400:
            return response
        message, code = _error_of(response)
        if status == 401:
            raise AuthExpired(message or "Dynamics refused the token", 401, code, after_lost_answer=lost_answer)
        if status == 429:
            raise RateLimited(
                message or "Dynamics service protection limit",
                retry_after(response.headers, 1.0) or 1.0,
                429,
                code,
                after_lost_answer=lost_answer,
            )
        if status >= 500 or status == 408:
            raise RetryableError(message or f"Dynamics answered {status}", status, code, after_lost_answer=lost_answer)
        if status == 412:
            raise PreconditionFailed(message or "Dynamics answered 412", status, code, after_lost_answer=lost_answer)
        raise PermanentError(message or f"Dynamics answered {status}", status, code, after_lost_answer=lost_answer)

    # --- what the connector asks of every organisation -----------------------------------
    def who_am_i(self) -> dict[str, Any]:
        return self.request("GET", "WhoAmI").json()

    def solution(self, unique_name: str) -> dict[str, Any] | None:
        found = (
            self.request(
                "GET",
                "solutions",
                params={
                    "$select": "solutionid,uniquename,friendlyname,version,ismanaged",
                    "$filter": f"uniquename eq '{unique_name}'",
                },
            )
            .json()
            .get("value", [])
        )
        return found[0] if found else None

    def privileges_held(self, user_id: str, names: list[str]) -> set[str]:
        """Which of `names` the user holds, through any role or team (RetrieveUserSetOfPrivilegesByNames)."""
        path = f"systemusers({user_id})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=@p)"
        response = self.request("GET", path, params={"@p": json.dumps(names)})
        return {item["PrivilegeName"] for item in response.json().get("RolePrivileges", [])}

    def import_solution(self, zip_bytes: bytes) -> str:
        job_id = str(uuid.uuid4())
        self.request(
            "POST",
            "ImportSolution",
            json={
                "OverwriteUnmanagedCustomizations": False,
                "PublishWorkflows": True,
                "ImportJobId": job_id,
                "CustomizationFile": base64.b64encode(zip_bytes).decode(),
            },
        )
        return job_id

    # --- rows of any table ---------------------------------------------------------------
    def list(self, entity_set: str, **query: str) -> list[dict[str, Any]]:
        params = {f"${k}": v for k, v in query.items()}
        return self.request("GET", entity_set, params=params).json().get("value", [])

    def create(self, entity_set: str, body: dict[str, Any]) -> str:
        response = self.request("POST", entity_set, json=body)
        entity_id = response.headers.get("OData-EntityId", "")
        return entity_id[entity_id.rfind("(") + 1 : -1] if "(" in entity_id else ""

    def update(self, entity_set: str, row_id: str, body: dict[str, Any]) -> None:
        """Change an existing row (`If-Match: *`: 404 rather than create it). Repeatable."""
        self.request("PATCH", f"{entity_set}({quote(row_id)})", json=body, headers={"If-Match": "*"})

    def upsert(self, entity_set: str, row_id: str, body: dict[str, Any]) -> None:
        """Create the row with this id, or change it if it is there: repeatable, unlike `create`."""
        self.request("PATCH", f"{entity_set}({quote(row_id)})", json=body)

    # --- paged reads (change tracking, expanded queries) ----------------------------------
    def read(self, url: str, *, params: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        """One GET answered with JSON, numbers with a fraction as Decimal (money stays exact)."""
        response = self.request("GET", url, params=params, headers=headers)
        return json.loads(response.content, parse_float=Decimal) if response.content else {}

    def pages(
        self, url: str, *, params: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every page of a collection query. `@odata.nextLink` is followed unchanged with the same headers (the
        same `odata.maxpagesize`); the last page carries the `@odata.deltaLink` when changes are tracked."""
        body = self.read(url, params=params, headers=headers)
        yield body
        while body.get("@odata.nextLink"):
            body = self.read(body["@odata.nextLink"], headers=headers)
            yield body
