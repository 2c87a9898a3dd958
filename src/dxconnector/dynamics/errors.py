"""What can go wrong talking to Dynamics (Dataverse, Entra ID, Global Discovery)."""

from __future__ import annotations


class DynamicsError(Exception):
    """`after_lost_answer`: an earlier attempt of the same call may have been applied, its answer lost (a
    timeout, a dropped connection), so this error may describe the retry meeting that first attempt's
    effect (a 412 on a conditional write, a 404 on a delete) rather than a failure."""

    def __init__(self, message: str, status: int | None = None, code: str = "", *, after_lost_answer: bool = False):
        super().__init__(message)
        self.status = status
        self.code = code
        self.after_lost_answer = after_lost_answer


class PermanentError(DynamicsError):
    """The same request will fail the same way (validation, missing privilege, not found)."""


class PreconditionFailed(PermanentError):
    """412: a conditional write (`If-Match`, `If-None-Match`) found another version, or a record already
    there. With `after_lost_answer` it may well be our own earlier attempt, applied, that changed it."""


class RetryableError(DynamicsError):
    """Network trouble, a timeout or a 5xx, still there after the client's own retries: try again later."""


class RateLimited(RetryableError):
    """429 (service protection limits) still answered after the retries, or a `Retry-After` longer than the
    client waits in one call; `retry_after` is the service's wait in seconds."""

    def __init__(self, message: str, retry_after: float, status: int = 429, code: str = "", *, after_lost_answer: bool = False):
        super().__init__(message, status, code, after_lost_answer=after_lost_answer)
        self.retry_after = retry_after


class AuthExpired(DynamicsError):
    """No token can be had silently any more: the admin must sign in to Microsoft again."""


class SignInFailed(DynamicsError):
    """The Microsoft sign-in round trip failed; the message is fit for the admin."""


class UntrustedHost(PermanentError):
    """A URL the connector will not send a Dynamics token to: an organisation URL that is not https on one of Microsoft's
    Dataverse hosts (or one the operator listed in DATAVERSE_EXTRA_HOSTS), or a link Dynamics gave (`@odata.nextLink`,
    `@odata.deltaLink`) to another host than the organisation's own."""
