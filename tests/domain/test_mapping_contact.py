from dataclasses import replace

import pytest

from dxconnector.domain.mapping.contact import (
    account_columns_from_xero,
    contact_columns_from_xero,
    contact_fields,
    contact_hash,
    contact_patch,
    contact_values,
    customer_patch,
    customer_values,
    dynamics_fields,
    untaken_notes,
    xero_contact,
    xero_contact_from_account,
    xero_contact_from_contact,
    xero_email,
)
from dxconnector.domain.records import DynamicsAccount, DynamicsAddress, DynamicsContact
from dxconnector.domain.rules import RuleViolation, Why

ADDRESS = DynamicsAddress("Level 2", "12 Queen Street", "", "Auckland", "Auckland", "1010", "New Zealand")
ACME = DynamicsAccount(
    "acc-1",
    "Acme Ltd",
    number="A-100",
    email="accounts@acme.example",
    phone="+64 9 555 0100",
    fax="+64 9 555 0101",
    address=ADDRESS,
)
ZOE = DynamicsContact(
    "con-1",
    first_name="Zoë",
    last_name="Ngāta",
    full_name="Zoë Ngāta",
    email="zoe@ngata.example",
    phone="09 555 0200",
    mobile="021 555 0300",
    address=DynamicsAddress("Flat 3", "5 Rue de l'Église", "Bâtiment B", "Zürich", "ZH", "8001", "Switzerland"),
)


def test_an_account_becomes_this_exact_xero_contact():
    assert xero_contact_from_account(ACME).to_xero() == {
        "Name": "Acme Ltd",
        "AccountNumber": "A-100",
        "EmailAddress": "accounts@acme.example",
        "Phones": [
            {"PhoneType": "DEFAULT", "PhoneNumber": "+64 9 555 0100"},
            {"PhoneType": "FAX", "PhoneNumber": "+64 9 555 0101"},
        ],
        "Addresses": [
            {
                "AddressType": "POBOX",
                "AddressLine1": "Level 2",
                "AddressLine2": "12 Queen Street",
                "City": "Auckland",
                "Region": "Auckland",
                "PostalCode": "1010",
                "Country": "New Zealand",
            }
        ],
    }


def test_a_contact_becomes_this_exact_xero_contact_with_its_accents_intact():
    assert xero_contact_from_contact(ZOE, contact_id="x-zoe").to_xero() == {
        "ContactID": "x-zoe",
        "Name": "Zoë Ngāta",
        "FirstName": "Zoë",
        "LastName": "Ngāta",
        "EmailAddress": "zoe@ngata.example",
        "Phones": [
            {"PhoneType": "DEFAULT", "PhoneNumber": "09 555 0200"},
            {"PhoneType": "MOBILE", "PhoneNumber": "021 555 0300"},
        ],
        "Addresses": [
            {
                "AddressType": "POBOX",
                "AddressLine1": "Flat 3",
                "AddressLine2": "5 Rue de l'Église",
                "AddressLine3": "Bâtiment B",
                "City": "Zürich",
                "Region": "ZH",
                "PostalCode": "8001",
                "Country": "Switzerland",
            }
        ],
    }


@pytest.mark.parametrize(
    ("customer", "name"),
    [
        (DynamicsAccount("a", "Müller & Söhne GmbH"), "Müller & Söhne GmbH"),
        (DynamicsAccount("a", "  Acme   Ltd  "), "Acme Ltd"),
        (DynamicsAccount("a", "株式会社テスト"), "株式会社テスト"),
        (DynamicsContact("c", first_name="Ana", last_name="Silva"), "Ana Silva"),  # no full name yet
        (DynamicsContact("c", last_name="Ngata"), "Ngata"),
        (DynamicsAccount("a", "Tab\tand\nnew line"), "Tab and new line"),
        (DynamicsAccount("a", "N" * 255), "N" * 255),
    ],
)
def test_names(customer, name):
    assert xero_contact(customer).name == name


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("N" * 256, Why.CUSTOMER_NAME_TOO_LONG),  # never cut: two long names alike up to the cut would be one contact
        ("😀" * 128, Why.CUSTOMER_NAME_TOO_LONG),  # Xero counts UTF-16 units: 256
        ("Bell\x07 Ltd", Why.TEXT_XERO_CANNOT_STORE),
    ],
)
def test_a_name_xero_cannot_keep_as_it_is_holds_the_customer_back(name, code):
    with pytest.raises(RuleViolation) as refused:
        xero_contact(DynamicsAccount("a", name))
    assert refused.value.reasons[0].code is code


@pytest.mark.parametrize("customer", [DynamicsAccount("a", "  "), DynamicsContact("c")])
def test_a_customer_with_no_name_is_refused(customer):
    with pytest.raises(RuleViolation) as refused:
        xero_contact(customer)
    assert refused.value.reasons[0].code is Why.NO_CUSTOMER_NAME


@pytest.mark.parametrize(
    ("number", "sent", "noted"),
    [
        ("A-100", "A-100", False),
        ("  A-100 ", "A-100", False),
        ("", None, False),
        ("9" * 50, "9" * 50, False),
        ("9" * 51, None, True),  # an identifier is never cut: left out, with a note
    ],
)
def test_numbers(number, sent, noted):
    mapped = xero_contact(replace(ACME, number=number))
    assert mapped.to_xero().get("AccountNumber") == sent
    assert bool(mapped.notes) is noted


def test_a_contacts_number_goes_as_the_account_number_too():
    assert xero_contact(replace(ZOE, number="C-7")).to_xero()["AccountNumber"] == "C-7"


@pytest.mark.parametrize(
    ("email", "sent", "noted"),
    [
        ("accounts@acme.example", "accounts@acme.example", False),
        (" accounts@acme.example ", "accounts@acme.example", False),
        ("info@müller.de", "info@xn--mller-kva.de", False),  # an international domain in its ASCII form
        ("zoë@ngata.example", "", True),  # Xero takes no umlauts in the name part
        ("not an address", "", True),
        ("@acme.example", "", True),
        ("accounts@@example..com", "", True),
        ("accounts@example..com", "", True),
        ("accounts@localhost", "", True),
        ("", "", False),
    ],
)
def test_emails(email, sent, noted):
    address, note = xero_email(email)
    assert address == sent
    assert (note is not None) is noted


def test_a_left_out_email_is_noted_on_the_contact_and_not_sent():
    mapped = xero_contact(replace(ZOE, email="zoë@ngata.example"))
    assert "EmailAddress" not in mapped.to_xero()
    assert mapped.notes and "ASCII" in mapped.notes[0]
    assert "notes" not in mapped.to_xero()


@pytest.mark.parametrize(
    ("customer", "phones"),
    [
        (replace(ACME, phone="", fax=""), None),
        (replace(ACME, fax=""), [{"PhoneType": "DEFAULT", "PhoneNumber": "+64 9 555 0100"}]),
        (
            replace(ZOE, phone="", mobile="021 1", fax="09 2"),
            [{"PhoneType": "MOBILE", "PhoneNumber": "021 1"}, {"PhoneType": "FAX", "PhoneNumber": "09 2"}],
        ),
        (replace(ACME, phone="1" * 60, fax=""), [{"PhoneType": "DEFAULT", "PhoneNumber": "1" * 50}]),
    ],
)
def test_phones(customer, phones):
    assert xero_contact(customer).to_xero().get("Phones") == phones


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (DynamicsAddress(), None),
        (DynamicsAddress(city="Wellington"), [{"AddressType": "POBOX", "City": "Wellington"}]),
        (
            DynamicsAddress(line1="x" * 600, country="C" * 60),
            [{"AddressType": "POBOX", "AddressLine1": "x" * 500, "Country": "C" * 50}],
        ),
        (DynamicsAddress(line1="12  Queen\nStreet"), [{"AddressType": "POBOX", "AddressLine1": "12 Queen Street"}]),
    ],
)
def test_addresses(address, expected):
    assert xero_contact(replace(ACME, address=address)).to_xero().get("Addresses") == expected


XERO_ACME = {  # as Xero returns it: every phone and address type listed, empty ones too
    "ContactID": "x-acme",
    "ContactStatus": "ACTIVE",
    "Name": "Acme Ltd",
    "AccountNumber": "A-100",
    "EmailAddress": "accounts@acme.example",
    "UpdatedDateUTC": "/Date(1773100800000+0000)/",
    "Phones": [
        {"PhoneType": "DEFAULT", "PhoneNumber": "+64 9 555 0100"},
        {"PhoneType": "DDI"},
        {"PhoneType": "FAX", "PhoneNumber": "+64 9 555 0101"},
        {"PhoneType": "MOBILE", "PhoneNumber": ""},
    ],
    "Addresses": [
        {"AddressType": "STREET"},
        {
            "AddressType": "POBOX",
            "AddressLine1": "Level 2",
            "AddressLine2": "12 Queen Street",
            "City": "Auckland",
            "Region": "Auckland",
            "PostalCode": "1010",
            "Country": "New Zealand",
        },
    ],
}


def test_our_body_and_xeros_copy_of_it_hash_alike():
    ours = xero_contact_from_account(ACME, "x-acme").to_xero()
    assert contact_fields(ours) == contact_fields(XERO_ACME)
    assert contact_hash(ours, b"k") == contact_hash(XERO_ACME, b"k")


@pytest.mark.parametrize(
    "edit",
    [
        {"Name": "Acme Limited"},
        {"EmailAddress": "ap@acme.example"},
        {"Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "+64 9 555 0199"}]},
        {"Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "555 0100", "PhoneAreaCode": "9", "PhoneCountryCode": "64"}]},
        {"Addresses": [{"AddressType": "POBOX", "City": "Wellington"}]},
    ],
)
def test_an_edit_in_xero_changes_the_hash(edit):
    assert contact_hash({**XERO_ACME, **edit}, b"k") != contact_hash(XERO_ACME, b"k")


def test_fields_we_do_not_sync_do_not_change_the_hash():
    assert contact_hash({**XERO_ACME, "UpdatedDateUTC": "/Date(0)/", "IsCustomer": True}, b"k") == contact_hash(XERO_ACME, b"k")


def test_a_xero_edit_becomes_account_columns():
    edited = {
        **XERO_ACME,
        "Name": "Acme Limited",
        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "555 0199", "PhoneAreaCode": "9", "PhoneCountryCode": "64"}],
    }
    assert account_columns_from_xero(edited) == {
        "name": "Acme Limited",
        "accountnumber": "A-100",
        "emailaddress1": "accounts@acme.example",
        "telephone1": "64 9 555 0199",
        "fax": None,
        "address1_line1": "Level 2",
        "address1_line2": "12 Queen Street",
        "address1_line3": None,
        "address1_city": "Auckland",
        "address1_stateorprovince": "Auckland",
        "address1_postalcode": "1010",
        "address1_country": "New Zealand",
    }


@pytest.mark.parametrize(
    ("xero", "first", "last"),
    [
        ({"Name": "Zoë Ngāta", "FirstName": "Zoë", "LastName": "Ngāta"}, "Zoë", "Ngāta"),
        ({"Name": "Zoë Ngāta"}, None, "Zoë Ngāta"),  # Dynamics requires a last name
        ({"Name": "Zoë Ngāta", "LastName": "Ngāta"}, None, "Ngāta"),
    ],
)
def test_a_xero_edit_becomes_contact_columns(xero, first, last):
    columns = contact_columns_from_xero(xero)
    assert (columns["firstname"], columns["lastname"]) == (first, last)


def test_a_street_address_is_used_when_xero_has_no_postal_one():
    columns = contact_columns_from_xero(
        {
            "Name": "Z",
            "Addresses": [{"AddressType": "STREET", "City": "Zürich"}],
            "Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "021 555"}],
        }
    )
    assert columns["address1_city"] == "Zürich" and columns["mobilephone"] == "021 555"


# --- field by field: each side's values and the patches that send only changed fields ---------------------


def test_an_accounts_values_are_its_fields_as_its_xero_contact_would_have_them():
    assert customer_values(ACME) == {
        "Name": "Acme Ltd",
        "AccountNumber": "A-100",
        "EmailAddress": "accounts@acme.example",
        "Phone DEFAULT": "+64 9 555 0100",
        "Phone FAX": "+64 9 555 0101",
        "Postal address": "Level 2\n12 Queen Street\n\nAuckland\nAuckland\n1010\nNew Zealand",
        "Status": "ACTIVE",
    }


def test_a_contacts_values_have_first_last_and_mobile_and_no_account_number():
    assert customer_values(replace(ZOE, number="C-7", active=False)) == {
        "Name": "Zoë Ngāta",
        "FirstName": "Zoë",
        "LastName": "Ngāta",
        "EmailAddress": "zoe@ngata.example",
        "Phone DEFAULT": "09 555 0200",
        "Phone MOBILE": "021 555 0300",
        "Phone FAX": "",
        "Postal address": "Flat 3\n5 Rue de l'Église\nBâtiment B\nZürich\nZH\n8001\nSwitzerland",
        "Status": "ARCHIVED",
    }


@pytest.mark.parametrize(
    ("customer", "field", "value"),
    [
        (replace(ACME, email="info@müller.de"), "EmailAddress", "info@xn--mller-kva.de"),  # as Xero can take it
        (replace(ACME, email="zoë@ngata.example"), "EmailAddress", ""),  # left out: never sent, never an edit
        (replace(ACME, number="9" * 51), "AccountNumber", ""),
        (replace(ACME, name="  Acme   Ltd "), "Name", "Acme Ltd"),
        (replace(ACME, address=DynamicsAddress()), "Postal address", ""),
        (replace(ACME, active=False), "Status", "ARCHIVED"),
    ],
)
def test_customer_values_are_what_xero_would_keep(customer, field, value):
    assert customer_values(customer)[field] == value


def test_a_customer_whose_name_xero_cannot_keep_has_no_values():
    with pytest.raises(RuleViolation):
        customer_values(DynamicsAccount("a", "  "))


def test_an_account_and_xeros_copy_of_its_contact_have_the_same_values():
    values = contact_values(XERO_ACME)
    assert {name: values[name] for name in customer_values(ACME)} == customer_values(ACME)


@pytest.mark.parametrize(
    ("xero", "field", "value"),
    [
        ({"Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "555 0199", "PhoneAreaCode": "9"}]}, "Phone DEFAULT", "9 555 0199"),
        ({"Phones": [{"PhoneType": "DEFAULT"}]}, "Phone DEFAULT", ""),
        ({"Addresses": [{"AddressType": "STREET", "City": "Zürich"}]}, "Postal address", ""),  # the postal one only
        ({"ContactStatus": "ARCHIVED"}, "Status", "ARCHIVED"),
        ({}, "Status", "ACTIVE"),
        ({"EmailAddress": None}, "EmailAddress", ""),
    ],
)
def test_contact_values_of_xeros_bodies(xero, field, value):
    assert contact_values(xero)[field] == value


def test_a_patch_to_xero_carries_the_contact_id_and_the_changed_fields_only():
    assert contact_patch(ACME, "x-acme", frozenset({"EmailAddress"})) == {
        "ContactID": "x-acme",
        "EmailAddress": "accounts@acme.example",
    }


def test_a_patch_sends_phones_by_their_type_and_the_postal_address_whole():
    patch = contact_patch(ZOE, "x-zoe", frozenset({"Phone MOBILE", "Phone FAX", "Postal address"}))
    assert patch == {
        "ContactID": "x-zoe",
        "Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "021 555 0300"}, {"PhoneType": "FAX", "PhoneNumber": ""}],
        "Addresses": [
            {
                "AddressType": "POBOX",
                "AddressLine1": "Flat 3",
                "AddressLine2": "5 Rue de l'Église",
                "AddressLine3": "Bâtiment B",
                "City": "Zürich",
                "Region": "ZH",
                "PostalCode": "8001",
                "Country": "Switzerland",
            }
        ],
    }


@pytest.mark.parametrize(
    ("customer", "fields", "expected"),
    [
        (replace(ACME, email=""), {"EmailAddress"}, {"EmailAddress": ""}),  # an emptied field clears Xero's
        (replace(ACME, email="zoë@ngata.example"), {"EmailAddress"}, {"EmailAddress": ""}),
        (
            replace(ACME, address=DynamicsAddress()),
            {"Postal address"},
            {
                "Addresses": [
                    {
                        "AddressType": "POBOX",
                        **dict.fromkeys(
                            ("AddressLine1", "AddressLine2", "AddressLine3", "City", "Region", "PostalCode", "Country"), ""
                        ),
                    }
                ]
            },
        ),
        (replace(ACME, active=False), {"Status"}, {"ContactStatus": "ARCHIVED"}),
        (ACME, {"Status"}, {"ContactStatus": "ACTIVE"}),
        (replace(ACME, name="Łódź Präzision"), {"Name"}, {"Name": "Łódź Präzision"}),
        (ZOE, {"FirstName", "LastName", "Name"}, {"FirstName": "Zoë", "LastName": "Ngāta", "Name": "Zoë Ngāta"}),
        (ACME, set(), {}),
    ],
)
def test_contact_patches(customer, fields, expected):
    assert contact_patch(customer, "x", frozenset(fields)) == {"ContactID": "x", **expected}


@pytest.mark.parametrize(
    ("table", "xero", "fields", "expected"),
    [
        ("account", XERO_ACME, {"EmailAddress"}, {"emailaddress1": "accounts@acme.example"}),
        ("account", {**XERO_ACME, "EmailAddress": ""}, {"EmailAddress"}, {"emailaddress1": None}),  # cleared
        ("account", {**XERO_ACME, "Name": "Zürich Präzision"}, {"Name"}, {"name": "Zürich Präzision"}),
        ("account", XERO_ACME, {"AccountNumber", "Phone FAX"}, {"accountnumber": "A-100", "fax": "+64 9 555 0101"}),
        ("account", XERO_ACME, {"Status"}, {}),  # an archived contact never deactivates the account
        ("contact", XERO_ACME, {"Name"}, {}),  # Dynamics makes a contact's full name
        ("contact", {"Name": "Zoë Ngāta", "FirstName": "Zoë", "LastName": ""}, {"LastName"}, {"lastname": "Zoë Ngāta"}),
        ("contact", {"Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "021 1"}]}, {"Phone MOBILE"}, {"mobilephone": "021 1"}),
        (
            "account",
            {
                **XERO_ACME,
                "Addresses": [{"AddressType": "STREET", "City": "Wellington"}, {"AddressType": "POBOX", "City": "Gdańsk"}],
            },
            {"Postal address"},
            {
                "address1_line1": None,
                "address1_line2": None,
                "address1_line3": None,
                "address1_city": "Gdańsk",
                "address1_stateorprovince": None,
                "address1_postalcode": None,
                "address1_country": None,
            },
        ),
        (
            "account",
            {**XERO_ACME, "Addresses": [{"AddressType": "STREET", "City": "Wellington"}]},  # no postal address: cleared
            {"Postal address"},
            {
                "address1_line1": None,
                "address1_line2": None,
                "address1_line3": None,
                "address1_city": None,
                "address1_stateorprovince": None,
                "address1_postalcode": None,
                "address1_country": None,
            },
        ),
    ],
)
def test_customer_patches(table, xero, fields, expected):
    assert customer_patch(table, xero, frozenset(fields)) == expected


@pytest.mark.parametrize(
    ("table", "fields", "untaken"),
    [
        ("account", {"Name", "Status", "EmailAddress"}, {"Status"}),
        ("contact", {"Name", "Status", "FirstName"}, {"Name", "Status"}),
        ("contact", {"LastName", "Postal address"}, set()),
    ],
)
def test_the_fields_dynamics_does_not_take_from_xero_are_named_in_the_history(table, fields, untaken):
    assert set(fields) - dynamics_fields(table) == untaken
    assert len(untaken_notes(table, frozenset(untaken))) == len(untaken)
