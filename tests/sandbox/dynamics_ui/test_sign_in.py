"""Signing in to the Dynamics 365 app with a sandbox Microsoft user, and choosing one of their organisations."""

from __future__ import annotations

from contextlib import closing

import httpx

from tests.sandbox.dynamics_ui.helpers import html, sign_in


def organisations_listed(client: httpx.Client) -> list[str]:
    page = client.get("/orgs")
    assert page.status_code == 200, page.text
    return [item.xpath(".//a")[0].text_content() for item in html(page).xpath("//li[@class='org']")]


def test_the_app_is_a_plain_http_host_in_the_manifest(sandbox, microsoft, app_url):
    assert app_url == sandbox.url("dynamics-app")
    assert app_url.startswith("http://127.0.0.1:")


def test_a_page_asks_for_a_sign_in_then_opens(app_url, user, organisation):
    target = f"/orgs/{organisation('Oakwood Sales')['unique_name']}/accounts"
    with httpx.Client(base_url=app_url) as browser:
        asked = browser.get(target)
        assert asked.status_code == 303 and asked.headers["location"].startswith("/signin?next=")
        form = browser.get(asked.headers["location"])
        assert html(form).xpath("//input[@name='next']")[0].get("value") == target
        person = user("sales@oakwood.sandbox")
        signed = browser.post("/signin", data={"login": person["email"], "passwd": person["password"], "next": target})
        assert signed.status_code == 303 and signed.headers["location"] == target
        assert "Active Accounts" in browser.get(target).text


def test_a_wrong_password_is_refused_on_the_page(app_url):
    response = httpx.post(f"{app_url}/signin", data={"login": "sales@oakwood.sandbox", "passwd": "wrong"})
    assert response.status_code == 400
    assert "Your account or password is incorrect." in response.text
    assert "dynamics_app_session" not in response.cookies


def test_a_person_sees_only_their_own_organisations(app_url, user):
    expected = {
        "admin@oakwood.sandbox": ["Oakwood Sales", "Oakwood Sales (Test)"],
        "sales@oakwood.sandbox": ["Oakwood Sales"],
        "admin@harbourlights.sandbox": ["Harbour Lights Trading"],
        "newstarter@harbourlights.sandbox": [],
    }
    for email, names in expected.items():
        with closing(sign_in(app_url, user(email))) as client:
            assert organisations_listed(client) == names, email
            if not names:
                assert "You don't have access to any Dynamics 365 organisation." in client.get("/orgs").text


def test_an_organisation_the_person_does_not_belong_to_is_refused(app_url, user, organisation):
    with closing(sign_in(app_url, user("sales@oakwood.sandbox"))) as client:
        refused = client.get(f"/orgs/{organisation('Oakwood Sales (Test)')['unique_name']}/accounts")
    assert refused.status_code == 403
    assert "sales@oakwood.sandbox is not a member of it." in refused.text


def test_the_organisation_page_shows_who_is_working_in_it(person):
    page = person("noaccountwrite@oakwood.sandbox").get("invoices")
    assert page.status_code == 200
    top = html(page).xpath("//div[@class='topbar']")[0].text_content()
    assert "Oakwood Sales" in top and "Nico Noaccount · Salesperson (no account write)" in top


def test_signing_out_ends_the_session(app_url, user, organisation):
    with closing(sign_in(app_url, user("sales@oakwood.sandbox"))) as client:
        assert client.post("/signout").headers["location"] == "/signin"
        after = client.get(f"/orgs/{organisation('Oakwood Sales')['unique_name']}/accounts")
    assert after.status_code == 303 and after.headers["location"].startswith("/signin")
