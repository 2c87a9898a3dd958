"""Which organisation URLs a Dynamics token may go to: Microsoft's Dataverse hosts in each cloud, and the operator's own."""

from __future__ import annotations

import pytest

from dxconnector.dynamics.errors import UntrustedHost
from dxconnector.dynamics.hosts import checked_org_url, why_untrusted


@pytest.mark.parametrize(
    "url",
    [
        "https://contoso.crm.dynamics.com",
        "https://contoso.crm.dynamics.com/",
        "https://Contoso.CRM4.dynamics.com",  # EMEA
        "https://contoso.crm6.dynamics.com:443",  # Oceania, its port said
        "https://contoso.crm9.dynamics.com",  # GCC
        "https://contoso.api.crm.dynamics.com",  # the Web API's own host name
        "https://contoso.crm.microsoftdynamics.us",  # GCC High
        "https://contoso.crm.appsplatform.us",  # DoD
        "https://contoso.crm.dynamics.cn",  # China
    ],
)
def test_microsofts_dataverse_hosts_are_organisations(url):
    assert why_untrusted(url) == ""


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://contoso.crm.dynamics.com", "not an https URL"),
        ("https://contoso.crm.dynamics.com.attacker.example", "not a Dataverse host"),
        ("https://attacker.example/contoso.crm.dynamics.com", "not a Dataverse host"),
        ("https://contoso.crm.dynamics.com@attacker.example", "not an organisation's URL"),
        ("https://attacker.example#contoso.crm.dynamics.com", "not a Dataverse host"),
        ("https://crm.dynamics.com", "not a Dataverse host"),
        ("https://contoso.crm.dynamics.com:8443", "not a Dataverse host"),
        ("https://contoso.dynamics.com", "not a Dataverse host"),
        ("https://evil-crm.dynamics.com.cn", "not a Dataverse host"),
        ("https://127.0.0.1:9414", "not a Dataverse host"),
        ("https://contoso.crm.dynamics.com:99999", "not a URL"),
        ("contoso.crm.dynamics.com", "not an https URL"),
        ("", "not an https URL"),
    ],
)
def test_anything_else_gets_no_token(url, why):
    assert why in why_untrusted(url)
    with pytest.raises(UntrustedHost):
        checked_org_url(url)


def test_the_operators_extra_hosts_are_organisations_too_on_their_port():
    extra = ["127.0.0.1:9414", "dataverse.internal", "[::1]:8443"]
    assert checked_org_url("https://127.0.0.1:9414/", extra) == "https://127.0.0.1:9414"
    assert why_untrusted("https://dataverse.internal:7000", extra) == ""  # a name without a port: any port
    assert why_untrusted("https://[::1]:8443", extra) == ""
    assert "not a Dataverse host" in why_untrusted("https://127.0.0.1:9415", extra)
    assert "not an https URL" in why_untrusted("http://127.0.0.1:9414", extra)
