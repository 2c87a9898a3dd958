"""Xero webhooks: the event sink that posts signed payloads to each app's webhook URL, and the
intent-to-receive probe Xero's developer portal runs when a webhook is set up.

Delivery follows Xero: an app hears about the organisations connected to it; a payload is
`{"events":[…],"firstEventSequence","lastEventSequence","entropy"}` signed with
`x-xero-signature = base64(HMAC-SHA256(webhook key, raw body))`; events are thin (fetch resourceUrl).
A background thread gathers events for a moment (`batch_seconds`) so bursts share a payload, numbers
them per app with sequences kept in the store, and retries failed posts with growing pauses up to a
bound, recording every failure. Pauses are in real seconds and far shorter than Xero's (which retries
for a day) so tests and benchmarks see the outcome quickly.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import json
import logging
import queue
import secrets
import ssl
import string
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dxsandbox.common.control import ControlError, json_object
from dxsandbox.xero.events import ChangeEvent
from dxsandbox.xero.oauth import XeroIdentity

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-xero-signature"
ITR_TIMEOUT_SECONDS = 5.0  # Xero gives a receiver five seconds


def sign(key: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def entropy() -> str:
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(20))


def event_date(epoch: float) -> str:
    """Xero's eventDateUtc: no zone, milliseconds (2024-06-21T01:15:39.902)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def event_json(event: ChangeEvent, at: float) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceUrl": event.resource_url,
        "resourceId": event.resource_id,
        "eventDateUtc": event_date(at),
        "eventType": event.event_type,
        "eventCategory": event.category,
        "tenantId": event.tenant_id,
        "tenantType": "ORGANISATION",
    }
    if event.data is not None:
        body["data"] = dict(event.data)
    return body


def new_webhook_key() -> str:
    return base64.b64encode(secrets.token_bytes(48)).decode()


def tls_context(ca_file: Path | str | None) -> ssl.SSLContext:
    """The system's trust store plus the sandbox CA (targets are usually the connector on loopback)."""
    context = ssl.create_default_context()
    if ca_file is not None and Path(ca_file).exists():
        context.load_verify_locations(cafile=str(ca_file))
    return context


@dataclass
class DeliverySettings:
    batch_seconds: float = 0.2  # how long the first event of a burst waits for company
    max_batch: int = 100
    max_attempts: int = 6
    first_backoff: float = 0.5  # real seconds before the first retry, doubling up to max_backoff
    max_backoff: float = 8.0
    timeout: float = ITR_TIMEOUT_SECONDS
    failures_kept: int = 50

    def backoff(self, attempt: int) -> float:
        return min(self.max_backoff, self.first_backoff * 2 ** (attempt - 1))


@dataclass
class Delivery:
    client_id: str
    body: bytes
    first_sequence: int
    last_sequence: int
    events: int
    attempts: int = 0


@dataclass
class AppTally:
    delivered_payloads: int = 0
    delivered_events: int = 0
    failed_attempts: int = 0
    abandoned_payloads: int = 0
    abandoned_events: int = 0
    last_sequence: int = 0


@dataclass
class _Tallies:
    emitted: int = 0
    unrouted: int = 0  # events of organisations no webhook app is connected to
    apps: dict[str, AppTally] = field(default_factory=dict)
    failures: deque[dict[str, Any]] = field(default_factory=deque)


class WebhookDeliverer:
    """An `EventSink`: `emit` only queues; a daemon thread (started on first use) does the posting."""

    def __init__(self, identity: XeroIdentity, *, ca_file: Path | str | None = None, settings: DeliverySettings | None = None):
        self.identity = identity
        self.store = identity.store
        self.ca_file = ca_file
        self.settings = settings or DeliverySettings()
        self._queue: queue.Queue[tuple[ChangeEvent, float]] = queue.Queue()
        self._retries: list[tuple[float, int, Delivery]] = []  # heap of (due, tiebreak, delivery)
        self._order = itertools.count()
        self._lock = threading.Condition()
        self._outstanding = 0  # events queued plus payloads not yet delivered or abandoned
        self._tallies = _Tallies()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # --- the sink ----------------------------------------------------------------------
    def emit(self, event: ChangeEvent) -> None:
        with self._lock:
            self._outstanding += 1
            self._tallies.emitted += 1
        self._start()
        self._queue.put((event, time.time()))

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every emitted event is delivered or given up on (for tests). False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._outstanding:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True

    def close(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.timeout + 1)

    # --- the worker --------------------------------------------------------------------
    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="xero-webhooks", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        with httpx.Client(verify=tls_context(self.ca_file), timeout=self.settings.timeout, follow_redirects=False) as client:
            while not self._stopping.is_set():
                batch = self._next_batch(wait=self._seconds_to_next_retry())
                if batch:
                    self._deliver_batch(client, batch)
                for delivery in self._due_retries():
                    self._attempt(client, delivery)

    def _deliver_batch(self, client: httpx.Client, batch: list[tuple[ChangeEvent, float]]) -> None:
        try:
            deliveries = self._deliveries(batch)
        except Exception:  # a broken batch must not stop the thread (or leave flush() waiting forever)
            logger.exception("could not build webhook payloads for %d event(s)", len(batch))
            with self._lock:
                self._outstanding -= len(batch)
                self._lock.notify_all()
            return
        for delivery in deliveries:
            self._attempt(client, delivery)

    def _seconds_to_next_retry(self) -> float:
        with self._lock:
            if not self._retries:
                return 0.5  # wake now and then to notice close()
            return max(0.0, min(0.5, self._retries[0][0] - time.monotonic()))

    def _next_batch(self, wait: float) -> list[tuple[ChangeEvent, float]]:
        try:
            batch = [self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.settings.batch_seconds
        while len(batch) < self.settings.max_batch:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=left))
            except queue.Empty:
                break
        return batch

    def _due_retries(self) -> list[Delivery]:
        now, due = time.monotonic(), []
        with self._lock:
            while self._retries and self._retries[0][0] <= now:
                due.append(heapq.heappop(self._retries)[2])
        return due

    # --- payloads ----------------------------------------------------------------------
    def subscribers(self, tenant_id: str) -> list[str]:
        """Client ids of the apps with a webhook that are connected to this organisation."""
        connected = self.identity.client_ids_connected_to(tenant_id)
        return sorted(client_id for client_id in connected if self._webhook_of(client_id) is not None)

    def _webhook_of(self, client_id: str) -> tuple[str, str] | None:
        app = self.identity.app(client_id) or {}
        url, key = app.get("webhook_url"), app.get("webhook_key")
        return (url, key) if url and key else None

    def _deliveries(self, batch: list[tuple[ChangeEvent, float]]) -> list[Delivery]:
        per_app: dict[str, list[dict[str, Any]]] = {}
        routes: dict[str, list[str]] = {}  # tenant → subscribers, looked up once per batch
        unrouted = 0
        for event, at in batch:
            if event.tenant_id not in routes:
                routes[event.tenant_id] = self.subscribers(event.tenant_id)
            client_ids = routes[event.tenant_id]
            unrouted += not client_ids
            for client_id in client_ids:
                per_app.setdefault(client_id, []).append(event_json(event, at))
        deliveries = [self._payload(client_id, events) for client_id, events in per_app.items()]
        with self._lock:
            self._tallies.unrouted += unrouted
            # The batch's events are now either in payloads or dropped; each payload is outstanding.
            self._outstanding += len(deliveries) - len(batch)
            self._lock.notify_all()
        return deliveries

    def _payload(self, client_id: str, events: list[dict[str, Any]]) -> Delivery:
        first = self._allocate_sequences(client_id, len(events))
        payload = {
            "events": events,
            "firstEventSequence": first,
            "lastEventSequence": first + len(events) - 1,
            "entropy": entropy(),
        }
        return Delivery(client_id, encode(payload), first, first + len(events) - 1, len(events))

    def _allocate_sequences(self, client_id: str, count: int) -> int:
        """A block of sequence numbers for one app's payload; kept in the store across restarts."""
        name = f"seq:webhook:{client_id}"
        with self.store.transaction():
            first = int(self.store.get_value(name, 0)) + 1
            self.store.set_value(name, first + count - 1)
        return first

    def _attempt(self, client: httpx.Client, delivery: Delivery) -> None:
        delivery.attempts += 1
        webhook = self._webhook_of(delivery.client_id)
        if webhook is None:
            self._give_up(delivery, "the app no longer has a webhook")
            return
        url, key = webhook
        try:
            response = client.post(
                url,
                content=delivery.body,
                headers={"content-type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(key, delivery.body)},
            )
            problem = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except Exception as error:  # any failure to post is a failed attempt (httpx errors, TLS, a bad URL…)
            problem = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        if problem is None:
            self._delivered(delivery)
        else:
            self._failed(delivery, url, problem)

    def _tally(self, client_id: str) -> AppTally:
        return self._tallies.apps.setdefault(client_id, AppTally())

    def _delivered(self, delivery: Delivery) -> None:
        with self._lock:
            tally = self._tally(delivery.client_id)
            tally.delivered_payloads += 1
            tally.delivered_events += delivery.events
            tally.last_sequence = max(tally.last_sequence, delivery.last_sequence)
            self._outstanding -= 1
            self._lock.notify_all()

    def _failed(self, delivery: Delivery, url: str, problem: str) -> None:
        with self._lock:
            self._tally(delivery.client_id).failed_attempts += 1
            self._tallies.failures.append(
                {
                    "client_id": delivery.client_id,
                    "url": url,
                    "attempt": delivery.attempts,
                    "problem": problem,
                    "first_sequence": delivery.first_sequence,
                    "last_sequence": delivery.last_sequence,
                    "at": event_date(time.time()),
                }
            )
            while len(self._tallies.failures) > self.settings.failures_kept:
                self._tallies.failures.popleft()
            if delivery.attempts < self.settings.max_attempts:
                due = time.monotonic() + self.settings.backoff(delivery.attempts)
                heapq.heappush(self._retries, (due, next(self._order), delivery))
                return
        self._give_up(delivery, f"gave up after {delivery.attempts} attempt(s)")

    def _give_up(self, delivery: Delivery, reason: str) -> None:
        with self._lock:
            tally = self._tally(delivery.client_id)
            tally.abandoned_payloads += 1
            tally.abandoned_events += delivery.events
            self._tallies.failures.append(
                {
                    "client_id": delivery.client_id,
                    "abandoned": True,
                    "reason": reason,
                    "first_sequence": delivery.first_sequence,
                    "last_sequence": delivery.last_sequence,
                    "at": event_date(time.time()),
                }
            )
            self._outstanding -= 1
            self._lock.notify_all()

    # --- stats ---------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "emitted": self._tallies.emitted,
                "unrouted": self._tallies.unrouted,
                "outstanding": self._outstanding,
                "retries_scheduled": len(self._retries),
                "apps": {client_id: vars(tally).copy() for client_id, tally in self._tallies.apps.items()},
                "failures": list(self._tallies.failures),
            }

    def reset_stats(self) -> None:
        with self._lock:
            self._tallies = _Tallies(
                apps={client_id: AppTally(last_sequence=t.last_sequence) for client_id, t in self._tallies.apps.items()}
            )


# --- intent to receive -------------------------------------------------------------------


@dataclass
class ItrCheck:
    name: str
    expected_status: int
    status: int | None = None
    body_length: int = 0
    sets_cookies: bool = False
    error: str | None = None

    def reasons(self) -> list[str]:
        if self.error is not None:
            return [f"{self.name}: {self.error}"]
        found = []
        if self.status != self.expected_status:
            found.append(f"{self.name}: expected HTTP {self.expected_status}, got HTTP {self.status}")
        if self.body_length:
            found.append(f"{self.name}: the response has a body ({self.body_length} bytes); it must be empty")
        if self.sets_cookies:
            found.append(f"{self.name}: the response sets cookies; it must not")
        return found


def _itr_post(client: httpx.Client, url: str, key: str, name: str, expected: int) -> ItrCheck:
    check = ItrCheck(name, expected)
    body = encode({"events": [], "firstEventSequence": 0, "lastEventSequence": 0, "entropy": entropy()})
    try:
        response = client.post(
            url, content=body, headers={"content-type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(key, body)}
        )
    except httpx.TimeoutException:
        check.error = f"no response within {ITR_TIMEOUT_SECONDS:g} seconds"
    except httpx.HTTPError as error:
        check.error = f"could not deliver ({type(error).__name__}: {error})"
    else:
        check.status, check.body_length = response.status_code, len(response.content)
        check.sets_cookies = "set-cookie" in response.headers
    return check


def intent_to_receive(url: str, key: str, *, ca_file: Path | str | None = None) -> dict[str, Any]:
    """Xero's check: a correctly signed empty payload gets 200, a wrongly signed one 401, both with no body."""
    wrong_key = new_webhook_key()
    with httpx.Client(verify=tls_context(ca_file), timeout=ITR_TIMEOUT_SECONDS, follow_redirects=False) as client:
        checks = [
            _itr_post(client, url, key, "correctly signed payload", 200),
            _itr_post(client, url, wrong_key, "incorrectly signed payload", 401),
        ]
    reasons = [reason for check in checks for reason in check.reasons()]
    parts = urlsplit(url)
    warnings = []
    if parts.scheme != "https" or (parts.port or 443) != 443:
        warnings.append("Xero only delivers to HTTPS on port 443; this URL works with the sandbox only")
    return {
        "url": url,
        "status": "OK" if not reasons else "FAILED",
        "passed": not reasons,
        "reasons": reasons,
        "warnings": warnings,
        "checks": [vars(check).copy() for check in checks],
    }


# --- control routes ------------------------------------------------------------------------


def _webhook_view(app: dict[str, Any]) -> dict[str, Any]:
    return {
        "client_id": app["client_id"],
        "webhook_url": app.get("webhook_url"),
        "webhook_key": app.get("webhook_key"),
        "intent_to_receive": app.get("webhook_itr"),
    }


def webhook_control_routes(identity: XeroIdentity, deliverer: WebhookDeliverer, prefix: str = "/_sandbox") -> list[Route]:
    """PUT/GET /_sandbox/webhooks/{client_id} and POST …/intent-to-receive (the token check is added by control.py)."""

    def app_or_404(request: Request) -> dict[str, Any] | None:
        return identity.app(request.path_params["client_id"])

    async def put_webhook(request: Request) -> Response:
        app = app_or_404(request)
        if app is None:
            return JSONResponse({"error": "not_found", "detail": "no such app"}, status_code=404)
        body = await json_object(request)
        url = body.get("url", body.get("webhook_url"))
        if url is not None and (
            not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname
        ):
            raise ControlError("url is an http(s) URL, or null to remove the webhook")
        key = body.get("key", body.get("webhook_key")) or app.get("webhook_key") or new_webhook_key()
        if not isinstance(key, str):
            raise ControlError("key is a string")
        app = identity.update_app(app["client_id"], webhook_url=url, webhook_key=key, webhook_itr=None)
        return JSONResponse(_webhook_view(app))

    async def get_webhook(request: Request) -> Response:
        app = app_or_404(request)
        if app is None:
            return JSONResponse({"error": "not_found", "detail": "no such app"}, status_code=404)
        tally = deliverer.stats()["apps"].get(app["client_id"], vars(AppTally()))
        return JSONResponse({**_webhook_view(app), "deliveries": tally})

    async def probe(request: Request) -> Response:
        app = app_or_404(request)
        if app is None:
            return JSONResponse({"error": "not_found", "detail": "no such app"}, status_code=404)
        if not app.get("webhook_url") or not app.get("webhook_key"):
            raise ControlError("the app has no webhook: PUT its URL first")
        result = await run_in_threadpool(intent_to_receive, app["webhook_url"], app["webhook_key"], ca_file=deliverer.ca_file)
        identity.update_app(app["client_id"], webhook_itr={"status": result["status"], "at": event_date(time.time())})
        return JSONResponse({"client_id": app["client_id"], **result})

    return [
        Route(prefix + "/webhooks/{client_id}", put_webhook, methods=["PUT"]),
        Route(prefix + "/webhooks/{client_id}", get_webhook, methods=["GET"]),
        Route(prefix + "/webhooks/{client_id}/intent-to-receive", probe, methods=["POST"]),
    ]
