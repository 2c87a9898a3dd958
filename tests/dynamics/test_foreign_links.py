"""The Dataverse client sends its token only to the organisation's own host: a link Dynamics hands back to follow
(`@odata.nextLink`, or a delta link kept in a cursor) that points elsewhere is refused before anything is sent.

"Elsewhere" is a real HTTP server of the test's own on 127.0.0.1, which records what reaches it; the organisation is
the sandbox's, or (to hand back a link of the test's choosing) another such server answering as Dataverse pages do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dxconnector.dynamics.client import DataverseClient
from dxconnector.dynamics.errors import PermanentError, UntrustedHost
from tests.dynamics.dataverse_sandbox import app_token, first_organisation
from tests.recorder import Recorder

TOKEN = "token-that-must-stay-home"


@pytest.fixture
def elsewhere() -> Iterator[Recorder]:
    recorder = Recorder().start()
    yield recorder
    recorder.stop()


@pytest.fixture
def organisation() -> Iterator[Recorder]:
    """An organisation of the test's own: it answers the pages it is given."""
    recorder = Recorder().start()
    yield recorder
    recorder.stop()


def client_of(org_url: str, token: str = TOKEN, ca_file: str = "") -> DataverseClient:
    return DataverseClient(org_url, lambda: token, ca_file, max_attempts=1, timeout=5)


def test_a_next_link_to_another_host_is_not_followed(organisation, elsewhere):
    organisation.pages = [
        {"value": [{"accountid": "1"}], "@odata.nextLink": elsewhere.url + "/api/data/v9.2/accounts?$skiptoken=2"}
    ]
    client = client_of(organisation.url)
    pages = client.pages("accounts")
    assert next(pages)["value"] == [{"accountid": "1"}]
    with pytest.raises(UntrustedHost, match="not to the organisation's own host"):
        next(pages)
    client.close()
    assert elsewhere.seen == [], "the token went to another host"
    assert organisation.seen == [("/api/data/v9.2/accounts", f"Bearer {TOKEN}")]


def test_a_next_link_to_another_port_of_the_same_host_is_not_followed(organisation, elsewhere):
    """Same address, another port: another server, perhaps another owner."""
    other_port = elsewhere.url.replace("http://127.0.0.1", "http://localhost")
    organisation.pages = [
        {"value": [], "@odata.nextLink": elsewhere.url + "/api/data/v9.2/accounts?$skiptoken=2"},
        {"value": [], "@odata.nextLink": other_port + "/api/data/v9.2/accounts?$skiptoken=3"},
    ]
    for _ in range(2):
        client = client_of(organisation.url)
        pages = client.pages("accounts")
        next(pages)
        with pytest.raises(UntrustedHost):
            next(pages)
        client.close()
    assert elsewhere.seen == []


def test_a_next_link_turning_https_into_http_is_not_followed(sandbox):
    org = first_organisation(sandbox)
    client = client_of(org["url"], app_token(sandbox, org), sandbox.ca_file)
    plain = org["url"].replace("https://", "http://") + "/api/data/v9.2/accounts"
    with pytest.raises(UntrustedHost):
        client.read(plain)
    client.close()


def test_a_delta_link_kept_in_a_cursor_that_points_elsewhere_gets_no_token(sandbox, elsewhere):
    """A cursor's delta link is read back from the database: one that was changed there is refused like a next link."""
    org = first_organisation(sandbox)
    client = client_of(org["url"], app_token(sandbox, org), sandbox.ca_file)
    assert client.who_am_i()["OrganizationId"] == org["id"]  # the organisation itself is reached
    with pytest.raises(UntrustedHost) as refused:
        list(client.pages(elsewhere.url + "/api/data/v9.2/invoices?$deltatoken=1"))
    client.close()
    assert isinstance(refused.value, PermanentError), "a typed error the sync reports, not a network failure to retry"
    assert elsewhere.seen == []


def test_a_next_link_on_the_organisations_own_host_is_followed(organisation):
    organisation.pages = [
        {"value": [{"accountid": "1"}], "@odata.nextLink": organisation.url + "/api/data/v9.2/accounts?$skiptoken=2"},
        {"value": [{"accountid": "2"}]},
    ]
    client = client_of(organisation.url + "/")
    assert [row["accountid"] for page in client.pages("accounts") for row in page["value"]] == ["1", "2"]
    client.close()
    assert [path for path, _ in organisation.seen] == ["/api/data/v9.2/accounts", "/api/data/v9.2/accounts?$skiptoken=2"]
