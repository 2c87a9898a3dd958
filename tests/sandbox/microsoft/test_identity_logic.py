"""The identity logic in-process, with a clock the test moves: expiry and the rules no one waits an hour to see."""

from __future__ import annotations

import pytest

from dxsandbox.common.store import DocumentStore
from dxsandbox.microsoft import seed
from dxsandbox.microsoft.discovery import PROPERTIES, QueryError, instance, parse_filter, parse_key
from dxsandbox.microsoft.errors import EntraError
from dxsandbox.microsoft.identity import MicrosoftIdentity, canonical_origin, split_resource_scope

ORG_URL = "https://127.0.0.1:9414"
DISCOVERY_URL = "https://127.0.0.1:9412"
REDIRECT = "http://127.0.0.1:8000/dynamics/callback/"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def identity(clock) -> MicrosoftIdentity:
    identity = MicrosoftIdentity(DocumentStore(":memory:"), now=clock)
    identity.configure(login_url="http://127.0.0.1:9410", identity_url="https://127.0.0.1:9411")
    identity.add_resource(DISCOVERY_URL, "discovery")
    identity.add_resource(ORG_URL, "dataverse", seed.ORGANISATIONS[0]["id"])
    return identity


def tokens_for(identity: MicrosoftIdentity, scope: str = f"{ORG_URL}/user_impersonation openid profile offline_access") -> dict:
    tenant, app = identity.check_client("organizations", seed.WEB_APP_ID, REDIRECT)
    request = identity.read_authorization(tenant, app, REDIRECT, {"response_type": "code", "scope": scope})
    user = identity.sign_in("admin@oakwood.sandbox", seed.PASSWORD)
    identity.grant_consent(app, user, request.scopes)
    code = identity.issue_code(request, user, identity.now())
    return identity.redeem_code(tenant, app, code, REDIRECT, None, client_info=True)


def test_a_token_is_valid_for_its_audience_until_it_expires(identity, clock):
    token = tokens_for(identity)["access_token"]
    assert identity.validate(token, ORG_URL + "/")["aud"] == ORG_URL
    assert identity.validate(token, "https://localhost:9414") is not None  # loopback names are one host
    assert identity.validate(token, DISCOVERY_URL) is None
    clock.now += 4501
    assert identity.validate(token, ORG_URL) is None


def test_a_token_from_another_issuer_is_refused(identity):
    token = tokens_for(identity)["access_token"]
    identity.configure(login_url="http://127.0.0.1:1", identity_url="https://127.0.0.1:2")
    assert identity.validate(token, ORG_URL) is None


def test_a_code_expires_after_ten_minutes(identity, clock):
    tenant, app = identity.check_client("organizations", seed.WEB_APP_ID, REDIRECT)
    request = identity.read_authorization(tenant, app, REDIRECT, {"response_type": "code", "scope": f"{ORG_URL}/.default openid"})
    code = identity.issue_code(request, identity.sign_in("sales@oakwood.sandbox", seed.PASSWORD), clock.now)
    clock.now += 601
    with pytest.raises(EntraError) as raised:
        identity.redeem_code(tenant, app, code, REDIRECT, None, client_info=False)
    assert raised.value.code == 70008


def test_a_refresh_token_unused_for_ninety_days_expires(identity, clock):
    refresh_token = tokens_for(identity)["refresh_token"]
    tenant, app = identity.tenant_path("organizations"), identity.app(seed.WEB_APP_ID)
    clock.now += 89 * 86400
    refreshed = identity.refresh(tenant, app, refresh_token, f"{DISCOVERY_URL}/user_impersonation", client_info=False)
    clock.now += 89 * 86400  # still alive: the last use counts
    identity.refresh(tenant, app, refreshed["refresh_token"], "", client_info=False)
    clock.now += 91 * 86400
    with pytest.raises(EntraError) as raised:
        identity.refresh(tenant, app, refresh_token, "", client_info=False)
    assert raised.value.code == 70008


def test_refreshing_without_a_resource_reuses_the_last_one(identity):
    tokens = tokens_for(identity)
    tenant, app = identity.tenant_path("organizations"), identity.app(seed.WEB_APP_ID)
    again = identity.refresh(tenant, app, tokens["refresh_token"], "openid offline_access", client_info=False)
    assert identity.validate(again["access_token"], ORG_URL) is not None


def test_a_resource_needs_consent_even_with_a_refresh_token(identity):
    tokens = tokens_for(identity, "openid profile offline_access")  # signed in without asking for any resource
    assert "access_token" not in tokens
    tenant, app = identity.tenant_path("organizations"), identity.app(seed.WEB_APP_ID)
    with pytest.raises(EntraError) as raised:
        identity.refresh(tenant, app, tokens["refresh_token"], f"{ORG_URL}/user_impersonation", client_info=False)
    assert (raised.value.error, raised.value.code) == ("consent_required", 65001)


def test_scopes_for_two_resources_are_refused(identity):
    with pytest.raises(EntraError) as raised:
        identity.parse_scopes(f"{ORG_URL}/user_impersonation {DISCOVERY_URL}/user_impersonation", identity.tenant_path("common"))
    assert raised.value.code == 28000


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("https://127.0.0.1:9414/user_impersonation", ("https://127.0.0.1:9414", "user_impersonation")),
        ("https://127.0.0.1:9412//user_impersonation", ("https://127.0.0.1:9412", "user_impersonation")),
        ("https://localhost:9414/.default", ("https://127.0.0.1:9414", ".default")),
        ("http://127.0.0.1:9414/user_impersonation", None),
        ("https://127.0.0.1:9414/api/user_impersonation", None),
        ("user_impersonation", None),
    ],
)
def test_resource_scopes_split_into_origin_and_permission(scope, expected):
    assert split_resource_scope(scope) == expected


def test_canonical_origins_fold_loopback_names():
    assert canonical_origin("https://[::1]:9414/") == canonical_origin("https://localhost:9414") == "https://127.0.0.1:9414"
    assert canonical_origin("not a url") is None


def test_the_discovery_properties_are_the_fields_of_an_instance():
    assert set(instance(seed.ORGANISATIONS[0], ORG_URL, "Salesperson")) == PROPERTIES


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("A0E72881-AD0B-4888-9F98-C15AED17D67F", ("Id", "a0e72881-ad0b-4888-9f98-c15aed17d67f")),
        ("UniqueName='org1a2b3c4d'", ("UniqueName", "org1a2b3c4d")),
        ("Region=OCE", ("Region", "OCE")),
    ],
)
def test_discovery_keys(key, expected):
    assert parse_key(key) == expected


@pytest.mark.parametrize("expression", ["State eq", "State eq 0 and", "(State eq 0", "State like 0", "contains(UniqueName,'x')"])
def test_a_malformed_filter_is_a_query_error(expression):
    with pytest.raises(QueryError):
        parse_filter(expression, PROPERTIES)


def test_filters_compare_guids_without_caring_for_case():
    row = instance(seed.ORGANISATIONS[0], ORG_URL, "Salesperson")
    assert parse_filter(f"Id eq {seed.ORGANISATIONS[0]['id'].upper()}", PROPERTIES)(row)
    assert parse_filter("FriendlyName eq 'Oakwood Sales' and IsUserSysAdmin eq false", PROPERTIES)(row)


def test_every_role_in_the_seed_is_described():
    used = {role for user in seed.USERS for role in user["roles"].values()} | {u["role"] for u in seed.APPLICATION_USERS}
    assert used <= set(seed.ROLES)


def test_someone_belongs_to_two_organisations_and_someone_to_none():
    counts = sorted(len(user["roles"]) for user in seed.USERS)
    assert counts[0] == 0 and counts[-1] >= 2
