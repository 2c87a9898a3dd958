"""A connection that has synced keeps its organisations: reconnecting Xero, or signing in to Microsoft again, to another
organisation is refused with the reason and changes nothing, and the next sync still succeeds. Against the sandboxes,
after a real sync."""

from __future__ import annotations

from typing import Any

from dxconnector.connections.models import DynamicsConnection, XeroConnection
from dxconnector.sync.models import Link
from tests.sandbox.microsoft.browser import sign_in
from tests.sandboxes import xero_consent
from tests.sync.helpers import ORGANISATION, SyncTestCase

XERO_ORGANISATION = "Thistle & Rose Ltd"  # the bookkeeper's one organisation, which onboarding connects


class OrganisationChangeTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        self.base = f"/connections/{self.connection.pk}"
        self.sync_an_invoice()
        self.assertTrue(Link.objects.filter(connection=self.connection).exists())
        self.client.get(f"{self.base}/")  # onboarding's messages shown, so each test sees only its own

    def said(self, response) -> list[str]:
        return [str(message) for message in response.context["messages"]]

    def sync_an_invoice(self) -> None:
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Consulting", "price": "120", "quantity": 1}])
        self.sync()
        self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)

    def stored(self) -> dict[str, Any]:
        xero = XeroConnection.objects.get(connection=self.connection)
        dynamics = DynamicsConnection.objects.get(connection=self.connection)
        return {
            "xero": (xero.tenant_id, xero.tenant_name, xero.xero_connection_id, xero.access_token, xero.refresh_token),
            "dynamics": (dynamics.org_id, dynamics.org_url, dynamics.username, dynamics.token_cache),
        }

    def reconnect_xero(self, user_index: int, tenants: int = 1):
        location = self.client.post(f"{self.base}/xero/connect/", {"confirmed": "yes"})["Location"]  # no question once off
        back = xero_consent(self.sandbox, location, user_index=user_index, tenants=tenants)
        return self.client.get("/xero/callback/" + back[back.index("?") :], follow=True)

    def sign_in_again(self, email: str):
        user = next(u for u in self.sandbox.manifest["microsoft"]["users"] if u["email"] == email)
        location = self.client.post(f"{self.base}/dynamics/connect/", {"confirmed": "yes"})["Location"]
        return self.client.get("/dynamics/callback/", sign_in(location, user), follow=True)

    def org_id(self, friendly_name: str) -> str:
        return next(o["id"] for o in self.sandbox.manifest["microsoft"]["organisations"] if o["friendly_name"] == friendly_name)

    def test_reconnecting_xero_to_another_organisation_is_refused_and_changes_nothing(self):
        before = self.stored()
        response = self.reconnect_xero(user_index=0)  # the accountant's first organisation: Oakwood Trading Ltd
        self.assertMessage(
            response, f"This connection's invoices are linked to records in the Xero organisation “{XERO_ORGANISATION}”"
        )
        self.assertMessage(response, "to use another organisation, create a new connection. Nothing was changed.")
        self.assertFalse(any("Connected to Xero" in message for message in self.said(response)), self.said(response))
        self.assertEqual(self.stored(), before)
        self.sync_an_invoice()

    def test_reconnecting_xero_to_the_same_organisation_renews_its_access(self):
        before = self.stored()["xero"]
        response = self.reconnect_xero(user_index=1)
        self.assertMessage(response, f"Connected to Xero organisation “{XERO_ORGANISATION}”.")
        after = self.stored()["xero"]
        self.assertEqual(after[:2], before[:2])
        self.assertNotEqual(after[4], before[4], "the refresh token is the new sign-in's")
        self.sync_an_invoice()

    def test_choosing_another_xero_organisation_is_refused(self):
        before = self.stored()
        other = self.sandbox.xero["organisations"][0]["tenant_id"]
        response = self.client.post(f"{self.base}/xero/choose/", {"tenant_id": other, "confirmed": "yes"}, follow=True)
        self.assertMessage(response, f"linked to records in the Xero organisation “{XERO_ORGANISATION}”")
        self.assertEqual(self.stored(), before)

    def test_selecting_another_dynamics_organisation_is_refused_and_changes_nothing(self):
        before = self.stored()
        response = self.client.post(
            f"{self.base}/dynamics/select/", {"org_id": self.org_id("Oakwood Sales"), "confirmed": "yes"}, follow=True
        )
        self.assertMessage(
            response, f"This connection's invoices are linked to records in the Dynamics organisation “{ORGANISATION}”"
        )
        self.assertEqual(len(self.said(response)), 1, self.said(response))
        self.assertEqual(self.stored(), before)
        self.sync_an_invoice()

    def test_signing_in_with_an_account_of_another_dynamics_organisation_is_refused_and_changes_nothing(self):
        before = self.stored()
        response = self.sign_in_again("admin@harbourlights.sandbox")
        self.assertMessage(response, f"admin@harbourlights.sandbox can't use “{ORGANISATION}”.")
        self.assertMessage(response, "to use another organisation, create a new connection. Nothing was changed.")
        self.assertEqual(len(self.said(response)), 1, self.said(response))
        self.assertEqual(self.stored(), before)
        self.sync_an_invoice()

    def test_signing_in_to_microsoft_again_keeps_the_organisation(self):
        before = self.stored()["dynamics"]
        response = self.sign_in_again("admin@oakwood.sandbox")
        self.assertMessage(response, f"Signed in to Microsoft. The connection still uses “{ORGANISATION}”.")
        self.assertEqual(self.stored()["dynamics"][:3], before[:3])
        self.sync_an_invoice()

    def test_after_disconnecting_xero_connecting_another_organisation_is_refused(self):
        self.client.post(f"{self.base}/xero/disconnect/", {"confirmed": "yes"}, follow=True)
        response = self.reconnect_xero(user_index=0)
        self.assertEqual(
            self.said(response),
            [
                "This connection's invoices are linked to records in another Xero organisation than “Oakwood Trading Ltd”, "
                "so it can't use “Oakwood Trading Ltd”: connect the organisation they were synced with, or create a new "
                "connection to use “Oakwood Trading Ltd”. Nothing was connected."
            ],
        )
        self.assertFalse(XeroConnection.objects.filter(connection=self.connection).exists())
        again = self.reconnect_xero(user_index=1)
        self.assertMessage(again, f"Connected to Xero organisation “{XERO_ORGANISATION}”.")
        self.sync_an_invoice()

    def test_after_disconnecting_xero_choosing_another_of_several_organisations_is_refused(self):
        self.client.post(f"{self.base}/xero/disconnect/", {"confirmed": "yes"}, follow=True)
        self.assertMessage(self.reconnect_xero(user_index=0, tenants=2), "Choose which organisation this connection uses.")
        bayside = self.sandbox.xero["organisations"][1]
        response = self.client.post(f"{self.base}/xero/choose/", {"tenant_id": bayside["tenant_id"]}, follow=True)
        self.assertMessage(response, f"linked to records in another Xero organisation than “{bayside['name']}”")
        self.assertFalse(XeroConnection.objects.get(connection=self.connection).is_chosen)

    def test_after_disconnecting_dynamics_selecting_another_organisation_is_refused(self):
        self.client.post(f"{self.base}/dynamics/disconnect/", {"confirmed": "yes"}, follow=True)
        self.assertMessage(self.sign_in_again("admin@oakwood.sandbox"), "Select your Dynamics organisation.")
        response = self.client.post(f"{self.base}/dynamics/select/", {"org_id": self.org_id("Oakwood Sales")}, follow=True)
        self.assertMessage(response, "linked to records in another Dynamics organisation than “Oakwood Sales”")
        self.assertFalse(DynamicsConnection.objects.get(connection=self.connection).has_organisation)
        chosen = self.client.post(f"{self.base}/dynamics/select/", {"org_id": self.org_id(ORGANISATION)}, follow=True)
        self.assertMessage(chosen, f"Dynamics organisation “{ORGANISATION}” selected.")
        self.sync_an_invoice()
