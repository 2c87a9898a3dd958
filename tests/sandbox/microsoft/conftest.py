"""Fixtures for the Microsoft sandbox tests: its manifest, MSAL clients, and tokens got the way a browser gets them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msal
import pytest

from tests.sandbox.microsoft.browser import sign_in
from tests.sandbox.microsoft.oauth import authorize_url, redeem


@pytest.fixture(autouse=True)
def requests_uses_the_verify_it_is_given(monkeypatch):
    """requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a Session's `verify` (psf/requests#3829), which would
    make MSAL ignore `verify=<sandbox CA>` on machines that set them; the tests run as if they were unset."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


@pytest.fixture(scope="session")
def microsoft(sandbox) -> dict[str, Any]:
    return sandbox.manifest["microsoft"]


@pytest.fixture(scope="session")
def web_app(microsoft) -> dict[str, Any]:
    return next(app for app in microsoft["apps"] if app["kind"] == "web")


@pytest.fixture(scope="session")
def daemon_app(microsoft) -> dict[str, Any]:
    return next(app for app in microsoft["apps"] if app["kind"] == "daemon")


@pytest.fixture(scope="session")
def user(microsoft) -> Callable[[str], dict[str, Any]]:
    def find(email: str) -> dict[str, Any]:
        return next(u for u in microsoft["users"] if u["email"] == email)

    return find


@pytest.fixture(scope="session")
def organisation(microsoft) -> Callable[[str], dict[str, Any]]:
    def find(unique_name: str) -> dict[str, Any]:
        return next(o for o in microsoft["organisations"] if o["unique_name"] == unique_name)

    return find


@pytest.fixture
def msal_app(sandbox, microsoft, web_app):
    """An unmodified MSAL confidential client pointed at the sandbox: https authority, the sandbox's CA, and no
    instance discovery (which would ask login.microsoftonline.com whether a 127.0.0.1 authority is known)."""
    built: list[msal.ConfidentialClientApplication] = []

    def build(
        app: dict[str, Any] | None = None,
        *,
        authority: str | None = None,
        secret: str | None = None,
        cache: msal.TokenCache | None = None,
    ) -> msal.ConfidentialClientApplication:
        app = app or web_app
        built.append(
            msal.ConfidentialClientApplication(
                app["client_id"],
                client_credential=secret or app["client_secret"],
                authority=authority or microsoft["authority"],
                verify=sandbox.ca_file,
                instance_discovery=False,
                token_cache=cache,
            )
        )
        return built[-1]

    yield build
    for client in built:
        client.http_client.close()  # idle keep-alive TLS connections would hold up the sandbox's shutdown


@pytest.fixture(scope="session")
def user_tokens(sandbox, microsoft, web_app):
    """Tokens for (email, scope) through the real pages and token endpoint; cached, as tokens are only read."""
    cache: dict[tuple[str, str], dict[str, Any]] = {}

    def get(email: str, scope: str) -> dict[str, Any]:
        if (email, scope) not in cache:
            person = next(u for u in microsoft["users"] if u["email"] == email)
            answer = sign_in(authorize_url(microsoft, web_app, f"{scope} openid profile offline_access"), person)
            response = redeem(sandbox, microsoft, web_app, answer["code"], client_info="1")
            assert response.status_code == 200, response.text
            cache[(email, scope)] = response.json()
        return cache[(email, scope)]

    return get
