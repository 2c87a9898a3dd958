"""Signed-in people of the sandboxes' small apps (the Xero app, the Dynamics app).

Kept in memory: a restarted sandbox asks people to sign in again. A notice is shown once, on the next page
after a redirect (POST-redirect-GET).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field


@dataclass
class Session:
    user_id: str
    notices: list[str] = field(default_factory=list)


class Sessions:
    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}

    def start(self, user_id: str) -> str:
        session_id = secrets.token_urlsafe(24)
        self._sessions[session_id] = Session(user_id)
        return session_id

    def get(self, session_id: str | None) -> Session | None:
        return self._sessions.get(session_id or "")

    def end(self, session_id: str | None) -> None:
        self._sessions.pop(session_id or "", None)
