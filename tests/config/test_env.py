import pytest

from dxconnector.config.env import ConfigurationError, Env, parse_email_url


def test_it_reports_a_missing_required_value():
    env = Env({})
    assert env.str("SECRET_KEY") == ""
    assert env.problems == ["SECRET_KEY is required but not set."]


def test_it_treats_a_blank_value_as_missing():
    env = Env({"SECRET_KEY": "   "})
    env.str("SECRET_KEY")
    assert env.problems == ["SECRET_KEY is required but not set."]


def test_it_uses_the_default_when_a_value_is_absent():
    env = Env({})
    assert env.str("NAME", "fallback") == "fallback"
    assert env.int("TRIAL_DAYS", 30) == 30
    assert env.bool("DEBUG", False) is False
    assert env.list("HOSTS", ["a"]) == ["a"]
    assert env.problems == []


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("Yes", True), ("on", True), ("0", False), ("false", False), ("NO", False)]
)
def test_it_reads_booleans(raw, expected):
    assert Env({"DEBUG": raw}).bool("DEBUG", not expected) is expected


def test_it_rejects_a_bad_boolean():
    env = Env({"DEBUG": "maybe"})
    env.bool("DEBUG", False)
    assert env.problems == ["DEBUG must be a boolean (true/false, 1/0, yes/no), got 'maybe'."]


def test_it_rejects_a_bad_number_and_one_below_the_minimum():
    env = Env({"TRIAL_DAYS": "thirty", "WORKERS": "0"})
    assert env.int("TRIAL_DAYS", 30) == 30
    assert env.int("WORKERS", 1, minimum=1) == 1
    assert env.problems == ["TRIAL_DAYS must be a whole number, got 'thirty'.", "WORKERS must be at least 1, got 0."]


def test_it_splits_lists_on_commas():
    assert Env({"KEYS": " a, b ,,c "}).list("KEYS") == ["a", "b", "c"]


def test_it_checks_url_schemes_and_strips_the_trailing_slash():
    env = Env({"BASE_URL": "https://connector.example.com/", "OTHER": "ftp://x"})
    assert env.url("BASE_URL") == "https://connector.example.com"
    env.url("OTHER")
    assert env.problems == ["OTHER must be a URL starting with one of http://, https://, got 'ftp://x'."]


def test_it_raises_every_problem_at_once():
    env = Env({"DEBUG": "maybe"})
    env.bool("DEBUG", False)
    env.str("SECRET_KEY")
    with pytest.raises(ConfigurationError) as raised:
        env.raise_problems()
    assert raised.value.problems == [
        "DEBUG must be a boolean (true/false, 1/0, yes/no), got 'maybe'.",
        "SECRET_KEY is required but not set.",
    ]
    assert "SECRET_KEY is required" in str(raised.value)


def test_email_url_smtp_defaults_to_starttls_on_587():
    email = parse_email_url("smtp://mailer%40example.com:s%3Acret@mail.example.com")
    assert (email.host, email.port, email.user, email.password) == ("mail.example.com", 587, "mailer@example.com", "s:cret")
    assert email.use_tls and not email.use_ssl
    assert email.backend == "django.core.mail.backends.smtp.EmailBackend"


def test_email_url_smtps_uses_ssl_on_465():
    email = parse_email_url("smtps://u:p@mail.example.com")
    assert (email.port, email.use_ssl, email.use_tls) == (465, True, False)


def test_email_url_can_turn_starttls_off_for_a_local_relay():
    assert parse_email_url("smtp://localhost:25?tls=0").use_tls is False


def test_email_url_console_and_file():
    assert parse_email_url("console://").backend.endswith("console.EmailBackend")
    assert parse_email_url("file:///var/mail/out").file_path == "/var/mail/out"


@pytest.mark.parametrize(
    ("url", "message"), [("pop3://x", "unknown email scheme"), ("smtp://", "needs a host"), ("file://", "needs a directory")]
)
def test_email_url_rejects_what_it_cannot_use(url, message):
    with pytest.raises(ValueError, match=message):
        parse_email_url(url)


def test_it_reads_addresses_and_networks_in_their_canonical_form():
    env = Env({"PROXIES": "127.0.0.1, 10.0.0.0/8,::1,FD00::/8"})
    assert env.networks("PROXIES", []) == ["127.0.0.1/32", "10.0.0.0/8", "::1/128", "fd00::/8"]
    assert env.networks("UNSET", ["::1"]) == ["::1/128"]
    assert env.problems == []


def test_it_rejects_a_name_and_a_network_with_host_bits():
    env = Env({"PROXIES": "proxy.internal,10.0.0.1/8,192.0.2.1"})
    assert env.networks("PROXIES", []) == ["192.0.2.1/32"]
    assert env.problems == [
        "PROXIES must list IP addresses or networks (10.0.0.0/8), got 'proxy.internal'.",
        "PROXIES must list IP addresses or networks (10.0.0.0/8), got '10.0.0.1/8'.",
    ]


def test_it_reads_host_names_with_optional_ports_in_lower_case():
    env = Env({"HOSTS": "Dataverse.Internal, 127.0.0.1:9414,[::1]:8443"})
    assert env.hosts("HOSTS", []) == ["dataverse.internal", "127.0.0.1:9414", "[::1]:8443"]
    assert env.problems == []


def test_it_rejects_a_url_or_a_path_where_a_host_is_wanted():
    env = Env({"HOSTS": "https://evil.example,evil.example/path,:443"})
    assert env.hosts("HOSTS", []) == []
    assert len(env.problems) == 3
