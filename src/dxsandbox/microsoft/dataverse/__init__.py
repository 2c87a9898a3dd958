"""The Dataverse Web API v9.2 emulator: one organisation per app (`app.build_dataverse_app`).

Modules, outside in: `app` (ASGI, tokens, limits) → `service` (one organisation; `service_for`, the
in-process API) → `router` (paths to operations), `batch`, `bulk`, `solutions`, `metadata` → `records`
(write rules, lookups, state, pricing via `pricing`) and `querying` (filters via `odata`/`selection`,
paging, change tracking) → `storage` (rows in memory, written through to the sandbox store) over the
table definitions in `tables`/`standard_tables`/`catalog`. Also: `security` (roles and privileges),
`users` (systemusers from the identity seed), `webhooks`, `protection` (service protection limits),
`seed` (reference rows and `seed_sales_data`).
"""
