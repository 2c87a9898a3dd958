"""Entra ID's errors: an OAuth error name plus an AADSTS code and message, in Entra's JSON shape.

The codes and wording follow what Entra answers for the same mistakes, so code written against the
sandbox meets the strings it will meet in production (where the wording may drift a little).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any


class EntraError(Exception):
    def __init__(self, error: str, code: int, message: str, *, status: int = 400, subcode: str | None = None):
        self.error, self.code, self.message, self.status, self.subcode = error, code, message, status, subcode
        super().__init__(self.summary)

    @property
    def summary(self) -> str:
        return f"AADSTS{self.code}: {self.message}"

    def body(self, *, correlation_id: str | None = None, error_uri: str | None = None) -> dict[str, Any]:
        """The token endpoint's JSON: the description repeats the trace, correlation and time as Entra's does."""
        trace_id, correlation_id = str(uuid.uuid4()), correlation_id or str(uuid.uuid4())
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        body: dict[str, Any] = {
            "error": self.error,
            "error_description": f"{self.summary}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {stamp}",
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
        }
        if error_uri:
            body["error_uri"] = error_uri
        return body

    def redirect_params(self) -> dict[str, str]:
        """What goes back to the app's redirect URI (with `state`, added by the caller)."""
        params = {"error": self.error, "error_description": self.summary}
        if self.subcode:
            params["error_subcode"] = self.subcode
        return params


def tenant_not_found(tenant: str) -> EntraError:
    return EntraError(
        "invalid_request",
        90002,
        f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
    )


def no_tenant_in_request() -> EntraError:
    return EntraError(
        "invalid_request",
        50059,
        "No tenant-identifying information found in either the request or implied by any provided credentials.",
    )


def app_not_found(client_id: str, tenant: str) -> EntraError:
    return EntraError(
        "unauthorized_client",
        700016,
        f"Application with identifier '{client_id}' was not found in the directory "
        f"'{tenant}'. This can happen if the application has not been installed by the administrator of the tenant "
        "or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
    )


def redirect_uri_mismatch(redirect_uri: str, client_id: str) -> EntraError:
    return EntraError(
        "invalid_request",
        50011,
        f"The redirect URI '{redirect_uri}' specified in the request does not match the "
        f"redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request "
        "matches one added to your application in the Azure portal.",
    )


def unsupported_response_type(response_type: str) -> EntraError:
    return EntraError("unsupported_response_type", 70005, f"response_type '{response_type}' is not enabled for the application.")


def missing_parameter(name: str) -> EntraError:
    return EntraError("invalid_request", 900144, f"The request body must contain the following parameter: '{name}'.")


def invalid_parameter(name: str, value: str) -> EntraError:
    return EntraError("invalid_request", 900144, f"The value '{value}' of the parameter '{name}' is not valid.")


def invalid_scope(scope: str) -> EntraError:
    return EntraError(
        "invalid_scope",
        70011,
        "The provided request must include a 'scope' input parameter. The provided value "
        f"for the input parameter 'scope' is not valid. The scope {scope} is not valid.",
    )


def several_resources(scope: str) -> EntraError:
    return EntraError(
        "invalid_scope",
        28000,
        "Provided value for the input parameter scope is not valid because it contains "
        f"more than one resource. Scope {scope} is not valid.",
    )


def resource_not_found(resource: str, tenant: str) -> EntraError:
    return EntraError(
        "invalid_resource",
        500011,
        f"The resource principal named {resource} was not found in the tenant named "
        f"{tenant}. This can happen if the application has not been installed by the administrator of the tenant "
        "or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
    )


def client_credentials_scope(scope: str) -> EntraError:
    return EntraError(
        "invalid_scope",
        1002012,
        f"The provided value for scope {scope} is not valid. Client credential flows must "
        "have a scope value with /.default suffixed to the resource identifier (application ID URI).",
    )


def unsupported_grant_type(grant_type: str) -> EntraError:
    return EntraError("unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'.")


def invalid_client_secret(client_id: str) -> EntraError:
    return EntraError(
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is "
        f"the client secret value, not the client secret ID, for a secret added to app '{client_id}'.",
        status=401,
    )


def missing_client_secret() -> EntraError:
    return EntraError(
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        status=401,
    )


def invalid_code() -> EntraError:
    return EntraError("invalid_grant", 70000, "The provided value for the 'code' parameter is not valid.")


def code_already_redeemed() -> EntraError:
    return EntraError(
        "invalid_grant",
        54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
    )


def grant_expired() -> EntraError:
    return EntraError(
        "invalid_grant",
        70008,
        "The provided authorization code or refresh token has expired due to inactivity. "
        "Send a new interactive authorization request for this user and resource.",
    )


def redirect_uri_changed() -> EntraError:
    return EntraError(
        "invalid_grant",
        70000,
        "The provided value for the 'redirect_uri' is not valid. The value must exactly "
        "match the redirect URI used to obtain the authorization code.",
    )


def pkce_mismatch() -> EntraError:
    return EntraError(
        "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."
    )


def malformed_grant() -> EntraError:
    return EntraError("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")


def grant_of_another_client() -> EntraError:
    return EntraError("invalid_grant", 70000, "Provided grant is invalid or malformed.")


def consent_required(client_id: str, app_name: str) -> EntraError:
    return EntraError(
        "consent_required",
        65001,
        f"The user or administrator has not consented to use the application with ID "
        f"'{client_id}' named '{app_name}'. Send an interactive authorization request for this user and resource.",
    )


def user_declined_consent() -> EntraError:
    return EntraError("access_denied", 65004, "User declined to consent to access the app.", subcode="cancel")


def login_required() -> EntraError:
    return EntraError("login_required", 50058, "A silent sign-in request was sent but no user is signed in.")


def wrong_credentials() -> EntraError:
    return EntraError("invalid_grant", 50126, "Error validating credentials due to invalid username or password.")


def user_not_in_tenant(upn: str, tenant_name: str, client_id: str) -> EntraError:
    return EntraError(
        "invalid_request",
        50020,
        f"User account '{upn}' from identity provider does not exist in tenant "
        f"'{tenant_name}' and cannot access the application '{client_id}' in that tenant. The account needs to be "
        "added as an external user in the tenant first.",
    )


def request_expired() -> EntraError:
    return EntraError(
        "invalid_request", 50089, "Authentication failed due to flow token expired. Go back to the application and sign in again."
    )
