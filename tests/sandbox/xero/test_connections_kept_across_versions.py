"""A sandbox's state written before connections were indexed by app and user: its connections are still found."""

from __future__ import annotations

from dxsandbox.common.store import DocumentStore
from dxsandbox.xero.oauth import GLOBAL, XeroIdentity

WEB_APP = "DXC0SANDBOX0CLIENT0ID00000000001"
ACCOUNTANT = "0d1e2f3a-4b5c-4d6e-8f70-819203a4b5c6"


def test_connections_stored_without_an_index_are_found_after_a_restart(tmp_path):
    store = DocumentStore(tmp_path / "xero.sqlite3")
    XeroIdentity(store)  # seeds, as a sandbox's first start does
    store.set_value("identity:connections-indexed", False)  # as an older version left it
    old = {"id": "c-1", "tenantId": "t-1", "tenantName": "Old Ltd", "_client_id": WEB_APP, "_user_id": ACCOUNTANT}
    store.put("connection", GLOBAL, "c-1", old, updated=0)
    store.close()

    identity = XeroIdentity(DocumentStore(tmp_path / "xero.sqlite3"))
    grant = {"client_id": WEB_APP, "user_id": ACCOUNTANT}
    assert [c["id"] for c in identity.connections(grant)] == ["c-1"]
    assert identity.tenant_allowed(grant, "t-1")
    assert identity.connections({"client_id": WEB_APP, "user_id": "someone else"}) == []
