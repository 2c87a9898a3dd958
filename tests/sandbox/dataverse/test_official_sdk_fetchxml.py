"""The official SDK's FetchXML queries page through the emulator with Dataverse's paging cookie, and its SQL
queries, which the emulator does not serve, are refused rather than answered with every row."""

from __future__ import annotations

import uuid
import warnings

import pytest

pytest.importorskip("PowerPlatform.Dataverse", reason="install the test extra: PowerPlatform-Dataverse-Client")

from PowerPlatform.Dataverse.client import DataverseClient
from PowerPlatform.Dataverse.core.errors import HttpError

from tests.sandbox.dataverse.conftest import ADMIN, TestTokens, make_org
from tests.sandbox.dataverse.servers import HttpsServer
from tests.sandbox.dataverse.test_official_sdk import StaticCredential


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    org = make_org(tmp_path_factory.mktemp("sdk-fetch-org"))
    server = HttpsServer(org.app, tmp_path_factory.mktemp("sdk-fetch-tls")).start()
    yield org, server
    server.stop()
    org.service.webhooks.close()


@pytest.fixture
def client(served, monkeypatch):
    _org, server = served
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file)
    credential = StaticCredential(TestTokens().issue(ADMIN, audience=server.base_url))
    with DataverseClient(server.base_url, credential) as dataverse:
        yield dataverse


def test_fetchxml_pages_follow_the_paging_cookie(client, served):
    org, _server = served
    tag = uuid.uuid4().hex[:8]
    for n in range(7):
        org.api.create("account", {"name": f"{tag} {n:02d}", "numberofemployees": n})
    xml = (
        f'<fetch count="3"><entity name="account"><attribute name="name"/><attribute name="numberofemployees"/>'
        f'<order attribute="numberofemployees" descending="true"/>'
        f'<filter><condition attribute="name" operator="like" value="{tag}%"/></filter></entity></fetch>'
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the SDK warns when it has to fall back to paging without a cookie
        pages = list(client.query.fetchxml(xml).execute_pages())
    assert [[record["name"] for record in page.records] for page in pages] == [
        [f"{tag} 06", f"{tag} 05", f"{tag} 04"],
        [f"{tag} 03", f"{tag} 02", f"{tag} 01"],
        [f"{tag} 00"],
    ]


def test_fetchxml_with_a_link_entity_is_refused_as_not_emulated(client):
    xml = (
        '<fetch><entity name="account"><attribute name="name"/>'
        '<link-entity name="contact" from="parentcustomerid" to="accountid"><attribute name="fullname"/></link-entity>'
        "</entity></fetch>"
    )
    with pytest.raises(HttpError) as refused:
        client.query.fetchxml(xml).execute()
    assert refused.value.status_code == 400
    assert "not emulated" in str(refused.value)


def test_sql_queries_are_refused_as_not_emulated(client):
    with pytest.raises(HttpError) as refused:
        client.query.sql("SELECT name FROM account")
    assert refused.value.status_code == 400
    assert "not emulated" in str(refused.value)
