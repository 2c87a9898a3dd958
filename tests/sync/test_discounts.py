"""Discounts through the sandboxes: an invoice-level discount amount reaches Xero shared over the sales invoice's lines,
bills and credit notes go with their discounts on Discount lines, and Xero's total is Dynamics' to the cent
(docs/amounts.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.sync.helpers import SyncTestCase, invoice_choice

VAT = Decimal("0.20")  # the sandbox organisation's rate on sales (200, OUTPUT2) and purchases (300, INPUT2)


def money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def of(invoice_type: str = "ACCREC", amount_types: str = "NoTax") -> dict[str, int]:
    return {
        "stl3_xeroinvoicetype": invoice_choice("stl3_xeroinvoicetype", invoice_type),
        "stl3_lineamounttypes": invoice_choice("stl3_lineamounttypes", amount_types),
    }


def write_ins(*lines: tuple[str, str, str]) -> list[dict[str, Any]]:
    """Write-in lines from (price, quantity, discount), numbered in order."""
    return [
        {"description": f"Part {n}", "price": price, "quantity": quantity, "discount": discount, "columns": {"sequencenumber": n}}
        for n, (price, quantity, discount) in enumerate(lines, start=1)
    ]


class DiscountsTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        self.customer = self.make_account()

    def dynamics_totals(self, invoice_id: str) -> tuple[Decimal, Decimal]:
        """Dynamics' total before tax and freight, and its total."""
        row = self.invoice_row(invoice_id, select="totalamountlessfreight,totalamount")
        return Decimal(str(row["totalamountlessfreight"])), Decimal(str(row["totalamount"]))

    def sent(self, invoice_id: str) -> dict[str, Any]:
        [attempt] = self.attempts(invoice_id)
        self.assertEqual(attempt.outcome, "SUCCEEDED", attempt.reason)
        return self.xero_document(invoice_id)

    def test_a_sales_invoices_discount_amount_is_shared_over_its_lines_and_xeros_total_is_dynamics_to_the_cent(self):
        thirds = self.make_invoice(
            self.customer, write_ins(("33.33", "1", "0"), ("33.33", "1", "0"), ("33.33", "1", "0")), discountamount=10, **of()
        )
        cent = self.make_invoice(self.customer, write_ins(*[("1.00", "1", "0")] * 7), discountamount=0.01, **of())
        both = self.make_invoice(
            self.customer,
            write_ins(("50", "4", "0"), ("200", "1", "20"), ("3.33", "3", "0")),
            discountpercentage=12.5,
            discountamount=15,
            **of(),
        )
        self.sync()
        expected = {
            thirds: [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")],
            cent: [Decimal("0.01")] + [None] * 6,
            # 12.5% of 389.99 and 15.00 is 63.75 (63.74875), shared over 200, 180 and 9.99: 32.69, 29.43 and 1.63;
            # line 2 has 20.00 of its own
            both: [Decimal("32.69"), Decimal("49.43"), Decimal("1.63")],
        }
        for invoice_id, discounts in expected.items():
            with self.subTest(discounts=discounts):
                xero = self.sent(invoice_id)
                self.assertEqual(xero["Type"], "ACCREC")
                self.assertEqual([money(line.get("DiscountAmount")) for line in xero["LineItems"]], discounts)
                _, total = self.dynamics_totals(invoice_id)
                self.assertEqual(money(xero["Total"]), total)
        self.assertEqual(money(self.xero_document(thirds)["Total"]), Decimal("89.99"))

    def test_with_tax_the_lines_come_to_dynamics_total_before_tax_and_xero_taxes_each_discounted_line(self):
        made = {
            amount_types: self.make_invoice(
                self.customer,
                write_ins(("33.33", "1", "0"), ("33.33", "1", "0"), ("33.33", "1", "0")),
                discountamount=10,
                **of(amount_types=amount_types),
            )
            for amount_types in ("Exclusive", "Inclusive")
        }
        self.sync()
        before_tax, _ = self.dynamics_totals(made["Exclusive"])
        exclusive = self.sent(made["Exclusive"])
        self.assertEqual(money(exclusive["SubTotal"]), before_tax)
        line_taxes = [(money(line["LineAmount"]) * VAT).quantize(Decimal("0.01")) for line in exclusive["LineItems"]]
        self.assertEqual(line_taxes, [Decimal("6.00"), Decimal("6.00"), Decimal("6.00")])  # 20% of 29.99, 30.00 and 30.00
        self.assertEqual(money(exclusive["TotalTax"]), sum(line_taxes))
        self.assertEqual(money(exclusive["Total"]), before_tax + sum(line_taxes))
        # Inclusive: the amounts include the tax, so Xero's total is the lines', Dynamics' own total
        _, total = self.dynamics_totals(made["Inclusive"])
        self.assertEqual(money(self.sent(made["Inclusive"])["Total"]), total)

    def test_a_discounted_bill_goes_with_its_discounts_on_a_discount_line_and_dynamics_total(self):
        bill = self.make_invoice(
            self.customer,
            write_ins(("10", "3", "0.01"), ("10", "4", "0.50"), ("7.77", "1", "0")),
            discountamount=5,
            **of("ACCPAY"),
        )
        self.sync()
        xero = self.sent(bill)
        self.assertEqual(xero["Type"], "ACCPAY")
        self.assertEqual(
            [
                (line["Description"], money(line["Quantity"]), money(line["UnitAmount"]), line["AccountCode"])
                for line in xero["LineItems"]
            ],
            [
                ("Part 1", Decimal(3), Decimal(10), "300"),  # 29.99 / 3 doesn't divide evenly: the price as it is
                ("Part 2", Decimal(4), Decimal("9.875"), "300"),  # 39.50 / 4 does: folded into the price
                ("Part 3", Decimal(1), Decimal("7.77"), "300"),
                ("Discount", Decimal(1), Decimal("-5.01"), "300"),  # the invoice's 5.00 and line 1's 0.01
            ],
        )
        self.assertTrue(all("DiscountAmount" not in line and "DiscountRate" not in line for line in xero["LineItems"]))
        _, total = self.dynamics_totals(bill)
        self.assertEqual(money(xero["Total"]), total)
        self.assertEqual(total, Decimal("72.26"))  # 29.99 + 39.50 + 7.77 − 5.00

    def test_a_credit_note_whose_discount_does_not_divide_evenly_goes_with_dynamics_total(self):
        credit = self.make_invoice(
            self.customer,
            write_ins(("10", "3", "0.01"), ("1.00", "7", "0")),
            discountpercentage=33.33,
            **of("ACCRECCREDIT"),
        )
        self.sync()
        xero = self.sent(credit)
        self.assertEqual(xero["Type"], "ACCRECCREDIT")
        self.assertEqual(
            [(line["Description"], money(line["UnitAmount"])) for line in xero["LineItems"]],
            [("Part 1", Decimal(10)), ("Part 2", Decimal("1.00")), ("Discount", Decimal("-12.34"))],  # 33.33% of 36.99 is 12.33
        )
        _, total = self.dynamics_totals(credit)
        self.assertEqual(money(xero["Total"]), total)
