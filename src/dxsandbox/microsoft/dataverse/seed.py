"""What an organisation starts with, and realistic sales data in any quantity.

`seed_organisation` runs once per organisation store: the organisation row, its base currency and
business unit, the SYSTEM user, security roles and privileges, the default unit group with its
"Primary Unit", a default price list, the default publisher and solutions, and the SDK messages and
message filters webhook steps register against. Users are synchronised with the identity seed on every
start. `seed_sales_data` adds accounts (with contacts), products and invoices with lines; a benchmark
can ask for thousands.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from dxsandbox.common.store import DocumentStore
from dxsandbox.microsoft.dataverse.records import utc_now
from dxsandbox.microsoft.dataverse.security import ROLE_NAMES, SYSTEM_ADMINISTRATOR, privilege_id, table_privileges
from dxsandbox.microsoft.dataverse.settings import OrgUser
from dxsandbox.microsoft.dataverse.tables import metadata_id
from dxsandbox.microsoft.dataverse.users import ROLES_FIELD, system_user_id, users_from_identity_seed
from dxsandbox.microsoft.dataverse.webhooks import MESSAGES, WEBHOOK_TABLES

if TYPE_CHECKING:
    from dxsandbox.microsoft.dataverse.service import DataverseService

CURRENCIES = {
    "USD": ("US Dollar", "$"),
    "EUR": ("Euro", "€"),
    "GBP": ("Pound Sterling", "£"),
    "AUD": ("Australian Dollar", "A$"),
    "NZD": ("New Zealand Dollar", "NZ$"),
    "CAD": ("Canadian Dollar", "CA$"),
    "CHF": ("Swiss Franc", "CHF"),
    "SEK": ("Swedish Krona", "kr"),
    "JPY": ("Yen", "¥"),
}
SDK_MESSAGES = (*MESSAGES, "Retrieve", "RetrieveMultiple", "Assign", "SetState")

ACCOUNT_NAMES = [
    "Müller & Söhne GmbH",
    "Café Ñandú S.A.",
    "Łódź Logistyka Sp. z o.o.",
    "Østergaard Design ApS",
    "Zürich Präzision AG",
    "São Paulo Importações Ltda",
    "Éclair Pâtisserie SARL",
    "Ōsaka Bōeki KK",
    "Contoso Pharmaceuticals",
    "Fabrikam, Inc.",
    "Ærø Fisk & Skaldyr",
    "Crème de la Crème Catering",
    "Kōwhai Gardens Ltd",
    "Dvořák Hudební s.r.o.",
]
CITIES = [
    ("Berlin", "Germany", "10115"),
    ("Sevilla", "Spain", "41001"),
    ("Łódź", "Poland", "90-001"),
    ("København", "Denmark", "1050"),
    ("Zürich", "Switzerland", "8001"),
    ("São Paulo", "Brazil", "01000-000"),
    ("Paris", "France", "75001"),
    ("Ōsaka", "Japan", "530-0001"),
    ("Seattle", "United States", "98101"),
    ("Redmond", "United States", "98052"),
    ("Ærøskøbing", "Denmark", "5970"),
    ("Montréal", "Canada", "H2Y 1C6"),
    ("Wellington", "New Zealand", "6011"),
    ("Brno", "Czechia", "602 00"),
]
FIRST_NAMES = [
    "José",
    "Zoë",
    "François",
    "Ingrid",
    "Małgorzata",
    "Jürgen",
    "Siobhán",
    "Björn",
    "Renée",
    "Søren",
    "Ana",
    "Hiroshi",
]
LAST_NAMES = [
    "Álvarez",
    "Brontë",
    "Lefèvre",
    "Bjørnstad",
    "Wiśniewska",
    "Groß",
    "Ó Briain",
    "Åkesson",
    "Dubé",
    "Kierkegård",
    "Peña",
    "Tanaka",
]
PRODUCTS = [
    ("Espresso machine « Café Pro »", 1249.00),
    ("Consulting — senior hour", 180.00),
    ("Strømkabel 5 m", 12.50),
    ("Crème brûlée torch", 34.90),
    ("T-shirt Größe XL", 19.95),
    ("Annual support plan", 960.00),
    ("Smørrebrød platter", 45.00),
    ("Ångström calibration kit", 310.00),
    ("Piñata (large)", 27.50),
    ("Déjà-vu licence seat", 75.00),
]


def seeded_id(org_id: str, kind: str, name: str) -> str:
    return str(uuid.uuid5(uuid.UUID(metadata_id("org", org_id)), f"{kind}:{name}"))


# --- the organisation ---------------------------------------------------------------------------------


def seed_organisation(service: DataverseService) -> None:
    store = service.store
    flag = f"dv:{service.org_id}:seeded"
    if not store.get_value(flag):
        with service.storage.transaction():
            _seed_reference_rows(service)
        store.set_value(flag, True)
    sync_users(service)
    sales_flag = f"dv:{service.org_id}:sales-seeded"
    if service.settings.seed is not None and not store.get_value(sales_flag):
        if service.org.get("sales_data") == DEMO_SALES:
            seed_demo_sales(service, date.today())
        else:
            size = service.settings.seed
            _seed_sales(
                service,
                accounts=size.accounts,
                contacts_per_account=size.contacts_per_account,
                products=size.products,
                invoices=size.invoices,
                lines_per_invoice=size.lines_per_invoice,
                rng=random.Random(service.org_id),
            )
        store.set_value(sales_flag, True)


def _create(
    service: DataverseService, table: str, values: dict[str, Any], system_values: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Create a row as SYSTEM, then set columns the API does not let callers write (names of system rows…)."""
    definition = service.catalog.require(table)
    caller = service.system_caller()
    record = service.records.create(definition, values, caller)
    if system_values:
        record = service.records.apply_update(definition, record, system_values, caller, system=True)
    return record


def _seed_reference_rows(service: DataverseService) -> None:
    org, org_id = service.org, service.org_id
    code = str(org.get("base_currency") or org.get("currency") or "USD").upper()
    name, symbol = CURRENCIES.get(code, (code, code))
    system_id = service.system_caller().user_id
    _create(service, "organization", {"organizationid": org_id}, {"name": service.org_name, "expirechangetrackingindays": 7})
    currency = _create(
        service,
        "transactioncurrency",
        {
            "transactioncurrencyid": seeded_id(org_id, "currency", code),
            "currencyname": name,
            "isocurrencycode": code,
            "currencysymbol": symbol,
            "currencyprecision": 0 if code == "JPY" else 2,
            "exchangerate": 1.0,
        },
    )
    service.records.apply_update(
        service.catalog.require("organization"),
        service.storage.get("organization", org_id),
        {"basecurrencyid": {"id": currency["transactioncurrencyid"], "table": "transactioncurrency"}},
        service.system_caller(),
        system=True,
    )
    display = str(org.get("friendly_name") or org.get("name") or service.org_name)
    _create(service, "businessunit", {"businessunitid": service.business_unit_id, "name": display})
    _create(
        service,
        "systemuser",
        {
            "systemuserid": system_id,
            "firstname": "",
            "lastname": "SYSTEM",
            "businessunitid@odata.bind": f"/businessunits({service.business_unit_id})",
            "accessmode": 4,
        },
        {ROLES_FIELD: [SYSTEM_ADMINISTRATOR]},
    )
    _create(
        service,
        "team",
        {
            "teamid": seeded_id(org_id, "team", "default"),
            "name": display,
            "teamtype": 0,
            "businessunitid@odata.bind": f"/businessunits({service.business_unit_id})",
        },
    )
    for role in ROLE_NAMES:
        _create(
            service,
            "role",
            {
                "roleid": seeded_id(org_id, "role", role),
                "name": role,
                "businessunitid@odata.bind": f"/businessunits({service.business_unit_id})",
            },
        )
    ensure_privileges(service, list(service.catalog.tables))
    schedule = _create(
        service,
        "uomschedule",
        {"uomscheduleid": seeded_id(org_id, "uomschedule", "default"), "name": "Default Unit", "baseuomname": "Primary Unit"},
    )
    _create(
        service,
        "uom",
        {
            "uomid": seeded_id(org_id, "uom", "primary"),
            "name": "Primary Unit",
            "quantity": 1.0,
            "uomscheduleid@odata.bind": f"/uomschedules({schedule['uomscheduleid']})",
        },
        {"isschedulebaseuom": True},
    )
    _create(
        service,
        "pricelevel",
        {
            "pricelevelid": seeded_id(org_id, "pricelevel", "default"),
            "name": "Default Price List",
            "transactioncurrencyid@odata.bind": f"/transactioncurrencies({currency['transactioncurrencyid']})",
        },
    )
    publisher = _create(
        service,
        "publisher",
        {
            "publisherid": seeded_id(org_id, "publisher", "default"),
            "uniquename": "DefaultPublisher",
            "friendlyname": f"Default Publisher for {service.org_name}",
            "customizationprefix": "new",
            "customizationoptionvalueprefix": 10000,
        },
    )
    for unique_name, friendly, managed in (("System", "System Solution", True), ("Default", "Default Solution", False)):
        _create(
            service,
            "solution",
            {
                "solutionid": seeded_id(org_id, "solution", unique_name),
                "uniquename": unique_name,
                "friendlyname": friendly,
                "version": "9.2.0.0",
                "isvisible": not managed,
                "publisherid@odata.bind": f"/publishers({publisher['publisherid']})",
            },
            {"ismanaged": managed, "installedon": utc_now()},
        )
    for message in SDK_MESSAGES:
        _create(
            service,
            "sdkmessage",
            {"sdkmessageid": seeded_id(org_id, "sdkmessage", message)},
            {"name": message, "categoryname": message, "isprivate": False, "isactive": True},
        )
    ensure_message_filters(service, list(WEBHOOK_TABLES))


def ensure_message_filters(service: DataverseService, tables: list[str]) -> None:
    """An sdkmessagefilter per (Create|Update|Delete, table), so steps can be registered for those tables."""
    org_id = service.org_id
    with service.storage.transaction():
        for table in tables:
            for message in MESSAGES:
                filter_id = seeded_id(org_id, "sdkmessagefilter", f"{message}:{table}")
                if service.storage.get("sdkmessagefilter", filter_id) is not None:
                    continue
                message_id = seeded_id(org_id, "sdkmessage", message)
                if service.storage.get("sdkmessage", message_id) is None:
                    continue
                _create(
                    service,
                    "sdkmessagefilter",
                    {"sdkmessagefilterid": filter_id},
                    {
                        "primaryobjecttypecode": table,
                        "iscustomprocessingstepallowed": True,
                        "isvisible": True,
                        "sdkmessageid": {"id": message_id, "table": "sdkmessage"},
                    },
                )
        ensure_privileges(service, tables)


def ensure_privileges(service: DataverseService, tables: list[str]) -> None:
    """Rows in `privileges` for each table's prvCreate…/prvAppendTo… privileges."""
    for name in tables:
        table = service.catalog.get(name)
        if table is None:
            continue
        for privilege in table_privileges(table):
            row_id = privilege_id(privilege)
            if service.storage.get("privilege", row_id) is None:
                _create(
                    service,
                    "privilege",
                    {"privilegeid": row_id},
                    {
                        "name": privilege,
                        "canbebasic": table.ownership == "UserOwned",
                        "canbelocal": table.ownership == "UserOwned",
                        "canbedeep": table.ownership == "UserOwned",
                        "canbeglobal": True,
                    },
                )


def sync_users(service: DataverseService) -> None:
    """A systemuser per user the organisation has (settings, else the identity seed), with their roles."""
    users = service.settings.users if service.settings.users is not None else users_from_identity_seed(service.org)
    with service.storage.transaction():
        for user in users:
            _sync_user(service, user)


def _sync_user(service: DataverseService, user: OrgUser) -> None:
    table = service.catalog.require("systemuser")
    user_id = user.systemuser_id or system_user_id(service.org_id, user.object_id)
    existing = service.storage.get("systemuser", user_id)
    roles = list(user.roles)
    if existing is None:
        _create(
            service,
            "systemuser",
            {
                "systemuserid": user_id,
                "firstname": user.first_name,
                "lastname": user.last_name,
                "internalemailaddress": user.email or None,
                "domainname": user.email or None,
                "azureactivedirectoryobjectid": user.object_id,
                "applicationid": user.application_id,
                "accessmode": 4 if user.application_id else 0,
                "businessunitid@odata.bind": f"/businessunits({service.business_unit_id})",
            },
            {ROLES_FIELD: roles, "islicensed": not user.application_id, "isdisabled": False},
        )
    elif existing.get(ROLES_FIELD) != roles:
        service.records.apply_update(table, existing, {ROLES_FIELD: roles}, service.system_caller(), system=True)


# --- the demo's sales data -------------------------------------------------------------------------------

DEMO_SALES = "demo"  # an organisation whose identity seed says `"sales_data": "demo"` gets the set below

# A small furniture business: customers (one a private person, a contact with no account), products with
# numbers and prices, and invoices ready for Xero — delivered in the last weeks, lines with products, a
# write-in line and discounts — plus one already paid (the sync holds it back: only active invoices go).
DEMO_ACCOUNTS = [
    {
        "name": "Harrow & Finch Interiors",
        "accountnumber": "CUST-1001",
        "emailaddress1": "accounts@harrowfinch.example",
        "telephone1": "+44 20 7946 0101",
        "address1_line1": "14 Cheyne Walk",
        "address1_city": "London",
        "address1_postalcode": "SW3 5RA",
        "address1_country": "United Kingdom",
    },
    {
        "name": "Bluegum Café",
        "accountnumber": "CUST-1002",
        "emailaddress1": "hello@bluegumcafe.example",
        "telephone1": "+44 117 496 0102",
        "address1_line1": "3 Harbourside",
        "address1_city": "Bristol",
        "address1_postalcode": "BS1 5DB",
        "address1_country": "United Kingdom",
    },
    {
        "name": "Kestrel Property Management",
        "accountnumber": "CUST-1003",
        "emailaddress1": "payables@kestrelpm.example",
        "telephone1": "+44 161 496 0103",
        "address1_line1": "88 Deansgate",
        "address1_city": "Manchester",
        "address1_postalcode": "M3 2ER",
        "address1_country": "United Kingdom",
    },
    {
        "name": "Meadowbank Primary School",
        "accountnumber": "CUST-1004",
        "emailaddress1": "bursar@meadowbank.example",
        "telephone1": "+44 131 496 0104",
        "address1_line1": "2 Meadow Lane",
        "address1_city": "Edinburgh",
        "address1_postalcode": "EH8 7AT",
        "address1_country": "United Kingdom",
    },
    {
        "name": "Tidewater Hotel Group",
        "accountnumber": "CUST-1005",
        "emailaddress1": "finance@tidewaterhotels.example",
        "telephone1": "+44 1273 496 0105",
        "address1_line1": "1 Marine Parade",
        "address1_city": "Brighton",
        "address1_postalcode": "BN2 1TL",
        "address1_country": "United Kingdom",
    },
]
DEMO_PERSON = {
    "firstname": "Priya",
    "lastname": "Nair",
    "emailaddress1": "priya.nair@example.com",
    "telephone1": "+44 7700 900106",
    "address1_line1": "27 Willow Road",
    "address1_city": "York",
    "address1_postalcode": "YO10 3BX",
    "address1_country": "United Kingdom",
}
# (product number, name, unit price, product type: 1 sales inventory, 3 services)
DEMO_PRODUCTS = [
    ("OAK-TBL-180", "Oak dining table 180 cm", 1450.00, 1),
    ("OAK-CHR-01", "Oak dining chair", 189.00, 1),
    ("WAL-BKC-90", "Walnut bookcase", 695.00, 1),
    ("LTH-ARM-02", "Leather armchair", 849.00, 1),
    ("LIN-CUS-SET", "Linen cushion set (4)", 79.50, 1),
    ("SVC-DELIVER", "Delivery and installation", 120.00, 3),
]
# (customer: an account's number or "person", days since delivery, lines, Dynamics state or None for active, name)
# A line is (product number, quantity, discount amount) or ("write-in", description, quantity, unit price).
DEMO_INVOICES = [
    ("CUST-1001", 24, [("OAK-TBL-180", 1, 0), ("OAK-CHR-01", 6, 54.00), ("SVC-DELIVER", 1, 0)], None, "Showroom dining set"),
    (
        "CUST-1002",
        20,
        [("OAK-CHR-01", 12, 120.00), ("write-in", "Custom bench seat, oiled finish", 2, 340.00)],
        None,
        "Café refit",
    ),
    ("CUST-1003", 16, [("WAL-BKC-90", 4, 0), ("SVC-DELIVER", 2, 0)], None, "Office bookcases"),
    ("person", 13, [("LTH-ARM-02", 1, 50.00), ("LIN-CUS-SET", 2, 0)], None, "Living room order"),
    ("CUST-1004", 10, [("OAK-TBL-180", 2, 145.00), ("OAK-CHR-01", 8, 0), ("SVC-DELIVER", 1, 0)], None, "Staff room furniture"),
    (
        "CUST-1005",
        7,
        [("LTH-ARM-02", 6, 254.70), ("LIN-CUS-SET", 12, 0), ("write-in", "Fabric protection treatment", 6, 45.00)],
        None,
        "Lobby refurbishment",
    ),
    ("CUST-1001", 3, [("LIN-CUS-SET", 8, 0), ("WAL-BKC-90", 1, 0)], None, "Styling order"),
    ("CUST-1003", 30, [("OAK-CHR-01", 4, 0), ("SVC-DELIVER", 1, 0)], "paid", "Meeting room chairs"),
]


def seed_demo_sales(service: DataverseService, today: date) -> None:
    """The demo's customers, products and invoices (see DEMO_INVOICES), delivered relative to `today`."""
    org_id = service.org_id
    price_list = seeded_id(org_id, "pricelevel", "default")
    with service.storage.transaction():
        customers = {}
        for values in DEMO_ACCOUNTS:
            account = _create(
                service,
                "account",
                {"accountid": seeded_id(org_id, "account", values["accountnumber"]), "customertypecode": 3, **values},
            )
            customers[values["accountnumber"]] = "customerid_account@odata.bind", f"/accounts({account['accountid']})"
        person = _create(
            service, "contact", {"contactid": seeded_id(org_id, "contact", DEMO_PERSON["emailaddress1"]), **DEMO_PERSON}
        )
        customers["person"] = "customerid_contact@odata.bind", f"/contacts({person['contactid']})"
        products = {}
        for number, name, price, kind in DEMO_PRODUCTS:
            products[number] = _create(
                service,
                "product",
                {
                    "productid": seeded_id(org_id, "product", number),
                    "productnumber": number,
                    "name": name,
                    "price": price,
                    "producttypecode": kind,
                    "quantitydecimal": 0,
                    "description": name,
                    **_unit_binds(org_id),
                },
            )["productid"]
        for n, (customer, days_ago, lines, state, name) in enumerate(DEMO_INVOICES, start=1):
            delivered = today - timedelta(days=days_ago)
            bind, customer_ref = customers[customer]
            invoice = _create(
                service,
                "invoice",
                {
                    "invoiceid": seeded_id(org_id, "invoice", f"demo-{n}"),
                    "name": name,
                    bind: customer_ref,
                    "pricelevelid@odata.bind": f"/pricelevels({price_list})",
                    "datedelivered": delivered.isoformat(),
                    "duedate": (delivered + timedelta(days=30)).isoformat(),
                    "description": f"{name}, delivered {delivered:%d %B %Y}.",
                },
            )
            for line in lines:
                _create(service, "invoicedetail", _demo_line(invoice["invoiceid"], products, line))
            if state == "paid":
                _mark_paid(service, invoice["invoiceid"])


def _mark_paid(service: DataverseService, invoice_id: str) -> None:
    """Set an invoice (its lines already in) to Paid, as SYSTEM."""
    table = service.catalog.require("invoice")
    current = service.storage.get("invoice", invoice_id)
    service.records.apply_update(table, current, {"statecode": 2, "statuscode": 100001}, service.system_caller())


def _demo_line(invoice_id: str, products: Mapping[str, str], line: tuple) -> dict[str, Any]:
    values: dict[str, Any] = {"invoiceid@odata.bind": f"/invoices({invoice_id})"}
    if line[0] == "write-in":
        _, description, quantity, price = line
        return {
            **values,
            "isproductoverridden": True,
            "productdescription": description,
            "quantity": float(quantity),
            "priceperunit": price,
            "manualdiscountamount": 0.0,
        }
    number, quantity, discount = line
    return {
        **values,
        "productid@odata.bind": f"/products({products[number]})",
        "quantity": float(quantity),
        "manualdiscountamount": float(discount),
    }


# --- sales data -----------------------------------------------------------------------------------------


def seed_sales_data(
    store: DocumentStore,
    org: Mapping[str, Any],
    *,
    accounts: int = 6,
    products: int = 6,
    invoices: int = 4,
    lines_per_invoice: int = 3,
    contacts_per_account: int = 1,
    seed: int | None = None,
) -> dict[str, int]:
    """Add realistic accounts (with contacts), products and invoices with lines to an organisation.

    Names include non-ASCII characters. Invoices are spread over the accounts and contacts; about one
    in five is marked paid once its lines are in. Returns how many rows of each kind were added.
    """
    from dxsandbox.microsoft.dataverse.service import service_for

    service = service_for(org, store)
    with service.lock:
        return _seed_sales(
            service,
            accounts=accounts,
            contacts_per_account=contacts_per_account,
            products=products,
            invoices=invoices,
            lines_per_invoice=lines_per_invoice,
            rng=random.Random(seed),
        )


def _seed_sales(
    service: DataverseService,
    *,
    accounts: int,
    contacts_per_account: int,
    products: int,
    invoices: int,
    lines_per_invoice: int,
    rng: random.Random,
) -> dict[str, int]:
    org_id = service.org_id
    start = service.storage.count("account")
    price_list = seeded_id(org_id, "pricelevel", "default")
    with service.storage.transaction():
        account_ids, contact_ids = [], []
        for n in range(accounts):
            account = _create(service, "account", _account_values(start + n, rng))
            account_ids.append(account["accountid"])
            for _ in range(contacts_per_account):
                contact = _create(service, "contact", _contact_values(account, rng))
                contact_ids.append(contact["contactid"])
        product_ids = [
            _create(service, "product", _product_values(org_id, service.storage.count("product") + n, rng))["productid"]
            for n in range(products)
        ]
        if not product_ids:
            product_ids = [row["productid"] for row in service.storage.rows("product")]
        for n in range(invoices if account_ids or contact_ids else 0):
            invoice = _create(service, "invoice", _invoice_values(account_ids, contact_ids, price_list, n, rng))
            for line in range(lines_per_invoice):
                _create(service, "invoicedetail", _line_values(invoice["invoiceid"], product_ids, line, rng))
            if rng.random() < 0.2:
                _mark_paid(service, invoice["invoiceid"])
    return {
        "accounts": accounts,
        "contacts": accounts * contacts_per_account,
        "products": products,
        "invoices": invoices,
        "invoicedetails": invoices * lines_per_invoice,
    }


def _account_values(n: int, rng: random.Random) -> dict[str, Any]:
    base = ACCOUNT_NAMES[n % len(ACCOUNT_NAMES)]
    city, country, postcode = CITIES[n % len(CITIES)]
    name = base if n < len(ACCOUNT_NAMES) else f"{base} {n // len(ACCOUNT_NAMES) + 1}"
    slug = "".join(c for c in base.lower() if c.isascii() and c.isalnum())[:12] or "example"
    return {
        "name": name,
        "accountnumber": f"ACC-{n + 1:05d}",
        "emailaddress1": f"accounts@{slug}.example",
        "telephone1": f"+1 555 01{n % 100:02d}",
        "address1_line1": f"{rng.randint(1, 250)} Hauptstraße",
        "address1_city": city,
        "address1_postalcode": postcode,
        "address1_country": country,
        "customertypecode": 3,
        "creditlimit": float(rng.choice([5000, 10000, 25000])),
    }


def _contact_values(account: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    slug = "".join(c for c in f"{first}.{last}".lower() if c.isascii() and (c.isalnum() or c == "."))
    return {
        "firstname": first,
        "lastname": last,
        "emailaddress1": f"{slug}@example.com",
        "jobtitle": rng.choice(["Buyer", "CFO", "Accounts payable"]),
        "parentcustomerid_account@odata.bind": f"/accounts({account['accountid']})",
    }


def _product_values(org_id: str, n: int, rng: random.Random) -> dict[str, Any]:
    base, price = PRODUCTS[n % len(PRODUCTS)]
    name = base if n < len(PRODUCTS) else f"{base} #{n // len(PRODUCTS) + 1}"
    return {
        "name": name,
        "productnumber": f"SKU-{n + 1:05d}",
        "price": price,
        "producttypecode": 3 if "hour" in base or "plan" in base else 1,
        "quantitydecimal": 2,
        "description": f"{name} — catalogue item",
        **_unit_binds(org_id),
    }


def _unit_binds(org_id: str) -> dict[str, str]:
    """A product's default unit group and unit: the seeded "Default Unit" and its "Primary Unit"."""
    return {
        "defaultuomscheduleid@odata.bind": f"/uomschedules({seeded_id(org_id, 'uomschedule', 'default')})",
        "defaultuomid@odata.bind": f"/uoms({seeded_id(org_id, 'uom', 'primary')})",
    }


def _invoice_values(
    account_ids: list[str], contact_ids: list[str], price_list: str, n: int, rng: random.Random
) -> dict[str, Any]:
    to_contact = contact_ids and (not account_ids or rng.random() < 0.25)
    customer = f"/contacts({rng.choice(contact_ids)})" if to_contact else f"/accounts({rng.choice(account_ids)})"
    due = date.today() + timedelta(days=rng.randint(-20, 45))
    return {
        "name": f"Order {n + 1} — {rng.choice(['Frühjahr', 'Été', 'Año nuevo', 'Q3'])} shipment",
        "duedate": due.isoformat(),
        "customerid_contact@odata.bind" if to_contact else "customerid_account@odata.bind": customer,
        "pricelevelid@odata.bind": f"/pricelevels({price_list})",
        "description": "Thank you for your business — vielen Dank!",
        "discountamount": float(rng.choice([0, 0, 0, 10])),
        "freightamount": float(rng.choice([0, 0, 15, 25])),
    }


def _line_values(invoice_id: str, product_ids: list[str], line: int, rng: random.Random) -> dict[str, Any]:
    values: dict[str, Any] = {
        "invoiceid@odata.bind": f"/invoices({invoice_id})",
        "quantity": float(rng.randint(1, 12)),
        "tax": float(rng.choice([0, 2.5, 7.5, 12])),
        "manualdiscountamount": float(rng.choice([0, 0, 5])),
    }
    if product_ids and line % 4 != 3:
        values["productid@odata.bind"] = f"/products({rng.choice(product_ids)})"
    else:
        values.update(
            productdescription="Write-in: Frachtversicherung / assurance",
            isproductoverridden=True,
            priceperunit=float(rng.choice([9.5, 49, 120])),
        )
    return values
