"""The dry run explains what the next run would do with a customer's or a product's edit, and writes nothing."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from unittest import mock

from dxconnector import cli
from dxconnector.sync import explain_edits
from dxconnector.sync.models import Link, SyncAttempt, SyncRun
from tests.sync.helpers import SyncTestCase


class DryRunOfEditsTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard(stl3_createnewproducts=True)

    def cli(self, *args: str) -> tuple[int, str]:
        out = io.StringIO()
        with redirect_stdout(out), mock.patch.object(explain_edits, "connected_clients", self.clients):
            code = cli.main(["sync", str(self.connection.pk), "--dry-run", *args])
        return code, out.getvalue()

    def test_a_customer_no_invoice_has_linked_yet_is_said_to_stay_in_dynamics(self):
        account = self.make_account()
        code, out = self.cli("--customer", account["id"])
        self.assertEqual(code, 0)
        self.assertIn("is not linked to Xero: a customer is linked to a Xero contact when its first invoice goes to Xero", out)

    def test_an_edited_customer_is_said_to_send_the_changed_field_and_nothing_is_written(self):
        account = self.make_account(emailaddress1="before@example.com")
        self.make_invoice(account, [{"description": "Visit", "price": "10.00", "quantity": 1}])
        self.sync()
        runs, attempts = SyncRun.objects.count(), SyncAttempt.objects.count()
        self.dataverse().update("accounts", account["id"], {"emailaddress1": "after@example.com"})
        code, out = self.cli("--customer", account["id"])
        self.assertEqual(code, 0)
        self.assertIn(f"Account {account['id']} ↔ Xero ", out)
        self.assertIn("the next run sends to Xero: EmailAddress", out)
        self.assertIn("Two-way Contact Sync is off: edits made in Xero stay in Xero", out)
        self.assertEqual((SyncRun.objects.count(), SyncAttempt.objects.count()), (runs, attempts))
        xero_id = Link.objects.get(connection=self.connection, kind=Link.Kind.CONTACT, dynamics_id=account["id"]).xero_id
        body, _ = self.xero().request("get_contact", xero_id)
        self.assertNotEqual(body["Contacts"][0].get("EmailAddress"), "after@example.com")

    def test_a_product_in_step_has_nothing_to_send(self):
        product = self.make_product()
        self.make_invoice(self.make_account(), [{"product": product, "quantity": 1}])
        self.sync()
        code, out = self.cli("--product", product["id"])
        self.assertEqual(code, 0)
        self.assertIn("nothing to send: no field changed on either side since the last sync", out)

    def test_the_dry_run_takes_one_record_at_a_time(self):
        self.assertEqual(self.cli("--customer", "a", "--product", "b")[0], 2)
