"""Play the person on the Xero sandbox's sign-in and consent pages, without a browser.

For the benchmarks and tests, which connect a connection to the sandbox Xero the way an admin does in the
portal: open the authorize URL, sign in, tick the organisations, allow (or deny). Only the sandbox's pages
are known here; the real Xero is always a person's job.
"""

from __future__ import annotations

from typing import Any

import httpx


class ConsentFailed(Exception):
    """A sandbox page did not answer as a person would expect (wrong password, unknown app…)."""


def xero_consent(
    login_url: str,
    authorize_url: str,
    user: dict[str, Any],
    *,
    tenants: int | None = 1,
    tenant_ids: list[str] | None = None,
    action: str = "allow",
) -> str:
    """Sign in as `user` (an entry of the manifest's Xero users) and answer the consent page; return where Xero
    sends the browser back (the app's redirect URI with `code` and `state`, or an error).

    The organisations ticked are the user's first `tenants` as the manifest lists them, or `tenant_ids` when given
    (e.g. organisations made since the manifest was written, which it does not list)."""
    query = dict(httpx.URL(authorize_url).params)
    with httpx.Client(base_url=login_url) as browser:
        _expect(browser.get(authorize_url), 200)
        _expect(
            browser.post(
                "/identity/connect/authorize/signin", data={**query, "email": user["email"], "password": user["password"]}
            ),
            303,
        )
        form: dict[str, Any] = {**query, "action": action}
        if tenant_ids is not None:
            form["tenant_id"] = tenant_ids
        elif tenants:
            form["tenant_id"] = user["organisations"][:tenants]
        answer = _expect(browser.post("/identity/connect/authorize/consent", data=form), 302)
    return answer.headers["location"]


def _expect(response: httpx.Response, status: int) -> httpx.Response:
    if response.status_code != status:
        raise ConsentFailed(
            f"{response.request.method} {response.request.url.path} answered {response.status_code}: {response.text[:300]}"
        )
    return response
