"""Who the organisation's users are: systemusers matched to tokens by `oid` (or an application user's
`appid`), with the roles the identity side's seed gives them in this organisation.

The identity seed (`dxsandbox.microsoft.seed`) belongs to the identity emulator; it is read
defensively here, accepting the shapes such a seed plausibly takes, so that either side can evolve.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dxsandbox.microsoft.dataverse.security import SYSTEM_ADMINISTRATOR, Caller, role_privileges
from dxsandbox.microsoft.dataverse.settings import OrgUser
from dxsandbox.microsoft.dataverse.tables import metadata_id

if TYPE_CHECKING:
    from dxsandbox.microsoft.dataverse.service import DataverseService

ROLES_FIELD = "__roles"  # kept on the systemuser row, never serialised (not a column)
_ID_KEYS = ("object_id", "oid", "objectId", "id", "user_id", "azure_object_id", "service_principal_id", "sp_object_id")
_ORG_KEYS = ("id", "organisation_id", "organization_id", "org_id", "unique_name", "url_name", "name")


def system_user_id(org_id: str, object_id: str) -> str:
    return str(uuid.uuid5(uuid.UUID(metadata_id("org", org_id)), f"systemuser:{object_id.lower()}"))


def users_from_identity_seed(org: Mapping[str, Any]) -> list[OrgUser]:
    """The users and application users the identity seed gives this organisation (empty if there is none yet).

    Uses the seed's `members(org)` → [(user, role)] and `application_users(org)` when it has them, and
    otherwise looks for USERS/APPS lists whose entries name their organisations and roles.
    """
    found = list(_from_entries(org.get("users") or [], org))
    try:
        seed = importlib.import_module("dxsandbox.microsoft.seed")
    except ImportError:
        return found
    if callable(getattr(seed, "members", None)):
        found += [_member(user, role) for user, role in seed.members(dict(org))]
    else:
        for name in ("USERS", "users"):
            found += _from_entries(_entries(getattr(seed, name, None)), org)
    if callable(getattr(seed, "application_users", None)):
        found += [_application_user(entry) for entry in seed.application_users(dict(org))]
    unique: dict[str, OrgUser] = {}
    for user in found:
        unique.setdefault(user.object_id.lower(), user)
    return list(unique.values())


def _member(user: Mapping[str, Any], role: str) -> OrgUser:
    first, last = _names(user, False)
    return OrgUser(
        str(user["object_id"]).lower(), first, last, str(user.get("upn") or user.get("email") or ""), _role_tuple(role)
    )


def _application_user(entry: Mapping[str, Any]) -> OrgUser:
    return OrgUser(
        str(entry["object_id"]).lower(),
        "",
        str(entry.get("name") or "# application"),
        "",
        _role_tuple(entry.get("role") or entry.get("roles")),
        str(entry.get("client_id") or "") or None,
        str(entry["systemuser_id"]).lower() if entry.get("systemuser_id") else None,
    )


def _entries(value: Any) -> list[Any]:
    if callable(value):
        value = value()
    if isinstance(value, Mapping):
        return [dict(v, id=v.get("id", k)) if isinstance(v, Mapping) else v for k, v in value.items()]
    return list(value or [])


def _from_entries(entries: Iterable[Any], org: Mapping[str, Any], *, application: bool = False) -> list[OrgUser]:
    users = []
    for entry in entries:
        entry = entry if isinstance(entry, Mapping) else getattr(entry, "__dict__", {})
        object_id = next((str(entry[k]) for k in _ID_KEYS if entry.get(k)), None)
        roles = _roles_in(entry, org)
        if object_id is None or roles is None:
            continue
        first, last = _names(entry, application)
        app_id = next((str(entry[k]) for k in ("client_id", "app_id", "appid", "application_id") if entry.get(k)), None)
        users.append(
            OrgUser(
                object_id.lower(),
                first,
                last,
                str(entry.get("email") or entry.get("upn") or entry.get("username") or ""),
                roles,
                app_id if application or app_id else None,
            )
        )
    return users


def _org_identifiers(org: Mapping[str, Any]) -> set[str]:
    return {str(org[k]).lower() for k in _ORG_KEYS if org.get(k)}


def _roles_in(entry: Mapping[str, Any], org: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The entry's roles in `org`, or None when the entry is not a member of it."""
    ids = _org_identifiers(org)
    roles = entry.get("roles") if "roles" in entry else entry.get("role")
    if isinstance(roles, Mapping):  # {org id/name: role or [roles]}
        for key, value in roles.items():
            if str(key).lower() in ids:
                return _role_tuple(value)
        return None
    memberships = entry.get("organisations") or entry.get("organizations") or entry.get("orgs") or entry.get("environments")
    if memberships is not None:
        for membership in memberships:
            if isinstance(membership, Mapping):
                if _org_identifiers(membership) & ids:
                    return _role_tuple(membership.get("roles") or membership.get("role") or roles)
            elif str(membership).lower() in ids:
                return _role_tuple(roles)
        return None
    tenant = entry.get("tenant_id") or entry.get("tid")
    if tenant and org.get("tenant_id") and str(tenant).lower() == str(org["tenant_id"]).lower():
        return _role_tuple(roles)
    return None


def _role_tuple(value: Any) -> tuple[str, ...]:
    if not value:
        return (SYSTEM_ADMINISTRATOR,)
    # A role this organisation does not define grants nothing, as an empty custom role would.
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def _names(entry: Mapping[str, Any], application: bool) -> tuple[str, str]:
    first = entry.get("first_name") or entry.get("given_name") or entry.get("firstname")
    last = entry.get("last_name") or entry.get("surname") or entry.get("family_name") or entry.get("lastname")
    if application and not first:
        return "", str(entry.get("name") or entry.get("display_name") or "# application")
    if first or last:
        return str(first or ""), str(last or "")
    display = str(entry.get("display_name") or entry.get("name") or ("Application" if application else "User"))
    head, _, tail = display.partition(" ")
    return (head, tail) if tail else ("", head)


class Users:
    """Turns token claims into callers, keeping systemusers in step with the identity side's seed."""

    def __init__(self, service: DataverseService):
        self.service = service

    def caller_for_claims(self, claims: Mapping[str, Any]) -> Caller | None:
        object_id = str(claims.get("oid") or "").lower()
        storage = self.service.storage
        matches = storage.equal("systemuser", "azureactivedirectoryobjectid", "Uniqueidentifier", object_id) if object_id else []
        if not matches and claims.get("appid") and not claims.get("scp"):
            matches = storage.equal("systemuser", "applicationid", "Uniqueidentifier", str(claims["appid"]).lower())
        if not matches:
            self.service.sync_users()  # the identity seed may have gained a user since start-up
            matches = (
                storage.equal("systemuser", "azureactivedirectoryobjectid", "Uniqueidentifier", object_id) if object_id else []
            )
        if not matches or matches[0].get("isdisabled"):
            return None
        return self.caller_for_user(matches[0])

    def caller_for_user(self, user: Mapping[str, Any]) -> Caller:
        roles = tuple(user.get(ROLES_FIELD) or ())
        tables = self.service.catalog.tables.values()
        withheld = self.service.withheld_privileges
        privileges = frozenset(
            name for role in roles for name in role_privileges(role, tables) if name.lower() not in withheld.get(role, ())
        )
        business_unit = user.get("businessunitid") or {}
        return Caller(
            user["systemuserid"],
            business_unit.get("id") or self.service.business_unit_id,
            user.get("azureactivedirectoryobjectid"),
            roles,
            privileges,
        )
