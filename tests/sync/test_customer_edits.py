"""Edits of linked customers cross both ways, field by field, by the stated conflict rule, and nothing echoes
(docs/conflicts.md)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.test import override_settings

from dxconnector.domain.mapping.choices import option_value
from dxconnector.domain.names import XeroContactTable
from dxconnector.sync.models import Link, SyncAttempt
from dxconnector.xero import resources
from tests.sync.helpers import SyncTestCase, unique

ALWAYS_ASK_XERO = override_settings(SYNC_XERO_POLL_SECONDS=0)
LATER = 1.1  # seconds between two edits, so that one side's record changed later by both sides' clocks

ADDRESS_KEYS = {
    "address1_line1": "AddressLine1",
    "address1_line2": "AddressLine2",
    "address1_line3": "AddressLine3",
    "address1_city": "City",
    "address1_stateorprovince": "Region",
    "address1_postalcode": "PostalCode",
    "address1_country": "Country",
}
PHONE_TYPES = {"telephone1": "DEFAULT", "mobilephone": "MOBILE", "fax": "FAX"}
TEXT_KEYS = {
    "name": "Name",
    "accountnumber": "AccountNumber",
    "firstname": "FirstName",
    "lastname": "LastName",
    "emailaddress1": "EmailAddress",
}
ACCOUNT_COLUMNS = ("name", "accountnumber", "emailaddress1", "telephone1", "fax", *ADDRESS_KEYS)
CONTACT_COLUMNS = ("firstname", "lastname", "emailaddress1", "telephone1", "mobilephone", "fax", *ADDRESS_KEYS)
ADDRESS = {
    "address1_line1": "Level 2",
    "address1_line2": "12 Queen Street",
    "address1_line3": "Unit 4",
    "address1_city": "Auckland",
    "address1_stateorprovince": "Auckland",
    "address1_postalcode": "1010",
    "address1_country": "New Zealand",
}


def as_dynamics_columns(body: dict[str, Any], columns: tuple[str, ...]) -> dict[str, str]:
    """A Xero contact's fields named by the Dynamics columns they map to (empty as "")."""
    postal = next((a for a in body.get("Addresses") or () if a.get("AddressType") == "POBOX"), {})
    phones = {p.get("PhoneType"): p.get("PhoneNumber") or "" for p in body.get("Phones") or ()}
    seen: dict[str, str] = {}
    for column in columns:
        if column in TEXT_KEYS:
            seen[column] = body.get(TEXT_KEYS[column]) or ""
        elif column in PHONE_TYPES:
            seen[column] = phones.get(PHONE_TYPES[column], "")
        else:
            seen[column] = postal.get(ADDRESS_KEYS[column]) or ""
    return seen


def xero_edit(column: str, value: str, body: dict[str, Any]) -> dict[str, Any]:
    """The Xero update that sets the field mapped to this Dynamics column (an address goes whole, as Xero keeps
    addresses by type)."""
    if column in TEXT_KEYS:
        return {TEXT_KEYS[column]: value}
    if column in PHONE_TYPES:
        return {"Phones": [{"PhoneType": PHONE_TYPES[column], "PhoneNumber": value}]}
    postal = next((a for a in body.get("Addresses") or () if a.get("AddressType") == "POBOX"), {})
    return {"Addresses": [{**postal, "AddressType": "POBOX", ADDRESS_KEYS[column]: value}]}


def new_value(column: str) -> str:
    """A value for the column unlike any before (an email address, a phone number, text)."""
    mark = uuid.uuid4().hex[:6]
    if column == "emailaddress1":
        return f"new-{mark}@example.com"
    if column in PHONE_TYPES:
        return f"555 {int(mark, 16) % 10000:04d}"
    if column == "accountnumber":
        return f"A-{mark}"
    return f"{column.split('_')[-1].title()} {mark}"


class CustomerEditsTestCase(SyncTestCase):
    def linked_account(self, **columns: Any) -> dict[str, Any]:
        """An account whose first invoice went to Xero: it is linked to the contact made for it."""
        account = self.make_account(**columns)
        self.make_invoice(account, [{"description": "Visit", "price": "10.00", "quantity": 1}])
        self.sync()
        return account

    def make_contact(self, **columns: Any) -> dict[str, Any]:
        body = {"firstname": "Zoë", "lastname": unique("Ngāta"), **columns}
        return {"id": self.dataverse().create("contacts", body), **body}

    def linked_contact(self, **columns: Any) -> dict[str, Any]:
        """A Dynamics contact whose first invoice went to Xero."""
        contact = self.make_contact(**columns)
        self.make_invoice(contact, [{"description": "Visit", "price": "10.00", "quantity": 1}], customer_kind="contact")
        self.sync()
        return contact

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

    def edit_in_dynamics(self, customer_id: str, table: str = "account", **columns: Any) -> None:
        self.dataverse().update(f"{table}s", customer_id, columns)

    def account_row(self, account_id: str) -> dict[str, Any]:
        return self.dataverse().request("GET", f"accounts({account_id})").json()

    def customer_row(self, customer_id: str, table: str) -> dict[str, Any]:
        return self.dataverse().request("GET", f"{table}s({customer_id})").json()

    def customer_attempts(self, customer_id: str) -> list[SyncAttempt]:
        return list(SyncAttempt.objects.filter(connection=self.connection, dynamics_id=customer_id).order_by("attempted_at"))

    def history_of(self, attempt: SyncAttempt) -> dict[str, Any]:
        """The attempt's history row in Dynamics (its id is the attempt's), naming the account or contact."""
        row = self.dataverse().request("GET", f"stl3_synchistories({attempt.pk})").json()
        self.assertEqual(row[f"_stl3_{attempt.record_kind}id_value"], attempt.dynamics_id)
        return row

    def xero_contact_rows(self, customer_id: str, table: str = "account") -> list[dict[str, Any]]:
        return self.dataverse().list("stl3_xerocontacts", filter=f"_stl3_{table}id_value eq {customer_id}")

    def updated_in_xero(self, customer_id: str) -> str:
        return self.xero_contact(customer_id)["UpdatedDateUTC"]


def contact_choice(column: str, code: str) -> int:
    return option_value(XeroContactTable.TABLE, column, code)


class EachFieldTestCase(CustomerEditsTestCase):
    """Each mapped field, one edit at a time, then both sides compared whole (no edit lost another field)."""

    def each_field_to_xero(self, customer: dict[str, Any], table: str, columns: tuple[str, ...]) -> None:
        for column in columns:
            with self.subTest(column=column):
                value = new_value(column)
                self.edit_in_dynamics(customer["id"], table, **{column: value})
                self.sync()
                self.assertEqual(as_dynamics_columns(self.xero_contact(customer["id"]), (column,)), {column: value})
        self.assert_both_sides_alike(customer["id"], table, columns)

    def each_field_from_xero(self, customer: dict[str, Any], table: str, columns: tuple[str, ...]) -> None:
        for column in columns:
            with self.subTest(column=column):
                value = new_value(column)
                self.edit_in_xero(customer["id"], **xero_edit(column, value, self.xero_contact(customer["id"])))
                with ALWAYS_ASK_XERO:
                    self.sync()
                self.assertEqual(self.customer_row(customer["id"], table)[column], value)
        self.assert_both_sides_alike(customer["id"], table, columns)

    def assert_both_sides_alike(self, customer_id: str, table: str, columns: tuple[str, ...]) -> None:
        row = self.customer_row(customer_id, table)
        in_dynamics = {column: row.get(column) or "" for column in columns}
        self.assertEqual(as_dynamics_columns(self.xero_contact(customer_id), columns), in_dynamics)

    def test_each_field_of_an_account_edited_in_dynamics_reaches_its_xero_contact(self):
        self.onboard()
        account = self.linked_account(emailaddress1="old@example.com", telephone1="555 0100", fax="555 0101", **ADDRESS)
        self.each_field_to_xero(account, "account", ACCOUNT_COLUMNS)

    def test_each_field_of_an_account_edited_in_xero_reaches_dynamics_when_two_way_sync_is_on(self):
        self.onboard(stl3_twowaycontactsync=True)
        account = self.linked_account(emailaddress1="old@example.com", telephone1="555 0100", fax="555 0101", **ADDRESS)
        self.each_field_from_xero(account, "account", ACCOUNT_COLUMNS)

    def test_each_field_of_a_contact_edited_in_dynamics_reaches_its_xero_contact(self):
        self.onboard()
        contact = self.linked_contact(
            emailaddress1="zoe@example.com", telephone1="555 0200", mobilephone="021 555 0300", fax="555 0201", **ADDRESS
        )
        self.each_field_to_xero(contact, "contact", CONTACT_COLUMNS)
        row = self.customer_row(contact["id"], "contact")
        self.assertEqual(self.xero_contact(contact["id"])["Name"], row["fullname"])

    def test_each_field_of_a_contact_edited_in_xero_reaches_dynamics_when_two_way_sync_is_on(self):
        self.onboard(stl3_twowaycontactsync=True)
        contact = self.linked_contact(
            emailaddress1="zoe@example.com", telephone1="555 0200", mobilephone="021 555 0300", fax="555 0201", **ADDRESS
        )
        self.each_field_from_xero(contact, "contact", CONTACT_COLUMNS)


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

    def test_an_email_cleared_in_dynamics_is_cleared_in_xero(self):
        self.onboard()
        account = self.linked_account(emailaddress1="old@example.com")
        self.edit_in_dynamics(account["id"], emailaddress1=None)
        self.sync()
        self.assertFalse(self.xero_contact(account["id"]).get("EmailAddress"))

    def test_non_ascii_names_and_addresses_reach_xero_as_they_are(self):
        self.onboard()
        account = self.linked_account(address1_city="Warszawa")
        name = unique("Łódź Präzision")
        self.edit_in_dynamics(account["id"], name=name, address1_line1="ul. Długa 5", address1_city="Gdańsk")
        self.sync()
        contact = self.xero_contact(account["id"])
        self.assertEqual(contact["Name"], name)
        self.assertEqual(
            as_dynamics_columns(contact, ("address1_line1", "address1_city")),
            {"address1_line1": "ul. Długa 5", "address1_city": "Gdańsk"},
        )

    def test_a_customer_deactivated_in_dynamics_has_its_xero_contact_archived_and_active_again_when_reactivated(self):
        self.onboard()
        account = self.linked_account()
        self.edit_in_dynamics(account["id"], statecode=1, statuscode=2)
        self.sync()
        self.assertEqual(self.xero_contact(account["id"])["ContactStatus"], "ARCHIVED")
        [row] = self.xero_contact_rows(account["id"])
        self.assertEqual(row[XeroContactTable.XERO_STATUS], contact_choice(XeroContactTable.XERO_STATUS, "ARCHIVED"))
        self.edit_in_dynamics(account["id"], statecode=0, statuscode=1)
        self.sync()
        self.assertEqual(self.xero_contact(account["id"])["ContactStatus"], "ACTIVE")
        [row] = self.xero_contact_rows(account["id"])
        self.assertEqual(row[XeroContactTable.XERO_STATUS], contact_choice(XeroContactTable.XERO_STATUS, "ACTIVE"))

    def test_a_deactivated_contact_has_its_xero_contact_archived(self):
        self.onboard()
        contact = self.linked_contact()
        self.edit_in_dynamics(contact["id"], "contact", statecode=1, statuscode=2)
        self.sync()
        self.assertEqual(self.xero_contact(contact["id"])["ContactStatus"], "ARCHIVED")

    def test_a_name_xero_refuses_fails_that_customer_alone_with_xeros_words_in_its_history(self):
        self.onboard()
        taken = self.in_xero(resources.CONTACTS, {"Name": unique("Taken Name")})
        refused, other = self.make_account(), self.make_account(emailaddress1="other@example.com")
        for customer in (refused, other):
            self.make_invoice(customer, [{"description": "Visit", "price": "10.00", "quantity": 1}])
        self.sync()
        self.edit_in_dynamics(refused["id"], name=taken["Name"], emailaddress1="refused@example.com")
        self.edit_in_dynamics(other["id"], emailaddress1="other-new@example.com")
        run = self.sync()
        self.assertEqual(run.counts.get("failed"), 1)
        self.assertEqual(self.xero_contact(other["id"])["EmailAddress"], "other-new@example.com")
        unchanged = self.xero_contact(refused["id"])
        self.assertEqual((unchanged["Name"], unchanged.get("EmailAddress")), (refused["name"], None))
        [attempt] = self.customer_attempts(refused["id"])
        self.assertEqual(attempt.outcome, SyncAttempt.Outcome.FAILED)
        history = self.history_of(attempt)
        self.assertEqual(history["stl3_outcome"], option_value("stl3_synchistory", "stl3_outcome", "FAILED"))
        self.assertIn("is already assigned to another contact", history["stl3_message"])
        [row] = self.xero_contact_rows(refused["id"])
        self.assertEqual(row[XeroContactTable.SYNC_STATUS], contact_choice(XeroContactTable.SYNC_STATUS, "FAILED"))
        [row] = self.xero_contact_rows(other["id"])
        self.assertEqual(row[XeroContactTable.SYNC_STATUS], contact_choice(XeroContactTable.SYNC_STATUS, "SYNCED"))

    def test_the_fields_xero_refused_go_again_with_the_customers_next_edit(self):
        self.onboard()
        taken = self.in_xero(resources.CONTACTS, {"Name": unique("Taken Name")})
        account = self.linked_account()
        self.edit_in_dynamics(account["id"], name=taken["Name"], emailaddress1="refused@example.com")
        self.sync()
        renamed = unique("Renamed")
        self.edit_in_dynamics(account["id"], name=renamed)
        self.sync()
        contact = self.xero_contact(account["id"])
        self.assertEqual((contact["Name"], contact["EmailAddress"]), (renamed, "refused@example.com"))
        [row] = self.xero_contact_rows(account["id"])
        self.assertEqual(row[XeroContactTable.SYNC_STATUS], contact_choice(XeroContactTable.SYNC_STATUS, "SYNCED"))

    def test_many_edits_in_a_short_time_cost_a_handful_of_xero_writes_and_both_sides_end_alike(self):
        self.onboard()
        account = self.linked_account(emailaddress1="storm-0@example.com")
        runs = []
        for edit in range(1, 201):
            self.edit_in_dynamics(account["id"], emailaddress1=f"storm-{edit}@example.com")
            if edit % 50 == 0:
                runs.append(self.sync("webhook"))
        written = sum(run.counts.get("customers_updated", 0) for run in runs)
        self.assertLessEqual(written, len(runs))
        self.assertEqual(self.xero_contact(account["id"])["EmailAddress"], "storm-200@example.com")
        self.assertEqual(self.account_row(account["id"])["emailaddress1"], "storm-200@example.com")


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

    def test_an_email_cleared_in_xero_is_cleared_in_dynamics_when_two_way_sync_is_on(self):
        self.onboard(stl3_twowaycontactsync=True)
        account = self.linked_account(emailaddress1="old@example.com")
        self.edit_in_xero(account["id"], EmailAddress="")
        with ALWAYS_ASK_XERO:
            self.sync()
        self.assertIsNone(self.account_row(account["id"])["emailaddress1"])

    def test_non_ascii_names_and_addresses_reach_dynamics_as_they_are(self):
        self.onboard(stl3_twowaycontactsync=True)
        account = self.linked_account()
        name = unique("Zürich Präzision")
        address = {"AddressType": "POBOX", "AddressLine1": "Bahnhofstraße 1", "City": "Zürich", "Country": "Schweiz"}
        self.edit_in_xero(account["id"], Name=name, Addresses=[address])
        with ALWAYS_ASK_XERO:
            self.sync()
        row = self.account_row(account["id"])
        self.assertEqual(
            (row["name"], row["address1_line1"], row["address1_city"], row["address1_country"]),
            (name, "Bahnhofstraße 1", "Zürich", "Schweiz"),
        )

    def test_a_contact_archived_in_xero_leaves_the_account_active_and_shows_on_its_xero_contact_row(self):
        self.onboard(stl3_twowaycontactsync=True)
        account = self.linked_account()
        self.edit_in_xero(account["id"], ContactStatus="ARCHIVED")
        with ALWAYS_ASK_XERO:
            self.sync()
        self.assertEqual(self.account_row(account["id"])["statecode"], 0)
        [row] = self.xero_contact_rows(account["id"])
        self.assertEqual(row[XeroContactTable.XERO_STATUS], contact_choice(XeroContactTable.XERO_STATUS, "ARCHIVED"))
        self.assertEqual(self.xero_contact(account["id"])["ContactStatus"], "ARCHIVED")
        [attempt] = self.customer_attempts(account["id"])
        self.assertNotIn("Dynamics took", attempt.reason)
        self.assertIn("The contact's status changed in Xero", attempt.reason)

    def test_xero_edits_stay_in_xero_when_two_way_sync_is_off(self):
        self.onboard()
        account = self.linked_account(telephone1="555 0100")
        self.edit_in_xero(account["id"], Phones=[{"PhoneType": "DEFAULT", "PhoneNumber": "555 0199"}])
        with ALWAYS_ASK_XERO:
            self.sync()
        self.assertEqual(self.account_row(account["id"])["telephone1"], "555 0100")
        self.assertEqual(self.customer_attempts(account["id"]), [])

    def test_with_two_way_sync_off_a_later_dynamics_edit_of_another_field_leaves_the_xero_edit_alone(self):
        self.onboard()
        account = self.linked_account(telephone1="555 0100", emailaddress1="old@example.com")
        self.edit_in_xero(account["id"], Phones=[{"PhoneType": "DEFAULT", "PhoneNumber": "555 0199"}])
        self.edit_in_dynamics(account["id"], emailaddress1="new@example.com")
        with ALWAYS_ASK_XERO:
            self.sync()
        contact = self.xero_contact(account["id"])
        self.assertEqual(
            as_dynamics_columns(contact, ("telephone1", "emailaddress1")),
            {"telephone1": "555 0199", "emailaddress1": "new@example.com"},
        )
        self.assertEqual(self.account_row(account["id"])["telephone1"], "555 0100")


class ConflictTestCase(CustomerEditsTestCase):
    """The same field edited on both sides between two syncs: the later side's value is kept, and the history
    says so."""

    def test_the_same_field_edited_on_both_sides_keeps_xeros_value_when_xeros_edit_was_later(self):
        self.onboard(stl3_twowaycontactsync=True)
        account = self.linked_account(emailaddress1="old@example.com")
        self.edit_in_dynamics(account["id"], emailaddress1="dynamics@example.com")
        time.sleep(LATER)
        self.edit_in_xero(account["id"], EmailAddress="xero@example.com")
        with ALWAYS_ASK_XERO:
            self.sync()
        self.assert_kept(account["id"], "xero@example.com", "EmailAddress was changed on both sides; Xero's change was later")

    def test_the_same_field_edited_on_both_sides_keeps_dynamics_value_when_dynamics_edit_was_later(self):
        self.onboard(stl3_twowaycontactsync=True)
        account = self.linked_account(emailaddress1="old@example.com")
        self.edit_in_xero(account["id"], EmailAddress="xero@example.com")
        time.sleep(LATER)
        self.edit_in_dynamics(account["id"], emailaddress1="dynamics@example.com")
        with ALWAYS_ASK_XERO:
            self.sync()
        self.assert_kept(
            account["id"], "dynamics@example.com", "EmailAddress was changed on both sides; Dynamics' change was later"
        )

    def test_a_customer_matched_to_an_older_contact_made_in_xero_keeps_its_own_values(self):
        self.onboard(stl3_twowaycontactsync=True)
        name = unique("Matched")
        self.in_xero(resources.CONTACTS, {"Name": name, "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "555 0111"}]})
        time.sleep(LATER)
        account = self.linked_account(name=name, telephone1="555 0222")
        with ALWAYS_ASK_XERO:
            self.sync()
        self.assertEqual(as_dynamics_columns(self.xero_contact(account["id"]), ("telephone1",)), {"telephone1": "555 0222"})
        self.assertEqual(self.account_row(account["id"])["telephone1"], "555 0222")

    def test_a_customer_matched_to_a_newer_contact_made_in_xero_takes_its_values(self):
        self.onboard(stl3_twowaycontactsync=True)
        account = self.make_account(telephone1="555 0222")
        time.sleep(LATER)
        self.in_xero(
            resources.CONTACTS, {"Name": account["name"], "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "555 0111"}]}
        )
        self.make_invoice(account, [{"description": "Visit", "price": "10.00", "quantity": 1}])
        with ALWAYS_ASK_XERO:
            self.sync()
            self.sync()
        self.assertEqual(as_dynamics_columns(self.xero_contact(account["id"]), ("telephone1",)), {"telephone1": "555 0111"})
        self.assertEqual(self.account_row(account["id"])["telephone1"], "555 0111")

    def assert_kept(self, account_id: str, email: str, said: str) -> None:
        self.assertEqual(self.xero_contact(account_id)["EmailAddress"], email)
        self.assertEqual(self.account_row(account_id)["emailaddress1"], email)
        [attempt] = self.customer_attempts(account_id)
        self.assertEqual(attempt.outcome, SyncAttempt.Outcome.SUCCEEDED)
        self.assertIn(said, attempt.reason)
        self.assertIn(said, self.history_of(attempt)["stl3_message"])


class NoEchoTestCase(CustomerEditsTestCase):
    def test_after_an_edit_in_dynamics_the_next_run_writes_nothing_to_either_side(self):
        self.onboard(stl3_twowaycontactsync=True)
        account = self.linked_account(emailaddress1="old@example.com")
        self.edit_in_dynamics(account["id"], emailaddress1="again@example.com", address1_city="Gdańsk")
        self.sync()
        xero_before, dynamics_before = self.updated_in_xero(account["id"]), self.account_row(account["id"])["versionnumber"]
        attempts = len(self.customer_attempts(account["id"]))
        with ALWAYS_ASK_XERO:
            run = self.sync("webhook")
        self.assertEqual(self.updated_in_xero(account["id"]), xero_before)
        self.assertEqual(self.account_row(account["id"])["versionnumber"], dynamics_before)
        self.assertNotIn("customers_updated", run.counts)
        self.assertEqual(len(self.customer_attempts(account["id"])), attempts)

    def test_after_an_edit_in_xero_the_accounts_change_coming_back_writes_nothing_to_xero(self):
        self.onboard(stl3_twowaycontactsync=True)
        account = self.linked_account(telephone1="555 0100")
        self.edit_in_xero(account["id"], Phones=[{"PhoneType": "DEFAULT", "PhoneNumber": "555 0199"}])
        with ALWAYS_ASK_XERO:
            self.sync()
        self.assertEqual(self.account_row(account["id"])["telephone1"], "555 0199")
        xero_before, dynamics_before = self.updated_in_xero(account["id"]), self.account_row(account["id"])["versionnumber"]
        with ALWAYS_ASK_XERO:
            run = self.sync("webhook")  # Dynamics' change tracking brings our own write back
        self.assertEqual(self.updated_in_xero(account["id"]), xero_before)
        self.assertEqual(self.account_row(account["id"])["versionnumber"], dynamics_before)
        self.assertNotIn("customers_updated", run.counts)
        self.assertGreaterEqual(run.counts.get("unchanged", 0), 1)


class XeroContactRowTestCase(CustomerEditsTestCase):
    def test_an_accounts_xero_contact_row_is_in_dynamics_once_its_first_invoice_links_it(self):
        self.onboard()
        account = self.linked_account()
        [row] = self.xero_contact_rows(account["id"])
        self.assert_row(row, self.contact_link(account["id"]).xero_id)

    def test_a_contacts_xero_contact_row_is_in_dynamics_once_its_first_invoice_links_it(self):
        self.onboard()
        contact = self.linked_contact()
        [row] = self.xero_contact_rows(contact["id"], "contact")
        self.assert_row(row, self.contact_link(contact["id"]).xero_id)

    def assert_row(self, row: dict[str, Any], xero_id: str) -> None:
        self.assertEqual(row[XeroContactTable.XERO_CONTACT_ID], xero_id)
        self.assertEqual(row[XeroContactTable.XERO_STATUS], contact_choice(XeroContactTable.XERO_STATUS, "ACTIVE"))
        self.assertEqual(row[XeroContactTable.SYNC_STATUS], contact_choice(XeroContactTable.SYNC_STATUS, "SYNCED"))
        self.assertTrue(row[XeroContactTable.XERO_URL].endswith(f"/Contacts/View/{xero_id}"))
        self.assertEqual(row["_stl3_connectorid_value"], self.connector_id())
