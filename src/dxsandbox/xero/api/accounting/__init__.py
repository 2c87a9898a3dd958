"""The Xero Accounting API emulator (/api.xro/2.0). `AccountingApi` (service.py) is the entry point.

- Wire formats: dates, money, envelope.
- Storage: books (one organisation's records), reference (the data every organisation starts with).
- Reading: query (where, order, paging), listing (a GET on a collection).
- Writing: validation, batch (summarizeErrors), idempotency (Idempotency-Key), outcome (changes to announce).
- Business rules, without HTTP: contacts, items, transactions (invoices and credit notes), status, totals,
  payments (and allocations), sending (email, online invoice).
- The thin HTTP layer: http (who is calling, with what), routes.
"""

from dxsandbox.xero.api.accounting.service import AccountingApi

__all__ = ["AccountingApi"]
