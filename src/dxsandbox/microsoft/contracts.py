"""How the Microsoft sandbox's parts find each other (identity ↔ Dataverse), kept tiny on purpose."""

from __future__ import annotations

from typing import Any, Protocol


class TokenValidator(Protocol):
    def validate(self, token: str, audience: str) -> dict[str, Any] | None:
        """The access token's claims when it was issued by the sandbox's identity host for `audience`
        (an organisation URL such as https://127.0.0.1:9414) and has not expired; otherwise None.
        Claims include `oid` (the user's object id, or the app's service principal id for app-only
        tokens), `tid` (tenant id), `appid` (client id), `scp` (delegated) or `roles` (app-only)."""
