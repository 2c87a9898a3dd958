"""The standard tables an organisation starts with, transcribed from the CSDL in the research bundle.

account, contact, systemuser, transactioncurrency and businessunit follow the real v9.1 `$metadata`
extract; invoice, invoicedetail, product, pricelevel and uom follow the table reference the derived
CSDL was built from; the customisation tables (solution, serviceendpoint, sdkmessage…) follow the full
v9.1 `$metadata`. Only the columns a connector plausibly reads or writes are declared: a write naming
any other property is refused as Dataverse refuses an unknown one.
"""

from __future__ import annotations

from dxsandbox.microsoft.dataverse.tables import (
    ACTIVE_INACTIVE,
    NO_OWNER,
    ORGANIZATION_OWNED,
    USER_OWNED,
    Collection,
    Table,
    columns,
    make_table,
)

ADDRESS_TYPES = [(1, "Bill To"), (2, "Ship To"), (3, "Primary"), (4, "Other")]
PAYMENT_TERMS = [(1, "Net 30"), (2, "2% 10, Net 30"), (3, "Net 45"), (4, "Net 60")]
SHIPPING_METHODS = [(1, "Airborne"), (2, "DHL"), (3, "FedEx"), (4, "UPS"), (5, "Postal Mail"), (6, "Full Load"), (7, "Will Call")]


def _address(prefix: str) -> str:
    return (
        "\n".join(
            f"{prefix}_{name} String len={length}"
            for name, length in [
                ("name", 200),
                ("line1", 250),
                ("line2", 250),
                ("line3", 250),
                ("city", 80),
                ("stateorprovince", 50),
                ("postalcode", 20),
                ("country", 80),
                ("county", 50),
                ("telephone1", 50),
                ("fax", 50),
            ]
        )
        + f"\n{prefix}_addresstypecode Picklist\n{prefix}_latitude Double\n{prefix}_longitude Double\n"
    )


def account() -> Table:
    own = columns(
        """
    name String len=160 appreq
    accountnumber String len=20
    description Memo len=2000
    emailaddress1 String len=100
    emailaddress2 String len=100
    telephone1 String len=50
    telephone2 String len=50
    fax String len=50
    websiteurl String len=200
    tickersymbol String len=10
    revenue Money
    creditlimit Money
    creditonhold Boolean
    numberofemployees Integer
    customertypecode Picklist
    accountcategorycode Picklist
    industrycode Picklist
    paymenttermscode Picklist
    preferredcontactmethodcode Picklist
    donotemail Boolean
    donotphone Boolean
    parentaccountid Lookup to=account
    primarycontactid Lookup to=contact
    address1_composite Memo ro
    """
        + _address("address1")
        + _address("address2"),
        options={
            "customertypecode": [
                (1, "Competitor"),
                (2, "Consultant"),
                (3, "Customer"),
                (4, "Investor"),
                (5, "Partner"),
                (6, "Influencer"),
                (7, "Press"),
                (8, "Prospect"),
                (9, "Reseller"),
                (10, "Supplier"),
                (11, "Vendor"),
                (12, "Other"),
            ],
            "accountcategorycode": [(1, "Preferred Customer"), (2, "Standard")],
            "industrycode": [
                (1, "Accounting"),
                (6, "Business Services"),
                (7, "Consulting"),
                (12, "Design, Direct Marketing"),
                (17, "Financial"),
                (23, "Insurance"),
                (25, "Manufacturing"),
                (29, "Retail"),
                (33, "Services"),
                (37, "Wholesale"),
            ],
            "paymenttermscode": PAYMENT_TERMS,
            "preferredcontactmethodcode": [(1, "Any"), (2, "Email"), (3, "Phone"), (4, "Fax"), (5, "Mail")],
            "address1_addresstypecode": ADDRESS_TYPES,
            "address2_addresstypecode": ADDRESS_TYPES,
        },
    )
    return make_table(
        "account",
        "Account",
        "accounts",
        primary_name="name",
        own=own,
        currency=True,
        states=ACTIVE_INACTIVE,
        object_type_code=1,
        change_tracking=True,
        collections={
            "contact_customer_accounts": Collection("contact_customer_accounts", "contact", "parentcustomerid"),
            "invoice_customer_accounts": Collection("invoice_customer_accounts", "invoice", "customerid"),
            "account_parent_account": Collection("account_parent_account", "account", "parentaccountid"),
        },
    )


def contact() -> Table:
    own = columns(
        """
    firstname String len=50
    middlename String len=50
    lastname String len=50 appreq
    fullname String len=160 ro
    salutation String len=100
    jobtitle String len=100
    department String len=100
    emailaddress1 String len=100
    emailaddress2 String len=100
    telephone1 String len=50
    telephone2 String len=50
    mobilephone String len=50
    fax String len=50
    description Memo len=2000
    birthdate DateTime date
    gendercode Picklist
    preferredcontactmethodcode Picklist
    paymenttermscode Picklist
    creditlimit Money
    donotemail Boolean
    parentcustomerid Customer to=account|contact
    accountid Lookup ro to=account
    address1_composite Memo ro
    """
        + _address("address1"),
        options={
            "gendercode": [(1, "Male"), (2, "Female")],
            "preferredcontactmethodcode": [(1, "Any"), (2, "Email"), (3, "Phone"), (4, "Fax"), (5, "Mail")],
            "paymenttermscode": PAYMENT_TERMS,
            "address1_addresstypecode": ADDRESS_TYPES,
        },
    )
    return make_table(
        "contact",
        "Contact",
        "contacts",
        primary_name="fullname",
        own=own,
        currency=True,
        states=ACTIVE_INACTIVE,
        object_type_code=2,
        change_tracking=True,
        collections={
            "contact_customer_contacts": Collection("contact_customer_contacts", "contact", "parentcustomerid"),
            "invoice_customer_contacts": Collection("invoice_customer_contacts", "invoice", "customerid"),
            "account_primary_contact": Collection("account_primary_contact", "account", "primarycontactid"),
        },
    )


INVOICE_STATES = [
    (
        0,
        "Active",
        [
            (1, "New"),
            (2, "Partially Shipped"),
            (4, "Billed"),
            (5, "Booked (applies to services)"),
            (6, "Installed (applies to services)"),
        ],
    ),
    (1, "Closed (deprecated)", [(3, "Canceled (deprecated)"), (7, "Paid (deprecated)")]),
    (2, "Paid", [(100001, "Complete"), (100002, "Partial")]),
    (3, "Canceled", [(100003, "Canceled")]),
]


def invoice() -> Table:
    own = columns(
        """
    name String len=300 appreq
    invoicenumber String len=100 noupdate
    description Memo len=2000
    customerid Customer to=account|contact req
    pricelevelid Lookup to=pricelevel appreq
    transactioncurrencyid Lookup to=transactioncurrency appreq noupdate
    opportunityid Lookup to=opportunity
    salesorderid Lookup to=salesorder
    accountid Lookup ro to=account
    contactid Lookup ro to=contact
    duedate DateTime date
    datedelivered DateTime
    ispricelocked Boolean
    discountamount Money
    discountpercentage Decimal prec=2
    freightamount Money
    totalamount Money ro
    totalamountlessfreight Money ro
    totaldiscountamount Money ro
    totallineitemamount Money ro
    totallineitemdiscountamount Money ro
    totaltax Money ro
    paymenttermscode Picklist
    prioritycode Picklist
    shippingmethodcode Picklist
    willcall Boolean
    emailaddress String len=100
    """
        + _address("billto").replace("billto_addresstypecode Picklist\nbillto_latitude Double\nbillto_longitude Double\n", "")
        + _address("shipto").replace("shipto_addresstypecode Picklist\nshipto_latitude Double\nshipto_longitude Double\n", ""),
        options={
            "paymenttermscode": PAYMENT_TERMS,
            "prioritycode": [(1, "Default Value")],
            "shippingmethodcode": SHIPPING_METHODS,
        },
    )
    return make_table(
        "invoice",
        "Invoice",
        "invoices",
        primary_name="name",
        own=own,
        currency=True,
        states=INVOICE_STATES,
        object_type_code=1090,
        change_tracking=True,
        collections={
            "invoice_details": Collection("invoice_details", "invoicedetail", "invoiceid"),
        },
    )


def invoicedetail() -> Table:
    own = columns(
        """
    invoiceid Lookup to=invoice req noupdate
    productid Lookup to=product
    uomid Lookup to=uom
    productdescription String len=500
    productname String len=500 ro
    productnumber String len=100 ro
    isproductoverridden Boolean noupdate
    ispriceoverridden Boolean
    quantity Decimal prec=5
    priceperunit Money
    baseamount Money ro
    extendedamount Money ro
    manualdiscountamount Money
    volumediscountamount Money ro
    tax Money
    lineitemnumber Integer
    sequencenumber Integer
    description Memo len=2000
    invoicedetailname String len=500
    producttypecode Picklist
    parentbundleid Uniqueidentifier
    parentbundleidref Lookup to=invoicedetail
    invoicestatecode Picklist ro
    invoiceispricelocked Boolean ro
    salesrepid Lookup to=systemuser
    quantityshipped Decimal prec=5
    quantitybackordered Decimal prec=5
    quantitycancelled Decimal prec=5
    willcall Boolean
    """,
        options={
            "producttypecode": [
                (1, "Product"),
                (2, "Bundle"),
                (3, "Required Bundle Product"),
                (4, "Optional Bundle Product"),
                (5, "Project-based Service"),
            ],
            "invoicestatecode": [(0, "Active"), (1, "Closed (deprecated)"), (2, "Paid"), (3, "Canceled")],
        },
    )
    return make_table(
        "invoicedetail",
        "InvoiceDetail",
        "invoicedetails",
        primary_name="productidname",
        own=own,
        currency=True,
        object_type_code=1091,
        change_tracking=True,
    )


def product() -> Table:
    own = columns(
        """
    name String len=100 appreq
    productnumber String len=100 req
    description Memo len=2000
    price Money
    standardcost Money
    currentcost Money
    quantitydecimal Integer
    quantityonhand Decimal prec=5
    producttypecode Picklist
    productstructure Picklist
    producturl String len=255
    isstockitem Boolean
    iskit Boolean
    size String len=200
    suppliername String len=100
    vendorname String len=100
    vendorpartnumber String len=100
    validfromdate DateTime date
    validtodate DateTime date
    defaultuomid Lookup to=uom appreq
    defaultuomscheduleid Lookup to=uomschedule appreq
    pricelevelid Lookup to=pricelevel
    parentproductid Lookup to=product
    """,
        options={
            "producttypecode": [(1, "Sales Inventory"), (2, "Miscellaneous Charges"), (3, "Services"), (4, "Flat Fees")],
            "productstructure": [(1, "Product"), (2, "Product Family"), (3, "Product Bundle")],
        },
    )
    states = [
        (0, "Active", [(1, "Active")]),
        (1, "Retired", [(2, "Retired")]),
        (2, "Draft", [(0, "Draft")]),
        (3, "Under Revision", [(3, "Under Revision")]),
    ]
    return make_table(
        "product",
        "Product",
        "products",
        primary_name="name",
        own=own,
        ownership=ORGANIZATION_OWNED,
        currency=True,
        states=states,
        object_type_code=1024,
        change_tracking=True,
        collections={
            "product_invoice_details": Collection("product_invoice_details", "invoicedetail", "productid"),
            "product_parent_product": Collection("product_parent_product", "product", "parentproductid"),
        },
    )


def pricelevel() -> Table:
    own = columns(
        """
    name String len=100 req
    description Memo len=200
    begindate DateTime
    enddate DateTime
    freighttermscode Picklist
    paymentmethodcode Picklist
    shippingmethodcode Picklist
    """,
        options={
            "shippingmethodcode": SHIPPING_METHODS,
            "freighttermscode": [(1, "FOB"), (2, "No Charge")],
            "paymentmethodcode": [(1, "Default Value")],
        },
    )
    states = [(0, "Active", [(100001, "Active")]), (1, "Inactive", [(100002, "Inactive")])]
    return make_table(
        "pricelevel",
        "PriceLevel",
        "pricelevels",
        primary_name="name",
        own=own,
        ownership=ORGANIZATION_OWNED,
        currency=True,
        states=states,
        object_type_code=1022,
        change_tracking=True,
        display_name="Price List",
        collections={
            "price_level_invoices": Collection("price_level_invoices", "invoice", "pricelevelid"),
            "price_level_products": Collection("price_level_products", "product", "pricelevelid"),
        },
    )


def uomschedule() -> Table:
    own = columns("""
    name String len=200 req
    baseuomname String len=100
    description Memo len=2000
    """)
    return make_table(
        "uomschedule",
        "UoMSchedule",
        "uomschedules",
        primary_name="name",
        own=own,
        ownership=ORGANIZATION_OWNED,
        states=ACTIVE_INACTIVE,
        object_type_code=1056,
        change_tracking=True,
        display_name="Unit Group",
        collections={
            "unit_of_measure_schedule_conversions": Collection("unit_of_measure_schedule_conversions", "uom", "uomscheduleid"),
        },
    )


def uom() -> Table:
    own = columns("""
    name String len=100 req
    quantity Decimal prec=5
    baseuom Lookup to=uom
    uomscheduleid Lookup to=uomschedule req noupdate
    isschedulebaseuom Boolean ro
    """)
    return make_table(
        "uom",
        "UoM",
        "uoms",
        primary_name="name",
        own=own,
        ownership=NO_OWNER,
        object_type_code=1055,
        change_tracking=True,
        display_name="Unit",
        collections={
            "unit_of_measurement_invoice_details": Collection("unit_of_measurement_invoice_details", "invoicedetail", "uomid"),
            "unit_of_measurement_products": Collection("unit_of_measurement_products", "product", "defaultuomid"),
            "unit_of_measurement_base_unit": Collection("unit_of_measurement_base_unit", "uom", "baseuom"),
        },
    )


def transactioncurrency() -> Table:
    own = columns("""
    currencyname String len=100 req
    isocurrencycode String len=5 req noupdate
    currencysymbol String len=10 req
    currencyprecision Integer
    exchangerate Decimal prec=10 req
    """)
    return make_table(
        "transactioncurrency",
        "TransactionCurrency",
        "transactioncurrencies",
        primary_name="currencyname",
        own=own,
        ownership=ORGANIZATION_OWNED,
        states=ACTIVE_INACTIVE,
        object_type_code=9105,
        change_tracking=True,
        display_name="Currency",
        display_collection_name="Currencies",
    )


def systemuser() -> Table:
    own = columns(
        """
    fullname String len=200 ro
    firstname String len=64
    lastname String len=64
    domainname String len=1024
    internalemailaddress String len=100
    azureactivedirectoryobjectid Uniqueidentifier noupdate
    applicationid Uniqueidentifier noupdate
    isdisabled Boolean ro
    islicensed Boolean ro
    accessmode Picklist
    title String len=128
    jobtitle String len=100
    businessunitid Lookup to=businessunit req
    """,
        options={
            "accessmode": [
                (0, "Read-Write"),
                (1, "Administrative"),
                (2, "Read"),
                (3, "Support User"),
                (4, "Non-interactive"),
                (5, "Delegated Admin"),
            ]
        },
    )
    # Users belong to a business unit rather than an owner; the organisation column stands in for ownership.
    return make_table(
        "systemuser",
        "SystemUser",
        "systemusers",
        primary_name="fullname",
        own=own,
        ownership=ORGANIZATION_OWNED,
        currency=True,
        object_type_code=8,
        change_tracking=True,
        display_name="User",
    )


def businessunit() -> Table:
    own = columns("""
    name String len=160 req
    divisionname String len=100
    emailaddress String len=100
    isdisabled Boolean ro
    parentbusinessunitid Lookup to=businessunit
    """)
    return make_table(
        "businessunit",
        "BusinessUnit",
        "businessunits",
        primary_name="name",
        own=own,
        ownership=ORGANIZATION_OWNED,
        currency=True,
        object_type_code=10,
        display_name="Business Unit",
    )


def team() -> Table:
    own = columns(
        """
    name String len=160 req
    teamtype Picklist
    azureactivedirectoryobjectid Uniqueidentifier
    businessunitid Lookup to=businessunit req
    """,
        options={"teamtype": [(0, "Owner"), (1, "Access"), (2, "Security Group"), (3, "Office Group")]},
    )
    return make_table("team", "Team", "teams", primary_name="name", own=own, ownership=ORGANIZATION_OWNED, object_type_code=9)


def organization() -> Table:
    own = columns("""
    name String len=160 ro
    basecurrencyid Lookup ro to=transactioncurrency
    expirechangetrackingindays Integer
    """)
    return make_table(
        "organization", "Organization", "organizations", primary_name="name", own=own, ownership=NO_OWNER, object_type_code=1019
    )


def role() -> Table:
    own = columns("""
    name String len=100 req
    businessunitid Lookup to=businessunit req
    ismanaged Boolean ro
    """)
    return make_table(
        "role",
        "Role",
        "roles",
        primary_name="name",
        own=own,
        ownership=ORGANIZATION_OWNED,
        object_type_code=1036,
        display_name="Security Role",
    )


def privilege() -> Table:
    own = columns("""
    name String len=100 ro
    accessright Integer ro
    canbebasic Boolean ro
    canbelocal Boolean ro
    canbedeep Boolean ro
    canbeglobal Boolean ro
    """)
    return make_table(
        "privilege", "Privilege", "privileges", primary_name="name", own=own, ownership=NO_OWNER, object_type_code=1023
    )


def publisher() -> Table:
    own = columns("""
    uniquename String len=256 req
    friendlyname String len=256
    customizationprefix String len=8
    customizationoptionvalueprefix Integer
    description Memo len=2000
    """)
    return make_table(
        "publisher",
        "Publisher",
        "publishers",
        primary_name="friendlyname",
        own=own,
        ownership=ORGANIZATION_OWNED,
        object_type_code=7101,
    )


def solution() -> Table:
    own = columns(
        """
    uniquename String len=65 req
    friendlyname String len=256 req
    version String len=256 req
    ismanaged Boolean ro
    isvisible Boolean
    installedon DateTime ro
    updatedon DateTime ro
    description Memo len=2000
    solutiontype Picklist
    solutionpackageversion String len=256
    publisherid Lookup to=publisher req
    """,
        options={"solutiontype": [(0, "None"), (1, "Snapshot"), (2, "Internal")]},
    )
    return make_table(
        "solution",
        "Solution",
        "solutions",
        primary_name="friendlyname",
        own=own,
        ownership=ORGANIZATION_OWNED,
        object_type_code=7100,
    )


def importjob() -> Table:
    own = columns("""
    name String len=256
    solutionname String len=256
    solutionid Uniqueidentifier
    data Memo len=1073741823
    progress Double
    startedon DateTime
    completedon DateTime
    importcontext String len=256
    operationcontext String len=256
    """)
    return make_table(
        "importjob", "ImportJob", "importjobs", primary_name="name", own=own, ownership=ORGANIZATION_OWNED, object_type_code=4428
    )


def asyncoperation() -> Table:
    own = columns(
        """
    name String len=256
    operationtype Picklist
    message Memo len=1073741823
    friendlymessage Memo len=1073741823
    errorcode Integer
    startedon DateTime
    completedon DateTime
    correlationid Uniqueidentifier
    primaryentitytype String len=100
    regardingobjectid Uniqueidentifier
    """,
        options={"operationtype": [(1, "System Event"), (13, "Bulk Delete"), (41, "Import Solution"), (42, "Webhook")]},
    )
    states = [
        (0, "Ready", [(0, "Waiting For Resources")]),
        (1, "Suspended", [(10, "Waiting")]),
        (2, "Locked", [(20, "In Progress"), (21, "Pausing"), (22, "Canceling")]),
        (3, "Completed", [(30, "Succeeded"), (31, "Failed"), (32, "Canceled")]),
    ]
    return make_table(
        "asyncoperation",
        "AsyncOperation",
        "asyncoperations",
        primary_name="name",
        own=own,
        states=states,
        object_type_code=4700,
        display_name="System Job",
    )


def serviceendpoint() -> Table:
    own = columns(
        """
    name String len=256 req
    description Memo len=2000
    url String len=2000
    contract Picklist req
    authtype Picklist
    authvalue String len=2000
    messageformat Picklist
    connectionmode Picklist
    namespaceformat Picklist
    userclaim Picklist
    path String len=160
    namespaceaddress String len=255
    isauthvalueset Boolean ro
    """,
        options={
            "contract": [
                (1, "OneWay"),
                (2, "Queue"),
                (3, "Rest"),
                (4, "TwoWay"),
                (5, "Topic"),
                (6, "Queue_Persistent"),
                (7, "EventHub"),
                (8, "Webhook"),
                (9, "EventGrid"),
            ],
            "authtype": [
                (1, "ACS"),
                (2, "SASKey"),
                (3, "SASToken"),
                (4, "WebhookKey"),
                (5, "HttpHeader"),
                (6, "HttpQueryString"),
            ],
            "messageformat": [(1, "BinaryXML"), (2, "Json"), (3, "TextXML")],
            "connectionmode": [(1, "Normal"), (2, "Federated")],
            "namespaceformat": [(1, "Namespace Name"), (2, "Namespace Address")],
            "userclaim": [(1, "None"), (2, "UserId"), (3, "UserInfo")],
        },
    )
    return make_table(
        "serviceendpoint",
        "ServiceEndpoint",
        "serviceendpoints",
        primary_name="name",
        own=own,
        ownership=ORGANIZATION_OWNED,
        object_type_code=4618,
        collections={
            "serviceendpoint_sdkmessageprocessingstep": Collection(
                "serviceendpoint_sdkmessageprocessingstep", "sdkmessageprocessingstep", "eventhandler"
            ),
        },
    )


def sdkmessage() -> Table:
    own = columns("""
    name String len=256 ro
    categoryname String len=25 ro
    isprivate Boolean ro
    isactive Boolean ro
    """)
    return make_table(
        "sdkmessage",
        "SdkMessage",
        "sdkmessages",
        primary_name="name",
        own=own,
        ownership=ORGANIZATION_OWNED,
        object_type_code=4606,
        collections={
            "sdkmessageid_sdkmessagefilter": Collection("sdkmessageid_sdkmessagefilter", "sdkmessagefilter", "sdkmessageid"),
        },
    )


def sdkmessagefilter() -> Table:
    own = columns("""
    primaryobjecttypecode String len=100 ro
    secondaryobjecttypecode String len=100 ro
    iscustomprocessingstepallowed Boolean ro
    isvisible Boolean ro
    sdkmessageid Lookup ro to=sdkmessage
    """)
    return make_table(
        "sdkmessagefilter",
        "SdkMessageFilter",
        "sdkmessagefilters",
        primary_name=None,
        own=own,
        ownership=ORGANIZATION_OWNED,
        object_type_code=4607,
    )


def sdkmessageprocessingstep() -> Table:
    own = columns(
        """
    name String len=256 req
    description Memo len=256
    stage Picklist req
    mode Picklist req
    rank Integer req
    supporteddeployment Picklist
    asyncautodelete Boolean
    filteringattributes String len=100000
    configuration Memo len=1073741823
    sdkmessageid Lookup to=sdkmessage req
    sdkmessagefilterid Lookup to=sdkmessagefilter
    eventhandler Lookup to=serviceendpoint|plugintype req
    impersonatinguserid Lookup to=systemuser
    """,
        options={
            "stage": [
                (10, "Initial Pre-operation (For internal use only)"),
                (20, "Pre-operation"),
                (30, "Main Operation"),
                (40, "Post-operation"),
            ],
            "mode": [(0, "Synchronous"), (1, "Asynchronous")],
            "supporteddeployment": [(0, "Server Only"), (1, "Microsoft Dynamics 365 Client for Outlook Only"), (2, "Both")],
        },
    )
    states = [(0, "Enabled", [(1, "Enabled")]), (1, "Disabled", [(2, "Disabled")])]
    return make_table(
        "sdkmessageprocessingstep",
        "SdkMessageProcessingStep",
        "sdkmessageprocessingsteps",
        primary_name="name",
        own=own,
        ownership=ORGANIZATION_OWNED,
        states=states,
        object_type_code=4608,
    )


STANDARD_TABLES = (
    account,
    contact,
    invoice,
    invoicedetail,
    product,
    pricelevel,
    uomschedule,
    uom,
    transactioncurrency,
    systemuser,
    businessunit,
    team,
    organization,
    role,
    privilege,
    publisher,
    solution,
    importjob,
    asyncoperation,
    serviceendpoint,
    sdkmessage,
    sdkmessagefilter,
    sdkmessageprocessingstep,
)

# Tables whose rows a sales role works with; the rest are reference or customisation tables.
SALES_TABLES = ("account", "contact", "invoice", "invoicedetail", "product")
REFERENCE_TABLES = (
    "pricelevel",
    "uom",
    "uomschedule",
    "transactioncurrency",
    "businessunit",
    "systemuser",
    "team",
    "organization",
)


def standard_tables() -> dict[str, Table]:
    return {table.logical_name: table for table in (build() for build in STANDARD_TABLES)}


__all__ = ["REFERENCE_TABLES", "SALES_TABLES", "STANDARD_TABLES", "USER_OWNED", "standard_tables"]
