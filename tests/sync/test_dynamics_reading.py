"""Reading Dynamics for the sync: change tracking with its delta links, the modifiedon sweep where a table
has no tracking, invoices read in full with one expanded query, and `$batch` writes."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

from dxconnector.domain.records import CustomerKind, InvoiceState, InvoiceType, TrackingChoice
from dxconnector.dynamics import batch
from dxconnector.dynamics.batch import BatchRequest
from dxconnector.dynamics.changes import Watch, changes_since, read_invoices
from dxconnector.dynamics.solution.definition import CHART_OF_ACCOUNTS, TRACKING_CATEGORY, TRACKING_OPTION
from tests.sync.helpers import SyncTestCase

INVOICES = Watch("invoices", "invoiceid", ("_stl3_connectorid_value",))


class ChangesTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        self.client_ = self.dataverse()

    def test_change_tracking_names_what_changed_since_its_delta_link_and_nothing_more(self):
        start = changes_since(self.client_, INVOICES, None)
        self.assertIn("delta", start.position)
        invoice_id = self.make_invoice(self.make_account(), [{"description": "New", "price": "5", "quantity": 1}])
        since = changes_since(self.client_, INVOICES, start.position)
        self.assertEqual(since.keys(INVOICES), [invoice_id])
        self.assertEqual(changes_since(self.client_, INVOICES, since.position).rows, [])

    def test_change_tracking_pages_with_the_same_page_size_to_the_end(self):
        everything = changes_since(self.client_, INVOICES, None)
        paged = changes_since(self.client_, INVOICES, None, page_size=2)
        self.assertEqual(sorted(paged.keys(INVOICES)), sorted(everything.keys(INVOICES)))
        self.assertIn("delta", paged.position)

    def test_a_deleted_row_is_reported_as_deleted(self):
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Gone", "price": "5", "quantity": 1}])
        start = changes_since(self.client_, INVOICES, None)
        self.client_.request("DELETE", f"invoices({invoice_id})")
        self.assertEqual(changes_since(self.client_, INVOICES, start.position).deleted, [invoice_id])

    def test_a_table_without_change_tracking_is_swept_by_modifiedon(self):
        units = Watch("businessunits", "businessunitid")  # Dataverse does not track business units
        first = changes_since(self.client_, units, None)
        self.assertTrue(first.rows)
        self.assertIn("since", first.position)
        again = changes_since(self.client_, units, first.position)
        self.assertTrue(again.rows)  # the rows of the last second are read again rather than missed
        self.assertTrue(all(row["modifiedon"] >= first.position["since"] for row in again.rows))

    def test_the_modifiedon_sweep_reads_on_from_its_watermark(self):
        first = changes_since(self.client_, INVOICES, {"since": "2000-01-01T00:00:00Z"})
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Swept", "price": "5", "quantity": 1}])
        later = changes_since(self.client_, INVOICES, first.position)
        self.assertIn(invoice_id, later.keys(INVOICES))
        self.assertGreaterEqual(later.position["since"], first.position["since"])

    def test_a_refused_delta_link_starts_over_with_every_row(self):
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Again", "price": "5", "quantity": 1}])
        expired = {"delta": self.client_.org_url + "/api/data/v9.2/invoices?$select=invoiceid&$deltatoken=not-a-token"}
        self.assertIn(invoice_id, changes_since(self.client_, INVOICES, expired).keys(INVOICES))


class ReadInvoicesTestCase(SyncTestCase):
    def test_an_invoice_is_read_in_full_with_one_query(self):
        self.onboard()
        client = self.dataverse()
        code = client.create(CHART_OF_ACCOUNTS.set_name, {"stl3_name": "260 - Other Revenue", "stl3_code": "260"})
        category = client.create(TRACKING_CATEGORY.set_name, {"stl3_name": "Region"})
        option = client.create(
            TRACKING_OPTION.set_name,
            {"stl3_name": "North", "stl3_trackingcategoryid@odata.bind": f"/{TRACKING_CATEGORY.set_name}({category})"},
        )
        customer = self.make_account()
        product = self.make_product(price="9.99")
        invoice_id = self.make_invoice(customer, [{"product": product, "quantity": 2}], description="Read me")
        [line] = client.list("invoicedetails", select="invoicedetailid", filter=f"_invoiceid_value eq {invoice_id}")
        client.update(
            "invoicedetails",
            line["invoicedetailid"],
            {
                "stl3_accountcodeid@odata.bind": f"/{CHART_OF_ACCOUNTS.set_name}({code})",
                "stl3_trackingoption1id@odata.bind": f"/{TRACKING_OPTION.set_name}({option})",
            },
        )
        calls = client.calls
        [record] = read_invoices(client, [invoice_id, "00000000-0000-0000-0000-000000000000"], self.connector_id())
        self.assertEqual(client.calls - calls, 1)
        invoice = record.invoice
        self.assertEqual(
            (invoice.invoice_type, invoice.state, invoice.description), (InvoiceType.ACCREC, InvoiceState.ACTIVE, "Read me")
        )
        self.assertEqual(
            (invoice.customer.kind, invoice.customer.name, invoice.customer.number),
            (CustomerKind.ACCOUNT, customer["name"], customer["accountnumber"]),
        )
        self.assertEqual(invoice.currency_code, "USD")
        self.assertEqual(invoice.connector_id, self.connector_id())
        [read_line] = invoice.lines
        self.assertEqual(
            (read_line.product.number, read_line.quantity, read_line.price_per_unit),
            (product["number"], Decimal(2), Decimal("9.99")),
        )
        self.assertEqual((read_line.account_code, read_line.tracking), ("260", (TrackingChoice("Region", "North"),)))
        self.assertEqual(record.customer.name, customer["name"])
        self.assertTrue(record.etag.startswith('W/"'))


class PagedLines:
    """A Web API that cuts an invoice's expanded lines short and serves the rest at the link it gives."""

    def __init__(self, invoice: dict, rest: list[dict]):
        self.answers = {"invoices": [{"value": [invoice]}], "more-lines": [{"value": rest}]}

    def pages(self, url, **_):
        return iter(self.answers[url])


def test_lines_dataverse_cuts_short_are_read_from_where_it_says_the_rest_is():
    line = {"invoicedetailid": "l1", "quantity": 1, "priceperunit": 5, "isproductoverridden": True, "productdescription": "A"}
    invoice = {"invoiceid": "i1", "statecode": 0, "invoice_details": [line], "invoice_details@odata.nextLink": "more-lines"}
    [record] = read_invoices(PagedLines(invoice, [{**line, "invoicedetailid": "l2"}]), ["i1"], None)
    assert [ln.id for ln in record.invoice.lines] == ["l1", "l2"]


class BatchTestCase(SyncTestCase):
    def test_a_batch_answers_each_request_and_one_refusal_does_not_stop_the_others(self):
        self.onboard()
        client = self.dataverse()
        first, second = self.make_account(), self.make_account()
        answers = batch.execute(
            client,
            [
                BatchRequest("PATCH", f"accounts({first['id']})", {"telephone1": "+1 555 0100"}),
                BatchRequest("PATCH", "accounts(00000000-0000-0000-0000-000000000000)", {"nosuchcolumn": 1}, {"If-Match": "*"}),
                BatchRequest(
                    "PATCH",
                    f"accounts({second['id']})?$select=telephone1",
                    {"telephone1": "+1 555 0101"},
                    {"Prefer": "return=representation"},
                ),
            ],
        )
        self.assertEqual([answer.ok for answer in answers], [True, False, True])
        self.assertTrue(answers[1].error)
        self.assertEqual(answers[2].body["telephone1"], "+1 555 0101")
        self.assertEqual(
            client.list("accounts", select="telephone1", filter=f"accountid eq {first['id']}")[0]["telephone1"], "+1 555 0100"
        )

    def test_more_requests_than_one_batch_takes_go_in_several_calls(self):
        self.onboard()
        client = self.dataverse()
        account = self.make_account()
        calls = client.calls
        with mock.patch.object(batch, "MAX_REQUESTS", 2):
            answers = batch.execute(
                client,
                [BatchRequest("PATCH", f"accounts({account['id']})", {"telephone1": f"+1 555 01{n:02d}"}) for n in range(5)],
            )
        self.assertEqual((len(answers), client.calls - calls), (5, 3))
        self.assertTrue(all(answer.ok for answer in answers))
