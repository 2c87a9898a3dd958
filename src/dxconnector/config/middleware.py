"""Each web request's id, in its log lines and in its answer's `X-Request-ID` header.

The id is the proxy's own when it sends a well-formed `X-Request-ID` (nginx: `proxy_set_header X-Request-ID
$request_id;`), so the proxy's access log and ours meet; otherwise a new one. It stays bound until the answer is closed
(`request_finished`), after Django has logged the answer's status ("Not Found: /…"), so that line carries it too.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponseBase

from dxconnector import logs

HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id_of(request: HttpRequest) -> str:
    given = request.headers.get(HEADER, "")
    return given if _WELL_FORMED.fullmatch(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_of(request)
        logs.begin_request(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _request_over(**kwargs: Any) -> None:
    logs.end_request()


request_finished.connect(_request_over, dispatch_uid="dxconnector-request-id")
