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
