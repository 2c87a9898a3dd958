"""Runs one `crmadminbrasil-dataverse-sdk` operation against the emulator, in a process of its own.

That SDK turns TLS verification off for the whole process when it is imported (it sets PYTHONHTTPSVERIFY=0, empties
REQUESTS_CA_BUNDLE and replaces `ssl.create_default_context` with one that verifies nothing), so the test session
never imports it: it would make every other test's certificate check meaningless. Arguments: a JSON object with
`url`, `ca_file`, `token`, `operation` (associate, disassociate) and its ids. Prints a JSON object: the contact's
`_parentcustomerid_value` after the operation, or `error` with the SDK's message.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from dataverse_sdk import DataverseSDK


class StaticAuthenticator:
    """What the SDK asks its authenticator for: a bearer token."""

    def __init__(self, token: str):
        self.token = token
        self.calls = 0

    async def get_token(self, *args: Any, **kwargs: Any) -> str:
        self.calls += 1
        return self.token


async def run(asked: dict[str, Any]) -> dict[str, Any]:
    sdk = DataverseSDK(
        dataverse_url=asked["url"], client_id="client", tenant_id="tenant", client_secret="unused", ssl_ca_bundle=asked["ca_file"]
    )
    authenticator = StaticAuthenticator(asked["token"])
    sdk.client.authenticator = authenticator
    async with sdk:
        if asked["operation"] == "associate":
            await sdk.associate("accounts", asked["account"], "contact_customer_accounts", "contacts", asked["contact"])
        else:
            await sdk.disassociate("accounts", asked["account"], "contact_customer_accounts", asked["contact"])
        row = await sdk.read("contacts", asked["contact"], select=["_parentcustomerid_value"])
    return {"parent": row.get("_parentcustomerid_value"), "token_asked": authenticator.calls}


def main() -> None:
    asked = json.loads(sys.argv[1])
    try:
        print(json.dumps(asyncio.run(run(asked))))
    except Exception as error:  # the SDK's own exception, reported for the test to read
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}))


if __name__ == "__main__":
    main()
