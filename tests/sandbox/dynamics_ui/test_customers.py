"""Accounts and contacts through the app, as the signed-in person, checked against the Web API."""

from __future__ import annotations

from tests.sandbox.common.webhook_receiver import webhook_receiver
from tests.sandbox.dynamics_ui.conftest import HARBOUR
from tests.sandbox.dynamics_ui.helpers import error_text, field_value, html, new_id, notices, unique


def account_form(name: str, **more: str) -> dict[str, str]:
    return {
        "name": name,
        "accountnumber": "",
        "emailaddress1": "",
        "telephone1": "",
        "address1_line1": "",
        "address1_city": "",
        "address1_stateorprovince": "",
        "address1_postalcode": "",
        "address1_country": "",
        **more,
    }


def test_an_account_is_created_found_and_edited(person, web_api):
    seller, api = person("sales@oakwood.sandbox"), web_api()
    name = unique("Kauri Timber Ltd")
    created = seller.post(
        "accounts",
        data=account_form(
            name,
            accountnumber="KT-001",
            emailaddress1="accounts@kauri.example",
            telephone1="+64 9 555 0101",
            address1_city="Auckland",
        ),
    )
    account_id = new_id(created)
    assert notices(seller.follow(created)) == ["Account created."]
    row = api.get(
        f"accounts({account_id})", **{"$select": "name,accountnumber,emailaddress1,telephone1,address1_city,_ownerid_value"}
    )
    assert (row["name"], row["accountnumber"], row["emailaddress1"], row["address1_city"]) == (
        name,
        "KT-001",
        "accounts@kauri.example",
        "Auckland",
    )
    me = seller.client.get(seller.path("accounts", account_id))
    assert field_value(me, "accountnumber") == "KT-001"

    found = seller.get("accounts", q=name.split()[-1])
    assert [tr.get("data-id") for tr in html(found).xpath("//table[@id='records']//tr[@data-id]")] == [account_id]

    saved = seller.post(
        "accounts",
        account_id,
        data=account_form(name, accountnumber="KT-002", address1_city="Whangārei", address1_country="New Zealand"),
    )
    assert notices(seller.follow(saved)) == ["Account saved."]
    row = api.get(f"accounts({account_id})", **{"$select": "accountnumber,emailaddress1,address1_city,address1_country"})
    assert (row["accountnumber"], row["address1_city"], row["address1_country"]) == ("KT-002", "Whangārei", "New Zealand")
    assert row["emailaddress1"] is None  # emptied on the form, so cleared


def test_an_account_without_a_name_is_shown_again_with_the_reason(person):
    response = person("sales@oakwood.sandbox").post("accounts", data=account_form("", accountnumber="NO-NAME"))
    assert response.status_code == 400
    assert "Account Name: provide a value." in error_text(response)
    assert field_value(response, "accountnumber") == "NO-NAME"


def test_a_contact_is_created_under_an_account_and_edited(person, web_api):
    seller, api = person("sales@oakwood.sandbox"), web_api()
    company = unique("Rimu Joinery")
    account_id = new_id(seller.post("accounts", data=account_form(company)))
    form = seller.get("contacts", "new")
    assert field_value(form, "parentcustomerid") == ""
    choice = f"account:{account_id}"
    contact = {
        "firstname": "Aroha",
        "lastname": unique("Ngata"),
        "emailaddress1": "aroha@rimu.example",
        "telephone1": "",
        "mobilephone": "021 555 0199",
        "parentcustomerid": choice,
    }
    contact_id = new_id(seller.post("contacts", data=contact))
    row = api.get(f"contacts({contact_id})", **{"$select": "fullname,emailaddress1,mobilephone,_parentcustomerid_value"})
    assert row["fullname"] == f"Aroha {contact['lastname']}" and row["_parentcustomerid_value"] == account_id
    assert field_value(seller.get("contacts", contact_id), "parentcustomerid") == choice

    listed = seller.get("contacts", q=contact["lastname"])
    assert company in html(listed).xpath(f"//tr[@data-id='{contact_id}']")[0].text_content()

    seller.post("contacts", contact_id, data={**contact, "emailaddress1": "aroha.ngata@rimu.example", "parentcustomerid": ""})
    row = api.get(f"contacts({contact_id})", **{"$select": "emailaddress1,_parentcustomerid_value"})
    assert row["emailaddress1"] == "aroha.ngata@rimu.example" and row["_parentcustomerid_value"] is None


def test_a_role_without_account_write_is_refused_with_dynamics_message(person, web_api):
    nico = person("noaccountwrite@oakwood.sandbox")
    name = unique("Tōtara Traders")
    account_id = new_id(nico.post("accounts", data=account_form(name)))  # creating is allowed to this role
    refused = nico.post("accounts", account_id, data=account_form(name, accountnumber="TT-9"))
    assert refused.status_code == 403
    message = error_text(refused)
    assert "Insufficient permissions" in message and "is missing prvWriteAccount privilege" in message
    assert "0x80040220" in message
    assert field_value(refused, "accountnumber") == "TT-9"  # the form as it was filled in
    assert web_api().get(f"accounts({account_id})", **{"$select": "accountnumber"})["accountnumber"] is None


def test_a_read_only_auditor_cannot_create(person):
    refused = person("auditor@oakwood.sandbox").post("contacts", data={"lastname": unique("Auditor test")})
    assert refused.status_code == 403 and "is missing prvCreateContact privilege" in error_text(refused)


def test_change_tracking_sees_what_the_app_changed(person, web_api):
    api, seller = web_api(), person("sales@oakwood.sandbox")
    started = api.client.get("accounts", params={"$select": "name"}, headers={"Prefer": "odata.track-changes"})
    delta_link = started.json()["@odata.deltaLink"]
    name = unique("Pōhutukawa Press")
    account_id = new_id(seller.post("accounts", data=account_form(name)))
    changes = api.client.get(delta_link).json()["value"]
    assert {c["accountid"]: c.get("name") for c in changes if "accountid" in c}.get(account_id) == name


def test_a_webhook_step_fires_for_a_change_made_in_the_app(person, web_api):
    """Registered as the connector registers its steps; in Harbour, where no other suite listens to contacts."""
    api, admin = web_api(HARBOUR), person("admin@harbourlights.sandbox", HARBOUR)
    with webhook_receiver(lambda body, headers: (200, b""), path="/dynamics/webhook") as receiver:
        endpoint_id = api.create(
            "serviceendpoints",
            {
                "name": unique("UI test"),
                "url": receiver.url,
                "contract": 8,
                "messageformat": 2,
                "authtype": 4,
                "authvalue": "ui-test-key",
            },
        )
        step_id = register_step(api, endpoint_id, "contact", "Create")
        try:
            contact_id = new_id(admin.post("contacts", data={"firstname": "Wiremu", "lastname": unique("Harbour")}))
            [delivered] = receiver.wait_for(1)
        finally:
            api.delete(f"sdkmessageprocessingsteps({step_id})")
            api.delete(f"serviceendpoints({endpoint_id})")
    context = delivered.json
    assert (context["MessageName"], context["PrimaryEntityName"], context["PrimaryEntityId"]) == ("Create", "contact", contact_id)


def register_step(api, endpoint_id: str, table: str, message: str) -> str:
    [sdk_message] = api.rows("sdkmessages", **{"$select": "sdkmessageid", "$filter": f"name eq '{message}'"})
    [message_filter] = api.rows(
        "sdkmessagefilters",
        **{
            "$select": "sdkmessagefilterid",
            "$filter": f"primaryobjecttypecode eq '{table}' and _sdkmessageid_value eq {sdk_message['sdkmessageid']}",
        },
    )
    return api.create(
        "sdkmessageprocessingsteps",
        {
            "name": f"UI test: {message} of {table}",
            "stage": 40,
            "mode": 1,
            "rank": 1,
            "supporteddeployment": 0,
            "asyncautodelete": True,
            "sdkmessageid@odata.bind": f"/sdkmessages({sdk_message['sdkmessageid']})",
            "sdkmessagefilterid@odata.bind": f"/sdkmessagefilters({message_filter['sdkmessagefilterid']})",
            "eventhandler_serviceendpoint@odata.bind": f"/serviceendpoints({endpoint_id})",
        },
    )


def test_saving_an_unchanged_form_writes_nothing(person, web_api):
    """Like a model-driven form, the app sends only the fields that changed, so webhook filters and audit see real edits."""
    seller, api = person("sales@oakwood.sandbox"), web_api()
    form = account_form(unique("Kōwhai Nursery"), accountnumber="KN-1", address1_city="Nelson")
    account_id = new_id(seller.post("accounts", data=form))
    version = api.get(f"accounts({account_id})", **{"$select": "name"})["@odata.etag"]
    assert seller.post("accounts", account_id, data=form).status_code == 303
    assert api.get(f"accounts({account_id})", **{"$select": "name"})["@odata.etag"] == version
    seller.post("accounts", account_id, data={**form, "address1_city": "Motueka"})
    assert api.get(f"accounts({account_id})", **{"$select": "name"})["@odata.etag"] != version
