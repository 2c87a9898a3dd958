"""POST /_sandbox/organisations on a running sandbox of our own: new Xero organisations, each with its own books and
rate limits, which the users given access choose on the consent page and then find in GET /connections."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from dxsandbox.common.control import TOKEN_HEADER
from dxsandbox.consent import ConsentFailed, xero_consent
from tests.sandbox.xero_helpers import REDIRECT, authorize_query, exchange
from tests.sandboxes import start_sandbox

OAKWOOD = "7f1c2a4e-0b5d-4c1e-9a7e-1d2c3b4a5f60"  # a seeded organisation of New Zealand, the accountant's first


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("organisations-sandbox"), "--time-scale", "1")
    yield running
    running.stop()


@pytest.fixture
def control(sandbox):
    with httpx.Client(
        base_url=sandbox.xero["control_url"], verify=sandbox.tls, headers={TOKEN_HEADER: sandbox.manifest["control"]["token"]}
    ) as client:
        client.put("/limits", json={"defaults": True, "enabled": True, "reset_usage": True}).raise_for_status()
        yield client


def user(sandbox, email: str) -> dict:
    return next(u for u in sandbox.xero["users"] if u["email"] == email)


def create(control: httpx.Client, **body) -> list[dict]:
    answer = control.post("/organisations", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["organisations"]


def consent_page(sandbox, email: str) -> str:
    """The consent page `email` sees when the connector's app asks for access."""
    app, person = sandbox.xero_app(), user(sandbox, email)
    query = authorize_query(app)
    with httpx.Client(base_url=sandbox.url("xero-login")) as browser:
        signed = browser.post(
            "/identity/connect/authorize/signin", data={**query, "email": person["email"], "password": person["password"]}
        )
        assert signed.status_code == 303, signed.text
        page = browser.get(signed.headers["location"])
    assert page.status_code == 200, page.text
    return page.text


def connect(sandbox, email: str, tenant_ids: list[str]) -> str:
    """Consent to `tenant_ids` as `email` and exchange the code: the access token."""
    app = sandbox.xero_app()
    authorize_url = sandbox.xero["authorize_url"] + "?" + urlencode(authorize_query(app))
    location = xero_consent(sandbox.url("xero-login"), authorize_url, user(sandbox, email), tenant_ids=tenant_ids)
    assert location.startswith(REDIRECT), location
    code = parse_qs(urlsplit(location).query)["code"][0]
    tokens = exchange(sandbox, app, code)
    assert tokens.status_code == 200, tokens.text
    return tokens.json()["access_token"]


def api(sandbox, token: str, tenant_id: str, path: str) -> httpx.Response:
    return httpx.get(
        sandbox.xero["api_url"] + path,
        verify=sandbox.tls,
        headers={"Authorization": f"Bearer {token}", "xero-tenant-id": tenant_id, "Accept": "application/json"},
    )


def test_it_makes_an_organisation_the_named_user_then_connects_to(sandbox, control):
    [made] = create(control, name="Harbour Lights Ltd", country_code="NZ", users=["accountant@xero.sandbox"])
    assert made["name"] == "Harbour Lights Ltd" and made["country_code"] == "NZ" and made["base_currency"] == "NZD"
    assert made["tenant_id"] not in {org["tenant_id"] for org in sandbox.xero["organisations"]}

    assert f"value='{made['tenant_id']}'" in consent_page(sandbox, "accountant@xero.sandbox")
    token = connect(sandbox, "accountant@xero.sandbox", [made["tenant_id"]])

    connections = httpx.get(
        sandbox.xero["connections_url"], verify=sandbox.tls, headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert {"tenantId": made["tenant_id"], "tenantName": "Harbour Lights Ltd"}.items() <= next(
        c for c in connections if c["tenantId"] == made["tenant_id"]
    ).items()
    [organisation] = api(sandbox, token, made["tenant_id"], "/Organisation").json()["Organisations"]
    assert (organisation["OrganisationID"], organisation["Name"]) == (made["tenant_id"], "Harbour Lights Ltd")
    assert organisation["ShortCode"] == made["short_code"] and organisation["ShortCode"].startswith("!")


def test_a_new_organisation_starts_with_the_books_a_seeded_one_of_its_country_has(sandbox, control):
    [made] = create(control, name="Kauri Supplies Ltd", country_code="NZ", users=["accountant@xero.sandbox"])
    token = connect(sandbox, "accountant@xero.sandbox", [made["tenant_id"], OAKWOOD])

    def reference(tenant_id: str, path: str, key: str, field: str) -> list[tuple]:
        rows = api(sandbox, token, tenant_id, path).json()[key]
        return sorted((row[field], row.get("Name"), row.get("Status")) for row in rows)

    for path, key, field in (
        ("/Accounts", "Accounts", "Code"),
        ("/TaxRates", "TaxRates", "TaxType"),
        ("/Currencies", "Currencies", "Code"),
        ("/BrandingThemes", "BrandingThemes", "Name"),
        ("/TrackingCategories", "TrackingCategories", "Name"),
    ):
        theirs = reference(made["tenant_id"], path, key, field)
        assert theirs and theirs == reference(OAKWOOD, path, key, field), path
    accounts = api(sandbox, token, made["tenant_id"], "/Accounts").json()["Accounts"]
    assert len({account["AccountID"] for account in accounts}) == len(accounts)
    oakwood_ids = {account["AccountID"] for account in api(sandbox, token, OAKWOOD, "/Accounts").json()["Accounts"]}
    assert not oakwood_ids & {account["AccountID"] for account in accounts}  # its own records, not Oakwood's


def test_a_user_not_given_access_never_sees_the_new_organisation(sandbox, control):
    [made] = create(control, name="Private Orchard Ltd", country_code="GB", users=["accountant@xero.sandbox"])
    assert made["base_currency"] == "GBP"
    assert "Private Orchard Ltd" not in consent_page(sandbox, "bookkeeper@xero.sandbox")
    with pytest.raises(ConsentFailed, match="answered 400"):  # the consent page refuses an organisation not the user's
        connect(sandbox, "bookkeeper@xero.sandbox", [made["tenant_id"]])


def test_count_makes_that_many_organisations_each_its_own(sandbox, control):
    made = create(control, name="Fleet", country_code="AU", users=["bookkeeper@xero.sandbox"], count=3)
    assert [org["name"] for org in made] == ["Fleet 1", "Fleet 2", "Fleet 3"]
    assert len({org["tenant_id"] for org in made}) == 3 and len({org["short_code"] for org in made}) == 3
    page = consent_page(sandbox, "bookkeeper@xero.sandbox")
    assert all(f"value='{org['tenant_id']}'" in page for org in made)


def test_each_new_organisation_has_rate_limits_of_its_own(sandbox, control):
    first, second = create(control, name="Budget", country_code="NZ", users=["accountant@xero.sandbox"], count=2)
    token = connect(sandbox, "accountant@xero.sandbox", [first["tenant_id"], second["tenant_id"]])
    control.put("/limits", json={"minute": 2, "reset_usage": True}).raise_for_status()
    assert [api(sandbox, token, first["tenant_id"], "/Organisation").status_code for _ in range(3)] == [200, 200, 429]
    assert api(sandbox, token, second["tenant_id"], "/Organisation").status_code == 200


@pytest.mark.parametrize(
    "body, says",
    [
        ({"name": "Nowhere Ltd", "country_code": "US", "users": []}, "country_code"),
        ({"name": "Stranger Ltd", "users": ["nobody@xero.sandbox"]}, "nobody@xero.sandbox"),
        ({"name": "", "users": []}, "name"),
        ({"name": "Many", "users": [], "count": 0}, "count"),
    ],
)
def test_it_refuses_a_bad_request_and_makes_nothing(sandbox, control, body, says):
    answer = control.post("/organisations", json=body)
    assert answer.status_code == 400 and says in answer.json()["detail"], answer.text
    assert (body["name"] or "Many") not in consent_page(sandbox, "accountant@xero.sandbox")


def test_it_needs_the_control_token(sandbox):
    answer = httpx.post(sandbox.xero["control_url"] + "/organisations", json={"name": "Sneaky Ltd"}, verify=sandbox.tls)
    assert answer.status_code == 401
