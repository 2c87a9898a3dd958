"""Every sign-in page of the sandbox (Xero's and Microsoft's identity pages, the Xero and Dynamics apps' own) lists
the sandbox's (fake) users with their passwords, so that a newcomer can sign in without reading sandbox.json: read
off the page, a listed account signs in."""

from __future__ import annotations

import re
from html import unescape

import httpx

from tests.sandbox.microsoft.browser import is_consent, is_sign_in, submit
from tests.sandbox.microsoft.oauth import authorize_url
from tests.sandbox.test_xero_identity import authorize_query

HINT_ROW = re.compile(r"<tr><td>([^<]*)</td><td><code>([^<]*)</code></td>")


def listed_accounts(page: httpx.Response) -> list[tuple[str, str]]:
    """(email, password) of each row of the page's "Sandbox users" table."""
    section = page.text.split('id="sandbox-users"', 1)[1].split("</section>", 1)[0]
    return [(unescape(email), unescape(password)) for email, password in HINT_ROW.findall(section)]


def xero_log_in_page(browser: httpx.Client, sandbox) -> httpx.Response:
    page = browser.get(sandbox.url("xero-login") + "/identity/connect/authorize", params=authorize_query(sandbox.xero_app()))
    assert page.status_code == 200 and "Log in to Xero" in page.text
    return page


def test_the_xero_log_in_page_lists_every_sandbox_user_with_their_password(sandbox):
    with httpx.Client() as browser:
        listed = listed_accounts(xero_log_in_page(browser, sandbox))
    assert listed == [(user["email"], user["password"]) for user in sandbox.xero["users"]]


def test_the_xero_hint_names_each_users_organisations(sandbox):
    with httpx.Client() as browser:
        page = xero_log_in_page(browser, sandbox)
    names = {org["tenant_id"]: org["name"] for org in sandbox.xero["organisations"]}
    first = sandbox.xero["users"][0]
    row = page.text.split(f"<td>{first['email']}</td>", 1)[1].split("</tr>", 1)[0]
    assert all(unescape(names[tenant]) in unescape(row) for tenant in first["organisations"])


def test_a_newcomer_logs_in_to_xero_as_a_user_read_off_the_page(sandbox):
    query = authorize_query(sandbox.xero_app())
    with httpx.Client(base_url=sandbox.url("xero-login")) as browser:
        email, password = listed_accounts(xero_log_in_page(browser, sandbox))[-1]
        signed = browser.post("/identity/connect/authorize/signin", data={**query, "email": email, "password": password})
        assert signed.status_code == 303
        assert "wants to access your Xero data" in browser.get(signed.headers["location"]).text


def microsoft_web_app(sandbox) -> dict:
    return next(app for app in sandbox.manifest["microsoft"]["apps"] if app["kind"] == "web")


def test_the_microsoft_sign_in_page_lists_the_accounts_it_admits(sandbox):
    microsoft = sandbox.manifest["microsoft"]
    with httpx.Client() as browser:
        page = browser.get(authorize_url(microsoft, microsoft_web_app(sandbox), "openid profile offline_access"))
        assert is_sign_in(page)
        listed = listed_accounts(page)
    assert listed == [(user["email"], user["password"]) for user in microsoft["users"]]


def test_a_tenants_own_sign_in_page_lists_only_that_tenants_accounts(sandbox):
    microsoft = sandbox.manifest["microsoft"]
    tenant = microsoft["tenants"][0]["tenant_id"]
    with httpx.Client() as browser:
        page = browser.get(authorize_url(microsoft, microsoft_web_app(sandbox), "openid profile offline_access", tenant=tenant))
        listed = listed_accounts(page)
    expected = [(user["email"], user["password"]) for user in microsoft["users"] if user["tenant_id"] == tenant]
    assert listed == expected
    assert len(expected) < len(microsoft["users"]), "the seed has accounts in more than one tenant"


def test_a_newcomer_signs_in_to_microsoft_as_an_account_read_off_the_page(sandbox):
    microsoft = sandbox.manifest["microsoft"]
    with httpx.Client() as browser:
        page = browser.get(
            authorize_url(microsoft, microsoft_web_app(sandbox), "openid profile offline_access", prompt="consent")
        )
        email, password = listed_accounts(page)[0]
        assert is_consent(submit(browser, page, login=email, passwd=password))


def test_the_xero_apps_own_log_in_page_lists_every_sandbox_user_too(sandbox):
    with httpx.Client(base_url=sandbox.url("xero-app")) as browser:
        page = browser.get("/login")
        assert page.status_code == 200 and "Log in to Xero" in page.text
        listed = listed_accounts(page)
        email, password = listed[-1]
        signed = browser.post("/login", data={"email": email, "password": password, "next": "/organisations"})
    assert listed == [(user["email"], user["password"]) for user in sandbox.xero["users"]]
    assert signed.status_code == 303 and signed.headers["location"] == "/organisations"


def test_the_dynamics_apps_sign_in_page_lists_every_sandbox_account(sandbox):
    microsoft = sandbox.manifest["microsoft"]
    with httpx.Client(base_url=sandbox.url("dynamics-app")) as browser:
        page = browser.get("/signin")
        assert page.status_code == 200 and "to continue to Dynamics 365" in page.text
        listed = listed_accounts(page)
        email, password = listed[0]
        signed = browser.post("/signin", data={"login": email, "passwd": password})
    assert listed == [(user["email"], user["password"]) for user in microsoft["users"]]
    assert signed.status_code == 303, signed.text


def test_a_failed_sign_in_shows_the_hints_again(sandbox):
    with httpx.Client() as browser:
        xero = browser.post(sandbox.url("xero-app") + "/login", data={"email": "nobody@example.test", "password": "x"})
        dynamics = browser.post(sandbox.url("dynamics-app") + "/signin", data={"login": "nobody@example.test", "passwd": "x"})
    assert xero.status_code == dynamics.status_code == 400
    assert listed_accounts(xero) and listed_accounts(dynamics)
