"""Connect to Dynamics: Microsoft sign-in (MSAL), the user's organisations from Global Discovery,
selecting one, and a Dataverse client for it whose tokens come silently from the stored cache."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from dxconnector.connections import budgets
from dxconnector.connections.clients import dataverse_client, dynamics_client
from dxconnector.connections.models import Connection, DynamicsConnection
from dxconnector.connections.tokens import dynamics_token
from dxconnector.dynamics import auth, discovery, webhooks
from dxconnector.dynamics.errors import DynamicsError, SignInFailed
from dxconnector.dynamics.hosts import checked_org_url, why_untrusted
from dxconnector.portal import organisation_change, sign_ins
from dxconnector.portal.sign_ins import ConnectFailed

logger = logging.getLogger(__name__)

SESSION_KEY = "microsoft_sign_ins"
NO_ORGANISATION = (
    "{username} has no Dynamics 365 organisation, so nothing was connected: sign in with a work account that has one."
)


@dataclass(frozen=True)
class Finished:
    connection: Connection
    kept_organisation: str  # the name of the organisation still used, or "" when one is to be selected


def is_configured() -> bool:
    return bool(settings.DYNAMICS_CLIENT_ID and settings.DYNAMICS_CLIENT_SECRET)


def redirect_uri() -> str:
    return settings.BASE_URL + reverse("dynamics-callback")


def start(request: HttpRequest, connection: Connection) -> str:
    flow = auth.begin(auth.DynamicsOAuthConfig.from_settings(), redirect_uri())
    sign_ins.remember(request, SESSION_KEY, flow["state"], connection, flow=flow)
    return str(flow["auth_uri"])


def finish(request: HttpRequest, params: dict[str, str]) -> Finished:
    """The sign-in saved; the organisation selected before is kept when this account has it too. A connection that has
    synced keeps its organisation or nothing changes; an account with no organisation changes nothing either."""
    connection, entry = sign_ins.take(request, SESSION_KEY, params.get("state", ""), "Microsoft", "Connect to Dynamics")
    config = auth.DynamicsOAuthConfig.from_settings()
    try:
        sign_in = auth.finish(config, entry["flow"], params)
        found = discovery.instances(config.discovery_url, sign_in.discovery_token, config.ca_bundle)
    except SignInFailed as failure:
        raise ConnectFailed(str(failure), connection) from failure
    except DynamicsError as error:
        logger.warning("Global Discovery failed after sign-in: %s", error)
        raise ConnectFailed(
            "Microsoft accepted the sign-in but your organisations could not be listed. Please try again.", connection
        ) from error
    found = [instance for instance in found if instance.enabled and _on_a_dataverse_host(instance)]
    if not found:
        raise ConnectFailed(NO_ORGANISATION.format(username=sign_in.username or "This Microsoft account"), connection)
    token_cache = sign_in.token_cache
    kept = _still_offered(connection, found)
    if kept is not None:
        try:  # proves this sign-in gives a token for the organisation before it is kept
            _, changed_cache = auth.silent_token(config, token_cache, sign_in.home_account_id, auth.user_scope(kept.url))
            token_cache = changed_cache or token_cache
        except DynamicsError as error:
            logger.warning("the new sign-in gives no token for %s: %s", kept.unique_name, error)
            kept = None
    linked = organisation_change.linked_dynamics(connection)
    if linked is not None and kept is None:
        raise ConnectFailed(
            f"{sign_in.username or 'The Microsoft account you signed in with'} can't use “{linked.org_name}”. "
            + organisation_change.refusal("Dynamics", linked.org_name),
            connection,
        )
    organisation = (
        {
            "org_id": kept.id,
            "org_url": kept.url,
            "org_name": kept.friendly_name,
            "org_unique_name": kept.unique_name,
            "selected_at": timezone.now(),
        }
        if kept
        else {"org_id": "", "org_url": "", "org_name": "", "org_unique_name": "", "selected_at": None}
    )
    with transaction.atomic():
        DynamicsConnection.objects.update_or_create(
            connection=connection,
            defaults={
                "mode": DynamicsConnection.Mode.USER,
                "token_cache": token_cache,
                "home_account_id": sign_in.home_account_id,
                "username": sign_in.username,
                "tenant_id": sign_in.tenant_id,
                "organisations": [i.as_record() for i in found],
                **organisation,
            },
        )
    return Finished(connection, kept.friendly_name if kept else "")


def _still_offered(connection: Connection, found: list[discovery.Instance]) -> discovery.Instance | None:
    """The organisation the connection uses now, when the new sign-in lists it too."""
    current = DynamicsConnection.objects.filter(connection=connection).exclude(org_id="").first()
    if current is None:
        return None
    return next((instance for instance in found if instance.id == current.org_id), None)


def _on_a_dataverse_host(instance: discovery.Instance) -> bool:
    """Global Discovery's organisations are offered only on a Dataverse host: no token goes anywhere else."""
    reason = why_untrusted(instance.url, settings.DATAVERSE_EXTRA_HOSTS)
    if reason:
        logger.warning("Global Discovery listed %s, which is not offered: %s", instance.unique_name or instance.id, reason)
    return not reason


def select(connection: Connection, org_id: str) -> DynamicsConnection:
    dynamics = DynamicsConnection.objects.get(connection=connection)
    org = next((o for o in dynamics.organisations if o["id"] == org_id), None)
    if org is None:
        raise ConnectFailed("Choose one of the organisations listed.", connection)
    refused = organisation_change.dynamics_refusal(connection, org_id)
    if refused:
        raise ConnectFailed(refused, connection)
    try:
        checked_org_url(org["url"], settings.DATAVERSE_EXTRA_HOSTS)
    except DynamicsError as error:
        raise ConnectFailed(f"{org['friendly_name']} cannot be used: {error}", connection) from error
    try:
        token = dynamics_token(dynamics, org["url"])  # proves a token for this organisation can be had before we keep it
    except DynamicsError as error:
        raise ConnectFailed(f"Microsoft would not give a token for {org['friendly_name']} ({error}).", connection) from error
    if not dynamics.has_organisation and organisation_change.has_synced(connection):
        _refuse_unless_linked(connection, dynamics, org, token.value)
    DynamicsConnection.objects.filter(pk=dynamics.pk).update(
        org_id=org["id"],
        org_url=org["url"],
        org_name=org["friendly_name"],
        org_unique_name=org["unique_name"],
        selected_at=timezone.now(),
    )
    if org["id"] != dynamics.org_id:  # another organisation: an earlier install's outcome was not about this one
        DynamicsConnection.objects.filter(pk=dynamics.pk).exclude(
            install_state__in=[DynamicsConnection.InstallState.QUEUED, DynamicsConnection.InstallState.RUNNING]
        ).update(install_state=DynamicsConnection.InstallState.NONE, install_error="")
    dynamics.refresh_from_db()
    return dynamics


def _refuse_unless_linked(connection: Connection, dynamics: DynamicsConnection, org: dict[str, str], token: str) -> None:
    """A connection that has synced but was disconnected from Dynamics may use this organisation only if it holds the
    invoices the connection linked. Read as the signed-in user, from the budget every process shares for them."""
    org_url = checked_org_url(org["url"], settings.DATAVERSE_EXTRA_HOSTS)
    who = dynamics.home_account_id or dynamics.username
    client = dataverse_client(org_url, lambda: token, budgets.dataverse_user_key(org_url, who), for_a_page=True)
    try:
        holds = organisation_change.dynamics_holds_linked_records(connection, client)
    except DynamicsError as error:
        raise ConnectFailed(f"{org['friendly_name']} could not be read ({error}). Please try again.", connection) from error
    finally:
        client.close()
    if not holds:
        raise ConnectFailed(organisation_change.elsewhere("Dynamics", org["friendly_name"]), connection)


def remove_webhooks(dynamics: DynamicsConnection) -> None:
    """Take the connection's webhook steps and endpoint out of Dynamics, as far as Dynamics lets us: a
    disconnect goes ahead regardless (the receiver refuses calls once the secret is gone)."""
    if not dynamics.has_organisation:
        return
    try:
        client = dynamics_client(dynamics, for_a_page=True)  # a disconnect is a web request: it does not wait on Dynamics
    except DynamicsError as error:
        logger.warning("the webhooks of connection %s were not removed from Dynamics: %s", dynamics.connection_id, error)
        return
    try:
        webhooks.unregister(client, str(dynamics.connection_id))
    except DynamicsError as error:
        logger.warning("the webhooks of connection %s could not be removed from Dynamics: %s", dynamics.connection_id, error)
    finally:
        client.close()


def disconnect(connection: Connection) -> None:
    dynamics = DynamicsConnection.objects.filter(connection=connection).first()
    if dynamics is not None:
        remove_webhooks(dynamics)
    DynamicsConnection.objects.filter(connection=connection).delete()
