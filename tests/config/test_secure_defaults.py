import json
import subprocess
import sys

from cryptography.fernet import Fernet

from tests.clirun import child_env

PRINT_SETTINGS = """
import json, django, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'dxconnector.config.settings'
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in [
    'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT',
    'ALLOWED_HOSTS', 'CSRF_TRUSTED_ORIGINS', 'TRIAL_DAYS', 'EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_USE_TLS',
    'BEHIND_TLS_PROXY', 'TRUSTED_PROXIES', 'TRUSTED_PROXY_COUNT', 'MAX_REQUEST_BYTES',
    'SESSION_COOKIE_AGE', 'SESSION_SAVE_EVERY_REQUEST', 'CONTENT_SECURITY_POLICY', 'MIDDLEWARE']}))
"""


def settings_for(**env):
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], env=child_env(**env), capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def production(tmp_path, **overrides):
    return settings_for(
        SECRET_KEY="a-production-secret-key-of-sufficient-length",
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        BASE_URL="https://connector.example.com",
        EMAIL_URL="smtp://u:p@mail.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        **overrides,
    )


def test_production_settings_are_secure_by_default(tmp_path):
    values = production(tmp_path)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["ALLOWED_HOSTS"] == ["connector.example.com"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://connector.example.com"]
    assert values["TRIAL_DAYS"] == 30
    assert (values["EMAIL_HOST"], values["EMAIL_USE_TLS"]) == ("mail.example.com", True)
    assert (values["BEHIND_TLS_PROXY"], values["TRUSTED_PROXIES"]) == (False, [])
    assert values["MAX_REQUEST_BYTES"] == 10 * 1024 * 1024


def test_behind_a_tls_proxy_alone_trusts_one_on_this_machine(tmp_path):
    values = production(tmp_path, BEHIND_TLS_PROXY="true")
    assert (values["TRUSTED_PROXIES"], values["TRUSTED_PROXY_COUNT"]) == (["127.0.0.1/32", "::1/128"], 1)


def test_trusted_proxies_put_the_app_behind_them(tmp_path):
    values = production(tmp_path, TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.7 ,fd00::/8", TRUSTED_PROXY_COUNT="2")
    assert values["BEHIND_TLS_PROXY"] is True
    assert values["TRUSTED_PROXIES"] == ["10.0.0.0/8", "192.0.2.7/32", "fd00::/8"]
    assert values["TRUSTED_PROXY_COUNT"] == 2


def test_debug_runs_with_embedded_defaults(tmp_path):
    values = settings_for(DEBUG="true", DATA_DIR=str(tmp_path), TRIAL_DAYS="14")
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["TRIAL_DAYS"] == 14


def test_sessions_end_after_an_hour_idle_unless_told_otherwise(tmp_path):
    values = production(tmp_path)
    assert (values["SESSION_COOKIE_AGE"], values["SESSION_SAVE_EVERY_REQUEST"]) == (3600, True)
    assert production(tmp_path, SESSION_IDLE_MINUTES="15")["SESSION_COOKIE_AGE"] == 900


def test_every_answer_carries_a_content_security_policy_of_its_own_resources_only(tmp_path):
    values = production(tmp_path)
    assert values["CONTENT_SECURITY_POLICY"].startswith("default-src 'self';")
    assert "dxconnector.config.security.ContentSecurityPolicyMiddleware" in values["MIDDLEWARE"]
