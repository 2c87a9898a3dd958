"""What can go wrong talking to Xero, as the sync engine needs to tell it apart."""

from __future__ import annotations


class XeroError(Exception):
    """Base class; `status` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None, body: object = None):
        super().__init__(message)
        self.status = status
        self.body = body


class PermanentError(XeroError):
    """Retrying the same request will fail the same way (validation, not found, forbidden)."""


class RetryableError(XeroError):
    """A network failure, a timeout or a 5xx: the same request may well succeed later."""


class RateLimited(RetryableError):
    def __init__(self, message: str, retry_after: float, problem: str = "", status: int = 429, body: object = None):
        super().__init__(message, status, body)
        self.retry_after = retry_after
        self.problem = problem.lower()


class AuthExpired(XeroError):
    """The grant is gone (revoked, expired, disconnected): the admin must connect to Xero again."""


class OAuthFlowError(XeroError):
    """The sign-in round trip failed; `reason` is a message fit for the admin."""

    def __init__(self, reason: str, error: str = "", status: int | None = None):
        super().__init__(reason, status)
        self.reason = reason
        self.error = error
