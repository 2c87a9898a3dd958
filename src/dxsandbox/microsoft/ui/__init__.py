"""The Dynamics 365 app of the sandbox: the pages a person playing a Dynamics user works in (plain http).

Modules: `app` (routes, sign-in, choosing an organisation, `build_dynamics_app`) → `visits` (sessions, one
request's person, organisation and role) → the pages: `customers` (accounts and contacts) and `products`
(both described for `records`, the generic grid and form; `xero_links` shows their Xero rows, payments and sync
attempts), `invoices` and `lines` (an invoice's products; its payments from `xero_links` too),
`solutions` (import) → `gateway` (the organisation's Web API, in-process, as the person) and `forms`
(form fields to Web API values), `layout` (the frame and widgets).
"""

from dxsandbox.microsoft.ui.app import build_dynamics_app

__all__ = ["build_dynamics_app"]
