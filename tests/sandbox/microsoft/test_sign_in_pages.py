"""The sign-in and consent pages a person sees (plain http on loopback), and how they answer the app."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.microsoft.browser import answer_of, forms_of, is_consent, is_sign_in, sign_in, submit
from tests.sandbox.microsoft.oauth import REDIRECT, authorize_url

SCOPE = "openid profile offline_access"


def discovery_scope(microsoft) -> str:
    return f"{microsoft['discovery_resource']}/user_impersonation {SCOPE}"


def test_the_pages_are_plain_http_on_their_own_host(sandbox, microsoft):
    assert microsoft["authorize_url"].startswith(sandbox.url("microsoft-login") + "/")
    assert sandbox.url("microsoft-login").startswith("http://127.0.0.1:")


def test_a_person_signs_in_then_sees_what_the_app_asks_for(microsoft, web_app, user):
    with httpx.Client() as browser:
        page = browser.get(authorize_url(microsoft, web_app, discovery_scope(microsoft), prompt="consent"))
        assert is_sign_in(page) and web_app["name"] in page.text
        page = submit(
            browser, page, login=user("sales@oakwood.sandbox")["email"], passwd=user("sales@oakwood.sandbox")["password"]
        )
        assert is_consent(page)
        assert "Access Dynamics 365 as organization users" in page.text
        assert "Maintain access to data you have given it access to" in page.text
        assert [value for _, value in forms_of(page)[0].buttons] == ["cancel", "accept"]
        answer = answer_of(submit(browser, page, button="accept"))
    assert answer["state"] == "st-1" and answer["code"].startswith("1.A")
    assert {"session_state", "client_info"} <= set(answer)


def test_cancelling_consent_sends_access_denied_back(microsoft, web_app, user):
    answer = sign_in(
        authorize_url(microsoft, web_app, discovery_scope(microsoft), prompt="consent"),
        user("sales@oakwood.sandbox"),
        consent="cancel",
    )
    assert (answer["error"], answer["error_subcode"], answer["state"]) == ("access_denied", "cancel", "st-1")
    assert answer["error_description"].startswith("AADSTS65004:")


def test_a_signed_in_person_who_consented_goes_straight_back(microsoft, web_app, user):
    with httpx.Client() as browser:
        sign_in(authorize_url(microsoft, web_app, discovery_scope(microsoft)), user("sales@oakwood.sandbox"), browser=browser)
        again = browser.get(authorize_url(microsoft, web_app, discovery_scope(microsoft), state="st-2"))
    assert again.status_code == 302 and answer_of(again)["state"] == "st-2"


def test_prompt_login_asks_for_the_password_again(microsoft, web_app, user):
    with httpx.Client() as browser:
        sign_in(authorize_url(microsoft, web_app, discovery_scope(microsoft)), user("sales@oakwood.sandbox"), browser=browser)
        assert is_sign_in(browser.get(authorize_url(microsoft, web_app, discovery_scope(microsoft), prompt="login")))


def test_prompt_none_without_a_session_answers_login_required(microsoft, web_app):
    answer = answer_of(httpx.get(authorize_url(microsoft, web_app, discovery_scope(microsoft), prompt="none")))
    assert answer["error"] == "login_required" and answer["error_description"].startswith("AADSTS50058:")


def test_the_login_hint_fills_in_the_email(microsoft, web_app):
    page = httpx.get(authorize_url(microsoft, web_app, discovery_scope(microsoft), login_hint="sales@oakwood.sandbox"))
    assert forms_of(page)[0].fields["login"] == "sales@oakwood.sandbox"


def test_a_wrong_password_is_refused_on_the_page(microsoft, web_app, user):
    with httpx.Client() as browser:
        page = browser.get(authorize_url(microsoft, web_app, discovery_scope(microsoft)))
        page = submit(browser, page, login=user("sales@oakwood.sandbox")["email"], passwd="wrong")
    assert page.status_code == 400 and "Your account or password is incorrect." in page.text


def test_a_tenant_specific_sign_in_refuses_people_from_other_tenants(microsoft, web_app, user):
    oakwood = user("sales@oakwood.sandbox")["tenant_id"]
    harbour = user("admin@harbourlights.sandbox")
    with httpx.Client() as browser:
        page = browser.get(authorize_url(microsoft, web_app, discovery_scope(microsoft), tenant=oakwood))
        page = submit(browser, page, login=harbour["email"], passwd=harbour["password"])
    assert page.status_code == 400 and "AADSTS50020" in page.text


def test_the_tenant_may_be_named_by_its_domain(microsoft, web_app, user):
    answer = sign_in(
        authorize_url(microsoft, web_app, discovery_scope(microsoft), tenant="oakwood.sandbox"), user("sales@oakwood.sandbox")
    )
    assert "code" in answer


def test_form_post_answers_with_a_form_that_posts_to_the_app(microsoft, web_app, user):
    with httpx.Client() as browser:
        page = browser.get(authorize_url(microsoft, web_app, discovery_scope(microsoft), response_mode="form_post"))
        page = submit(
            browser, page, login=user("sales@oakwood.sandbox")["email"], passwd=user("sales@oakwood.sandbox")["password"]
        )
        if is_consent(page):
            page = submit(browser, page, button="accept")
    form = forms_of(page)[0]
    assert (form.method, form.action) == ("post", REDIRECT) and {"code", "state"} <= set(form.fields)


def test_any_loopback_port_is_accepted_for_a_registered_redirect_uri(microsoft, web_app, user):
    answer = sign_in(
        authorize_url(microsoft, web_app, discovery_scope(microsoft), redirect_uri="http://127.0.0.1:8123/dynamics/callback/"),
        user("sales@oakwood.sandbox"),
    )
    assert "code" in answer


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"client_id": "00000000-0000-0000-0000-000000000001"}, "AADSTS700016"),
        ({"redirect_uri": "https://evil.example.com/cb"}, "AADSTS50011"),
        ({"redirect_uri": "http://127.0.0.1:8000/elsewhere/"}, "AADSTS50011"),
    ],
    ids=["unknown client", "foreign redirect", "other loopback path"],
)
def test_a_bad_client_or_redirect_uri_is_shown_not_redirected(microsoft, web_app, change, code):
    page = httpx.get(authorize_url(microsoft, web_app, discovery_scope(microsoft), **change))
    assert page.status_code == 400 and code in page.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "https://127.0.0.1:1/user_impersonation openid"}, "invalid_resource"),
        ({"scope": "https://127.0.0.1:1/Mail.Read openid"}, "invalid_scope"),
    ],
    ids=["implicit flow", "unknown resource", "unknown permission"],
)
def test_other_bad_requests_go_back_to_the_app_with_an_error(microsoft, web_app, change, error):
    query = {"scope": discovery_scope(microsoft), **change}
    answer = answer_of(httpx.get(authorize_url(microsoft, web_app, query.pop("scope"), **query)))
    assert answer["error"] == error and answer["state"] == "st-1"


def test_signing_out_forgets_the_session(microsoft, web_app, user):
    login = microsoft["authorize_url"].split("/organizations/")[0]
    with httpx.Client() as browser:
        sign_in(authorize_url(microsoft, web_app, discovery_scope(microsoft)), user("sales@oakwood.sandbox"), browser=browser)
        out = browser.get(
            f"{login}/organizations/oauth2/v2.0/logout", params={"post_logout_redirect_uri": "http://127.0.0.1:8000/"}
        )
        assert out.headers["location"] == "http://127.0.0.1:8000/"
        assert is_sign_in(browser.get(authorize_url(microsoft, web_app, discovery_scope(microsoft))))
