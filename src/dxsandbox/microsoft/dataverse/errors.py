"""Errors as the Dataverse Web API reports them: an HTTP status and `{"error":{"code","message"}}`.

Codes are the platform's hex codes where they are known (FACTS §3), so a client that branches on
`error.code` behaves here as it would against a real organisation.
"""

from __future__ import annotations

from typing import Any

OBJECT_DOES_NOT_EXIST = "0x80040217"
MISSING_PRIVILEGE = "0x80040220"
CONCURRENCY_MISMATCH = "0x80060882"
DUPLICATE_KEY = "0x80060892"
DUPLICATE_RECORD = "0x80040237"
VALIDATION = "0x80044331"
BAD_REQUEST = "0x80060888"
RESOURCE_NOT_FOUND = "0x8006088a"
NOT_A_MEMBER = "0x80072560"
INVALID_ARGUMENT = "0x80040203"
REQUESTS_LIMIT = "0x80072322"
EXECUTION_TIME_LIMIT = "0x80072321"
CONCURRENCY_LIMIT = "0x80072326"
UNEXPECTED = "0x80040216"  # what the platform answers an unhandled failure with
SERVICE_UNAVAILABLE = ""  # a 503 from the front end carries no platform code


class DataverseError(Exception):
    """A request the service refuses; becomes the response `status` with the standard error body."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


def unexpected() -> DataverseError:
    """What the platform answers a request it failed on unexpectedly (a bug, or an injected 500)."""
    return DataverseError(500, UNEXPECTED, "An unexpected error occurred.")


def bad_request(message: str, code: str = BAD_REQUEST) -> DataverseError:
    return DataverseError(400, code, message)


def not_found(table: str, record_id: str) -> DataverseError:
    return DataverseError(404, OBJECT_DOES_NOT_EXIST, f"{table} With Id = {record_id} Does Not Exist")


def segment_not_found(segment: str) -> DataverseError:
    return DataverseError(404, RESOURCE_NOT_FOUND, f"Resource not found for the segment '{segment}'.")


def validation(message: str) -> DataverseError:
    return DataverseError(400, VALIDATION, message)
