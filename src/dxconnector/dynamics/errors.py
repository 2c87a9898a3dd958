"""What can go wrong talking to Dynamics (Dataverse, Entra ID, Global Discovery)."""

from __future__ import annotations


class DynamicsError(Exception):
    def __init__(self, message: str, status: int | None = None, code: str = ""):
        super().__init__(message)
        self.status = status
        self.code = code


class PermanentError(DynamicsError):
    """The same request will fail the same way (validation, missing privilege, not found)."""


class RetryableError(DynamicsError):
    """Network trouble, a timeout or a 5xx."""


class RateLimited(RetryableError):
    def __init__(self, message: str, retry_after: float, status: int = 429):
        super().__init__(message, status)
        self.retry_after = retry_after


class AuthExpired(DynamicsError):
    """No token can be had silently any more: the admin must sign in to Microsoft again."""


class SignInFailed(DynamicsError):
    """The Microsoft sign-in round trip failed; the message is fit for the admin."""
