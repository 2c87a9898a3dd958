"""A thin Dataverse Web API client (httpx) for what the official SDK does not cover: WhoAmI, solutions,
privileges, ImportSolution, and plain reads and writes of our own tables."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from dxconnector import tls
from dxconnector.dynamics.errors import AuthExpired, PermanentError, RateLimited, RetryableError

API_PATH = "/api/data/v9.2/"
HEADERS = {"Accept": "application/json", "OData-MaxVersion": "4.0", "OData-Version": "4.0"}


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json().get("error", {})
        return str(error.get("message", "")), str(error.get("code", ""))
    except ValueError:
        return response.text[:200], ""


class DataverseClient:
    def __init__(self, org_url: str, token: Callable[[], str], ca_bundle: str = "", timeout: float = 30, max_attempts: int = 5):
        self.org_url = org_url.rstrip("/")
        self.token = token
        self.max_attempts = max_attempts
        self.http = httpx.Client(base_url=self.org_url + API_PATH, verify=tls.verify(ca_bundle), timeout=timeout, headers=HEADERS)
        self.calls = 0

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        """One call, retried on network errors, 429 (after Retry-After) and 5xx."""
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            try:
                self.calls += 1
                response = self.http.request(method, path, headers={"Authorization": f"Bearer {self.token()}", **(headers or {})}, **kwargs)
            except httpx.HTTPError as error:
                if last:
                    raise RetryableError(f"Dynamics could not be reached: {error}") from error
                time.sleep(0.25 * 2 ** attempt)
                continue
            if not last and response.status_code == 429:
                time.sleep(float(response.headers.get("Retry-After", "1")))
            elif not last and response.status_code >= 500:
                time.sleep(0.25 * 2 ** attempt)
            else:
                return self._checked(response)
        raise AssertionError("unreachable")

    @staticmethod
    def _checked(response: httpx.Response) -> httpx.Response:
        if response.status_code < 400:
            return response
        message, code = _error_of(response)
        if response.status_code == 401:
            raise AuthExpired(message or "Dynamics refused the token", 401, code)
        if response.status_code == 429:
            raise RateLimited(message or "Dynamics service protection limit", float(response.headers.get("Retry-After", "1")))
        if response.status_code >= 500:
            raise RetryableError(message or f"Dynamics answered {response.status_code}", response.status_code, code)
        raise PermanentError(message or f"Dynamics answered {response.status_code}", response.status_code, code)

    # --- what the connector asks of every organisation -----------------------------------
    def who_am_i(self) -> dict[str, Any]:
        return self.request("GET", "WhoAmI").json()

    def solution(self, unique_name: str) -> dict[str, Any] | None:
        found = self.request("GET", "solutions", params={
            "$select": "solutionid,uniquename,friendlyname,version,ismanaged", "$filter": f"uniquename eq '{unique_name}'",
        }).json().get("value", [])
        return found[0] if found else None

    def privileges_held(self, user_id: str, names: list[str]) -> set[str]:
        """Which of `names` the user holds, through any role or team (RetrieveUserSetOfPrivilegesByNames)."""
        path = f"systemusers({user_id})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=@p)"
        response = self.request("GET", path, params={"@p": json.dumps(names)})
        return {item["PrivilegeName"] for item in response.json().get("RolePrivileges", [])}

    def import_solution(self, zip_bytes: bytes) -> str:
        job_id = str(uuid.uuid4())
        self.request("POST", "ImportSolution", json={
            "OverwriteUnmanagedCustomizations": False, "PublishWorkflows": True, "ImportJobId": job_id,
            "CustomizationFile": base64.b64encode(zip_bytes).decode(),
        })
        return job_id

    # --- rows of any table ---------------------------------------------------------------
    def list(self, entity_set: str, **query: str) -> list[dict[str, Any]]:
        params = {f"${k}": v for k, v in query.items()}
        return self.request("GET", entity_set, params=params).json().get("value", [])

    def create(self, entity_set: str, body: dict[str, Any]) -> str:
        response = self.request("POST", entity_set, json=body)
        entity_id = response.headers.get("OData-EntityId", "")
        return entity_id[entity_id.rfind("(") + 1:-1] if "(" in entity_id else ""

    def update(self, entity_set: str, row_id: str, body: dict[str, Any]) -> None:
        self.request("PATCH", f"{entity_set}({quote(row_id)})", json=body, headers={"If-Match": "*"})

    # --- paged reads (change tracking, expanded queries) ----------------------------------
    def read(self, url: str, *, params: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        """One GET answered with JSON, numbers with a fraction as Decimal (money stays exact)."""
        response = self.request("GET", url, params=params, headers=headers)
        return json.loads(response.content, parse_float=Decimal) if response.content else {}

    def pages(self, url: str, *, params: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every page of a collection query. `@odata.nextLink` is followed unchanged with the same headers (the
        same `odata.maxpagesize`); the last page carries the `@odata.deltaLink` when changes are tracked."""
        body = self.read(url, params=params, headers=headers)
        yield body
        while body.get("@odata.nextLink"):
            body = self.read(body["@odata.nextLink"], headers=headers)
            yield body
