"""Signing in to the person's app and choosing one of the user's organisations."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.sandbox.xero_ui.clients import PASSWORD_ERROR


def test_the_app_is_a_plain_http_loopback_host_in_the_manifest(sandbox):
    url = sandbox.url("xero-app")
    assert url.startswith("http://127.0.0.1:")
    assert int(url.rsplit(":", 1)[1]) == int(sandbox.url("xero-login").rsplit(":", 1)[1]) + 3
    assert sandbox.xero["app_url"] == url


def test_pages_ask_for_sign_in_first_and_come_back_after_it(visitor, accountant, books):
    answer = visitor.http.get(books + "/invoices", params={"status": "PAID"})
    assert answer.status_code == 303
    location = urlsplit(answer.headers["location"])
    assert location.path == "/login"
    next_path = parse_qs(location.query)["next"][0]
    assert next_path == books + "/invoices?status=PAID"

    form = visitor.open("/login", next=next_path)
    assert form.status_code == 200 and form.heading == "Log in to Xero"
    assert form.field("next") == next_path
    signed_in = visitor.sign_in(accountant["email"], accountant["password"], next_path)
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, next_path)
    assert visitor.open(next_path).status_code == 200


def test_a_wrong_password_is_refused_on_the_page(visitor, accountant):
    answer = visitor.sign_in(accountant["email"], "not-the-password")
    assert answer.status_code == 400 and PASSWORD_ERROR in answer.text
    assert visitor.http.get("/organisations").status_code == 303  # still signed out


def test_emails_are_matched_like_xero_identity_does(visitor, accountant):
    assert visitor.sign_in(f"  {accountant['email'].upper()} ", accountant["password"]).status_code == 303


def test_sign_in_never_sends_the_person_to_another_site(visitor, accountant):
    answer = visitor.sign_in(accountant["email"], accountant["password"], "//evil.example/steal")
    assert answer.headers["location"] == "/organisations"


def test_the_person_chooses_among_their_own_organisations(person, sandbox, accountant):
    page = person.open("/organisations")
    names = {o["tenant_id"]: o["name"] for o in sandbox.xero["organisations"]}
    assert page.texts("//ul[@class='organisations']//a") == [names[tenant] for tenant in accountant["organisations"]]
    links = page.tree.xpath("//ul[@class='organisations']//a/@href")
    assert links == [f"/organisations/{tenant}/invoices" for tenant in accountant["organisations"]]
    invoices = person.open(links[1])
    assert invoices.status_code == 200 and invoices.text("//nav//p[@class='org']") == names[accountant["organisations"][1]]


def test_another_users_organisation_does_not_exist_for_this_person(person, sandbox, accountant):
    others = [o["tenant_id"] for o in sandbox.xero["organisations"] if o["tenant_id"] not in accountant["organisations"]]
    assert others
    page = person.open(f"/organisations/{others[0]}/invoices")
    assert page.status_code == 404 and page.heading == "Organisation not found"


def test_logging_out_ends_the_session(person, books):
    assert person.open(books + "/invoices").status_code == 200
    answer = person.submit("/logout")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert person.http.get(books + "/invoices").status_code == 303
