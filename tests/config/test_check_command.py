from cryptography.fernet import Fernet

from tests.clirun import run_cli


def production_env(tmp_path, **overrides):
    values = {
        "SECRET_KEY": "a-production-secret-key-of-sufficient-length",
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BASE_URL": "https://connector.example.com",
        "EMAIL_URL": "smtp://mailer:pw@mail.example.com:587",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    values.update(overrides)
    return values


def test_it_reports_every_missing_production_setting_at_once(tmp_path):
    result = run_cli("check")
    assert result.returncode == 1
    for name in ("SECRET_KEY", "ENCRYPTION_KEYS", "BASE_URL", "EMAIL_URL"):
        assert f"problem: {name} is required but not set." in result.stdout
    assert "4 configuration problems found." in result.stdout


def test_it_reports_bad_values_together(tmp_path):
    result = run_cli("check", **production_env(tmp_path, ENCRYPTION_KEYS="not-a-key", TRIAL_DAYS="soon", SECRET_KEY="short"))
    assert result.returncode == 1
    assert "ENCRYPTION_KEYS entry 1 is not a valid Fernet key" in result.stdout
    assert "TRIAL_DAYS must be a whole number, got 'soon'." in result.stdout
    assert "SECRET_KEY must be at least 32 characters long." in result.stdout
    assert "3 configuration problems found." in result.stdout


def test_it_reports_an_unreachable_database(tmp_path):
    result = run_cli("check", **production_env(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none"))
    assert result.returncode == 1
    assert "DATABASE_URL: cannot reach the database" in result.stdout


def test_it_passes_a_complete_configuration_and_warns_about_migrations(tmp_path):
    result = run_cli("check", **production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "unapplied migrations" in result.stdout
    assert "“Connect to Xero” is off until XERO_CLIENT_ID and XERO_CLIENT_SECRET are set." in result.stdout
    assert result.stdout.strip().endswith("Configuration OK.")


def test_it_reports_bad_proxy_and_request_size_settings_together(tmp_path):
    result = run_cli(
        "check",
        **production_env(
            tmp_path, TRUSTED_PROXIES="10.0.0.1/8,proxy.example.com", TRUSTED_PROXY_COUNT="0", MAX_REQUEST_BYTES="lots"
        ),
    )
    assert result.returncode == 1
    assert "problem: TRUSTED_PROXIES must list IP addresses or networks (10.0.0.0/8), got '10.0.0.1/8'." in result.stdout
    assert "problem: TRUSTED_PROXIES must list IP addresses or networks (10.0.0.0/8), got 'proxy.example.com'." in result.stdout
    assert "problem: TRUSTED_PROXY_COUNT must be at least 1, got 0." in result.stdout
    assert "problem: MAX_REQUEST_BYTES must be a whole number, got 'lots'." in result.stdout
    assert "4 configuration problems found." in result.stdout


def test_it_reports_proxy_settings_that_contradict_each_other(tmp_path):
    result = run_cli("check", **production_env(tmp_path, TRUSTED_PROXIES="10.0.0.5", BEHIND_TLS_PROXY="false"))
    assert "problem: TRUSTED_PROXIES is set but BEHIND_TLS_PROXY is false" in result.stdout
    result = run_cli("check", **production_env(tmp_path, TRUSTED_PROXY_COUNT="2"))
    assert "problem: TRUSTED_PROXY_COUNT means nothing without TRUSTED_PROXIES (or BEHIND_TLS_PROXY=true)." in result.stdout


def test_it_warns_when_debug_is_off_and_no_proxy_is_trusted(tmp_path):
    warning = "warning: No proxy is trusted (BEHIND_TLS_PROXY, TRUSTED_PROXIES) and DEBUG is off"
    assert warning in run_cli("check", **production_env(tmp_path)).stdout
    trusting = run_cli("check", **production_env(tmp_path, BEHIND_TLS_PROXY="true"))
    assert trusting.returncode == 0 and warning not in trusting.stdout, trusting.stdout


def test_with_debug_off_the_portal_and_xeros_urls_must_be_https(tmp_path):
    plain = dict.fromkeys(("XERO_AUTHORIZE_URL", "XERO_TOKEN_URL", "XERO_REVOCATION_URL"), "http://xero.example.com/x")
    plain |= {"XERO_CONNECTIONS_URL": "http://xero.example.com/connections", "XERO_API_URL": "http://xero.example.com/api"}
    result = run_cli("check", **production_env(tmp_path, BASE_URL="http://connector.example.com", **plain))
    assert result.returncode == 1
    for name in ("BASE_URL", *plain):
        assert f"problem: {name} must be an https URL when DEBUG is off (plain http only on this machine" in result.stdout, name
    assert "6 configuration problems found." in result.stdout


def test_with_debug_off_plain_http_is_taken_on_this_machine_only(tmp_path):
    local = {"BASE_URL": "http://127.0.0.1:8000", "XERO_TOKEN_URL": "http://localhost:9401/connect/token"}
    result = run_cli("check", **production_env(tmp_path, **local, XERO_API_URL="http://[::1]:9402/api.xro/2.0"))
    assert result.returncode == 0, result.stdout


def test_dataverse_extra_hosts_take_host_names_and_ports_only(tmp_path):
    result = run_cli(
        "check", **production_env(tmp_path, DATAVERSE_EXTRA_HOSTS="dataverse.internal:8443, https://evil.example/, a b")
    )
    assert result.returncode == 1
    assert (
        "DATAVERSE_EXTRA_HOSTS must list host names, each with an optional port (host:8443), got 'https://evil.example/'."
        in result.stdout
    )
    assert "got 'a b'." in result.stdout
    assert "2 configuration problems found." in result.stdout
