"""Control endpoints under /_sandbox/ on an API host: stats, limits, faults, clock.

They let tests and benchmarks steer a running sandbox and read what it saw. Each call must carry the
sandbox's control token (`X-Sandbox-Control`, written to sandbox.json). `ControlDispatch` sends these
paths to the control app before any limiter or fault layer sees them, so steering is never throttled
or failed. A service adds its own control routes (webhooks…) and stats sections.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dxsandbox.common.clock import ScaledClock
from dxsandbox.common.faults import (
    ErrorResponse,
    ExposeTransport,
    FaultInjector,
    FaultMiddleware,
    FaultPlan,
    default_error_response,
)
from dxsandbox.common.limits import LimitPolicy, RateLimiter, RateLimitMiddleware

PREFIX = "/_sandbox"
TOKEN_HEADER = "X-Sandbox-Control"


def new_control_token() -> str:
    return secrets.token_urlsafe(24)


class ControlError(Exception):
    """A bad control request: answered 400 with the message."""


@dataclass
class ControlPlane:
    """What one API host's control endpoints steer."""

    token: str
    clock: ScaledClock
    limiter: RateLimiter | None = None
    faults: FaultInjector | None = None
    stats_sources: dict[str, Callable[[], dict[str, Any]]] = field(default_factory=dict)  # extra sections of /stats
    resetters: list[Callable[[], None]] = field(default_factory=list)  # run by /reset-stats, next to the built-in ones
    answers: AnswerCounter | None = None  # set by build_api_host: calls and answers by status

    def stats(self) -> dict[str, Any]:
        body: dict[str, Any] = {"clock": {"scale": self.clock.scale, "now": self.clock.now()}}
        if self.answers is not None:
            body["calls"] = self.answers.calls
            body["answers"] = self.answers.by_status()
        if self.limiter is not None:
            body["limits"] = self.limiter.stats()
        if self.faults is not None:
            body["faults"] = self.faults.stats()
        if self.limiter is not None or self.faults is not None:
            # The two kinds of 429 apart: a client that went over a limit, and one the fault plan made up.
            body["too_many_requests"] = {
                "limits": body["limits"]["rate_limited_total"] if self.limiter is not None else 0,
                "injected": self.faults.injected["429"] if self.faults is not None else 0,
            }
        for name, source in self.stats_sources.items():
            body[name] = source()
        return body

    def reset_stats(self) -> None:
        if self.answers is not None:
            self.answers.reset()
        if self.limiter is not None:
            self.limiter.reset_stats()
        if self.faults is not None:
            self.faults.reset_stats()
        for reset in self.resetters:
            reset()


Handler = Callable[[Request], Awaitable[Response]]


NO_ANSWER = "none"  # the connection was closed without a response (an injected timeout or dropped answer)


class AnswerCounter:
    """Outside every limiter and fault layer: how many calls a host saw and what each was answered, by
    status (`"none"`: the connection was cut before any answer), so 429s, 5xx and lost answers can be
    told apart from what the client saw."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.calls = 0
        self._answers: dict[str, int] = {}

    def reset(self) -> None:
        self.calls = 0
        self._answers = {}

    def by_status(self) -> dict[str, int]:
        return dict(sorted(self._answers.items()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.calls += 1
        answered: list[int] = []

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start" and not answered:
                answered.append(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, counted)
        finally:
            key = str(answered[0]) if answered else NO_ANSWER
            self._answers[key] = self._answers.get(key, 0) + 1


def protected(plane: ControlPlane, handler: Handler) -> Handler:
    """Refuse calls without the control token; turn ControlError and bad JSON into 400s."""

    async def guarded(request: Request) -> Response:
        offered = request.headers.get(TOKEN_HEADER, "")
        if not offered or not secrets.compare_digest(offered.encode(), plane.token.encode()):
            return JSONResponse({"error": "unauthorized", "detail": f"send the control token in {TOKEN_HEADER}"}, status_code=401)
        try:
            return await handler(request)
        except ControlError as error:
            return JSONResponse({"error": "bad_request", "detail": str(error)}, status_code=400)

    return guarded


async def json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError("the body is not JSON") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def control_routes(plane: ControlPlane, extra: list[BaseRoute] | None = None) -> list[BaseRoute]:
    async def stats(request: Request) -> Response:
        return JSONResponse(plane.stats())

    async def reset_stats(request: Request) -> Response:
        plane.reset_stats()
        return JSONResponse(plane.stats())

    async def put_limits(request: Request) -> Response:
        if plane.limiter is None:
            raise ControlError("this host has no limits")
        body = await json_object(request)
        enabled = body.pop("enabled", None)
        reset_usage = bool(body.pop("reset_usage", False))
        if body.pop("defaults", False):
            plane.limiter.restore_defaults()
        if enabled is not None and not isinstance(enabled, bool):
            raise ControlError("enabled is true or false")
        try:
            settings = plane.limiter.configure(enabled=enabled, limits=body, reset_usage=reset_usage)
        except ValueError as error:
            raise ControlError(str(error)) from None
        return JSONResponse(settings)

    async def put_faults(request: Request) -> Response:
        if plane.faults is None:
            raise ControlError("this host has no fault injection")
        try:
            plan = FaultPlan.from_json(await json_object(request))
        except (ValueError, TypeError) as error:
            raise ControlError(str(error)) from None
        plane.faults.set_plan(plan)
        return JSONResponse(plane.faults.stats())

    async def put_clock(request: Request) -> Response:
        body = await json_object(request)
        scale = body.get("scale")
        if isinstance(scale, bool) or not isinstance(scale, int | float) or scale <= 0:
            raise ControlError("scale is a positive number: simulated seconds per real second")
        plane.clock.set_scale(float(scale))
        return JSONResponse({"scale": plane.clock.scale, "now": plane.clock.now()})

    routes: list[tuple[str, Handler, str]] = [
        ("/stats", stats, "GET"),
        ("/reset-stats", reset_stats, "POST"),
        ("/limits", put_limits, "PUT"),
        ("/faults", put_faults, "PUT"),
        ("/clock", put_clock, "PUT"),
    ]
    built: list[BaseRoute] = [
        Route(PREFIX + path, protected(plane, handler), methods=[method]) for path, handler, method in routes
    ]
    for route in extra or []:
        if isinstance(route, Route):
            route = Route(
                route.path, protected(plane, route.endpoint), methods=list(route.methods or []) or None, name=route.name
            )
        built.append(route)
    return built


def build_control_app(plane: ControlPlane, extra: list[BaseRoute] | None = None) -> Starlette:
    """`extra` routes take full paths under PREFIX and get the same token check."""
    return Starlette(routes=control_routes(plane, extra))


class ControlDispatch:
    """Send /_sandbox/… to the control app and everything else to the (limited, faulty) service app."""

    def __init__(self, app: ASGIApp, control: ASGIApp, prefix: str = PREFIX):
        self.app = app
        self.control = control
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] in ("http", "websocket") else ""
        if path == self.prefix or path.startswith(self.prefix + "/"):
            await self.control(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def control_headers(token: str) -> Mapping[str, str]:
    return {TOKEN_HEADER: token}


def build_api_host(
    service: ASGIApp,
    plane: ControlPlane,
    *,
    limit_policy: LimitPolicy | None = None,
    fault_response: ErrorResponse = default_error_response,
    extra_routes: list[BaseRoute] | None = None,
) -> ASGIApp:
    """An API host as the sandbox serves it, outside in: the connection kept reachable (to cut it), the
    control routes, the counter of calls and answers, the rate limiter, the fault injector, then the
    service itself.

    The limiter sits outside the faults so that an injected delay, timeout or dropped answer holds a
    concurrency slot and counts against the quotas like a slow or failed call on the real service does
    (an injected 429 is refunded, as real ones never count).

    A service that enforces its limits itself, after it knows the caller (Dataverse: per systemuser, once
    the token is checked), passes its limiter on the plane and no `limit_policy`: the control routes then
    steer and report that limiter, and the faults sit outside it (an injected failure never reaches it).
    """
    app = service
    if plane.faults is not None:
        app = FaultMiddleware(app, plane.faults, exempt_prefixes=(PREFIX + "/",), error_response=fault_response)
    if plane.limiter is not None and limit_policy is not None:
        app = RateLimitMiddleware(app, plane.limiter, limit_policy, exempt_prefixes=(PREFIX + "/",))
    counter = AnswerCounter(app)
    plane.answers = counter
    return ExposeTransport(ControlDispatch(counter, build_control_app(plane, extra_routes)))
