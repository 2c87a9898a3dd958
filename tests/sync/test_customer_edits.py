"""Edits of linked customers cross both ways, field by field, by the stated conflict rule, and nothing echoes."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from dxconnector.sync.models import Link, SyncAttempt
from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, unique

ALWAYS_ASK_XERO = override_settings(SYNC_XERO_POLL_SECONDS=0)


class CustomerEditsTestCase(SyncTestCase):
    def linked_account(self, **columns: Any) -> dict[str, Any]:
        """An account whose first invoice went to Xero: it is linked to the contact made for it."""
        account = self.make_account(**columns)
        self.make_invoice(account, [{"description": "Visit", "price": "10.00", "quantity": 1}])
        self.sync()
        return account

    def contact_link(self, customer_id: str) -> Link:
        return Link.objects.get(connection=self.connection, kind=Link.Kind.CONTACT, dynamics_id=customer_id)

    def xero_contact(self, customer_id: str) -> dict[str, Any]:
        body, _ = self.xero().request("get_contact", self.contact_link(customer_id).xero_id)
        return body["Contacts"][0]

    def edit_in_xero(self, customer_id: str, **fields: Any) -> dict[str, Any]:
        [result] = self.xero().write(
            resources.CONTACTS, [{"ContactID": self.contact_link(customer_id).xero_id, **fields}], create_only=False
        )
        assert result.ok, result.errors
        return result.record

    def account_row(self, account_id: str) -> dict[str, Any]:
        return self.dataverse().request("GET", f"accounts({account_id})").json()

    def customer_attempts(self, customer_id: str) -> list[SyncAttempt]:
        return list(SyncAttempt.objects.filter(connection=self.connection, dynamics_id=customer_id).order_by("attempted_at"))


class DynamicsToXeroTestCase(CustomerEditsTestCase):
    def test_an_email_edited_in_dynamics_reaches_the_xero_contact(self):
        self.onboard()
        account = self.linked_account(emailaddress1="old@example.com", telephone1="555 0100")
        self.dataverse().update("accounts", account["id"], {"emailaddress1": "new@example.com"})
        self.sync()
        contact = self.xero_contact(account["id"])
        self.assertEqual(contact["EmailAddress"], "new@example.com")
        self.assertEqual(contact["Name"], account["name"])
        [attempt] = self.customer_attempts(account["id"])
        self.assertEqual(attempt.outcome, SyncAttempt.Outcome.SUCCEEDED)
        self.assertIn("Xero took EmailAddress from Dynamics", attempt.reason)

    def test_a_second_run_writes_nothing_to_xero(self):
        self.onboard()
        account = self.linked_account(emailaddress1="old@example.com")
        self.dataverse().update("accounts", account["id"], {"emailaddress1": "again@example.com"})
        self.sync()
        before = self.xero_contact(account["id"])["UpdatedDateUTC"]
        with ALWAYS_ASK_XERO:
            run = self.sync()
        self.assertEqual(self.xero_contact(account["id"])["UpdatedDateUTC"], before)
        self.assertNotIn("customers_updated", run.counts)


class XeroToDynamicsTestCase(CustomerEditsTestCase):
    def test_a_phone_edited_in_xero_reaches_the_account_when_two_way_sync_is_on(self):
        self.onboard(stl3_twowaycontactsync=True)
        account = self.linked_account(telephone1="555 0100")
        self.edit_in_xero(account["id"], Phones=[{"PhoneType": "DEFAULT", "PhoneNumber": "555 0199"}])
        with ALWAYS_ASK_XERO:
            self.sync()
        self.assertEqual(self.account_row(account["id"])["telephone1"], "555 0199")
        [attempt] = self.customer_attempts(account["id"])
        self.assertIn("Dynamics took Phone DEFAULT from Xero", attempt.reason)
        self.assertEqual(attempt.direction, SyncAttempt.Direction.TO_DYNAMICS)

    def test_xero_edits_stay_in_xero_when_two_way_sync_is_off(self):
        self.onboard()
        account = self.linked_account(telephone1="555 0100")
        self.edit_in_xero(account["id"], Phones=[{"PhoneType": "DEFAULT", "PhoneNumber": "555 0199"}])
        with ALWAYS_ASK_XERO:
            self.sync()
        self.assertEqual(self.account_row(account["id"])["telephone1"], "555 0100")
        self.assertEqual(self.customer_attempts(account["id"]), [])
