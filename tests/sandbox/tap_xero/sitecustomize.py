"""Sends what a Python process asks of Xero's own hosts through `requests` to the sandbox's, before anything is sent.

tap-xero writes Xero's hosts into its code (identity.xero.com for the token call, api.xero.com for the Accounting
API), with no setting to change them; the sandbox serves each host on a loopback port of its own (sandbox.json's
"hosts"). Every request the tap makes goes through `requests.Session.send` (its token call by way of
`Session.post`, its API calls directly), so rewriting the scheme, host and port there points the whole tap at the
sandbox, and its TLS is checked against the sandbox's CA alone. The path and query are left as the tap wrote them.

Python imports this module at start-up when its folder is on PYTHONPATH; the test puts it there for the tap's
process only. SANDBOX_XERO_HOSTS maps each of Xero's hosts to the sandbox's URL for it (JSON); SANDBOX_CA_FILE is
the sandbox's CA.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def redirect_hosts(host_urls: dict[str, str], ca_file: str) -> None:
    import requests

    targets = {host: urlsplit(url) for host, url in host_urls.items()}
    send = requests.Session.send

    def redirected_send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        target = targets.get(parts.hostname or "")
        if target is not None:
            request.url = urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))
            kwargs["verify"] = ca_file
        return send(self, request, **kwargs)

    requests.Session.send = redirected_send  # type: ignore[method-assign]


if os.environ.get("SANDBOX_XERO_HOSTS"):
    redirect_hosts(json.loads(os.environ["SANDBOX_XERO_HOSTS"]), os.environ["SANDBOX_CA_FILE"])
