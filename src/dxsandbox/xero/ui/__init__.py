"""go.xero.com in the sandbox: a small server-rendered app for a person playing the Xero user.

Sign in as a sandbox user, choose one of their organisations, then work its invoices (list, approve,
record payments, void, delete) and contacts (list, edit). Every change goes through the Accounting API's
business layer, so it follows the API's rules and is announced to webhooks exactly as an API call is.

- web: sessions, the per-request `Visit`, committing a change (POST-redirect-GET).
- layout: the page frame and shared pieces.
- invoices, contacts: the pages and their actions.
- app: the route table (`build_ui_app`).
"""

from dxsandbox.xero.ui.app import build_ui_app

__all__ = ["build_ui_app"]
