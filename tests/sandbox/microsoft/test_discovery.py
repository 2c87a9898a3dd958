"""Global Discovery: each person sees the organisations they belong to, by key, region, $select and $filter."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.microsoft.oauth import app_token

DOCUMENTED = {"Id", "UniqueName", "UrlName", "FriendlyName", "State", "Version", "Url", "ApiUrl", "LastUpdated"}


@pytest.fixture
def discover(sandbox, microsoft, user_tokens):
    """GET Instances… as a person (by email), or with an explicit access token."""

    def get(path: str = "", *, email: str = "admin@oakwood.sandbox", token: str | None = None, **params: str) -> httpx.Response:
        token = token or user_tokens(email, f"{microsoft['discovery_resource']}/user_impersonation")["access_token"]
        return httpx.get(
            microsoft["discovery_url"] + path, params=params, headers={"Authorization": f"Bearer {token}"}, verify=sandbox.tls
        )

    return get


def unique_names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(instance["UniqueName"] for instance in response.json()["value"])


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("admin@oakwood.sandbox", ["org1a2b3c4d", "org5e6f7a8b"]),
        ("sales@oakwood.sandbox", ["org1a2b3c4d"]),
        ("admin@harbourlights.sandbox", ["org9c0d1e2f"]),
        ("newstarter@harbourlights.sandbox", []),
    ],
)
def test_each_person_sees_only_their_organisations(discover, email, expected):
    assert unique_names(discover(email=email)) == expected


def test_an_instance_carries_the_documented_fields_and_points_at_dataverse(discover, organisation):
    body = discover(email="sales@oakwood.sandbox").json()
    [found] = body["value"]
    org = organisation("org1a2b3c4d")
    assert set(found) >= DOCUMENTED
    assert body["@odata.context"].endswith("/api/discovery/v2.0/$metadata#Instances")
    assert (found["Id"], found["UrlName"], found["FriendlyName"], found["State"], found["Version"]) == (
        org["id"],
        "oakwood-sales",
        "Oakwood Sales",
        0,
        "9.2.25113.00174",
    )
    assert found["Url"] == found["ApiUrl"] == org["url"]
    assert (found["TenantId"], found["Region"], found["IsUserSysAdmin"]) == (org["tenant_id"], "OCE", False)


def test_the_sysadmin_flag_follows_the_persons_role(discover):
    assert all(instance["IsUserSysAdmin"] for instance in discover().json()["value"])


def test_an_instance_by_id_or_unique_name_is_a_single_entity(discover, organisation):
    org = organisation("org5e6f7a8b")
    by_id = discover(f"({org['id']})").json()
    by_name = discover("(UniqueName='org5e6f7a8b')").json()
    assert by_id["@odata.context"].endswith("$metadata#Instances/$entity")
    assert by_id["UniqueName"] == "org5e6f7a8b" and by_name["Id"] == org["id"]


def test_someone_elses_instance_is_not_found(discover):
    assert discover("(UniqueName='org9c0d1e2f')").status_code == 404


def test_instances_by_region_are_a_list(discover):
    assert unique_names(discover("(Region='OCE')")) == ["org1a2b3c4d", "org5e6f7a8b"]
    assert unique_names(discover("(Region='NA')")) == []


def test_select_narrows_the_fields(discover):
    body = discover(**{"$select": "UniqueName,Url"}).json()
    assert body["@odata.context"].endswith("#Instances(UniqueName,Url)")
    assert all(set(instance) == {"UniqueName", "Url"} for instance in body["value"])


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("State eq 0", ["org1a2b3c4d", "org5e6f7a8b"]),
        ("State eq 1", []),
        ("UniqueName eq 'org5e6f7a8b'", ["org5e6f7a8b"]),
        ("Purpose eq 'Sandbox' or UniqueName eq 'org1a2b3c4d'", ["org1a2b3c4d", "org5e6f7a8b"]),
        ("(Purpose eq 'Sandbox' or Purpose eq 'Production') and State ne 0", []),
    ],
)
def test_filters_work(discover, expression, expected):
    assert unique_names(discover(**{"$filter": expression})) == expected


def test_a_filter_on_an_unknown_property_is_a_bad_request(discover):
    response = discover(**{"$filter": "Colour eq 'red'"})
    assert response.status_code == 400 and "Colour" in response.json()["error"]["message"]


def test_without_a_token_discovery_answers_with_a_bearer_challenge(sandbox, microsoft):
    response = httpx.get(microsoft["discovery_url"], verify=sandbox.tls)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ") and f'resource_id="{microsoft["discovery_resource"]}/"' in challenge


def test_a_token_for_another_audience_is_refused(discover, user_tokens, organisation):
    org_token = user_tokens("admin@oakwood.sandbox", organisation("org1a2b3c4d")["url"] + "/user_impersonation")["access_token"]
    assert discover(token=org_token).status_code == 401


def test_an_app_only_token_discovers_nothing(sandbox, microsoft, daemon_app, discover, organisation):
    token = app_token(sandbox, microsoft, daemon_app, organisation("org1a2b3c4d")["tenant_id"], microsoft["discovery_resource"])
    assert unique_names(discover(token=token["access_token"])) == []
