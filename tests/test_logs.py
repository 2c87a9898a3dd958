"""The log lines: one JSON object a line with the request's id or the run's and connection's, or plain text; never a
token, a secret, a code or an Authorization header, wherever it would have been."""

from __future__ import annotations

import json
import logging
import re

from django.conf import settings

from dxconnector import logs
from dxconnector.config.middleware import HEADER
from tests.base import BaseTestCase
from tests.clirun import run_cli
from tests.monitoring import captured_logs

logger = logging.getLogger("dxconnector.tests")


class LogLinesTestCase(BaseTestCase):
    def test_each_line_is_one_json_object_with_time_level_logger_and_message(self):
        with captured_logs() as lines:
            logger.info("one %s", "thing")
            logger.debug("said at debug\nover two lines")
        first, second = lines.parsed()
        self.assertEqual(list(first)[:4], ["time", "level", "logger", "message"])
        self.assertEqual((first["level"], first["logger"], first["message"]), ("INFO", "dxconnector.tests", "one thing"))
        self.assertRegex(first["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")
        self.assertEqual(second["message"], "said at debug\nover two lines")
        self.assertEqual(len(lines), 2, "a line break in a message stays inside its one line")

    def test_a_line_said_in_a_scope_carries_its_fields_and_none_after_it(self):
        with captured_logs() as lines:
            with logs.scope(connection_id="c-1"):
                logs.bind(run_id="r-1")
                logger.info("inside")
            logger.info("after")
        inside, after = lines.parsed()
        self.assertEqual((inside["run_id"], inside["connection_id"]), ("r-1", "c-1"))
        self.assertNotIn("run_id", after)
        self.assertNotIn("connection_id", after)

    def test_a_scoped_function_keeps_what_it_binds_to_itself(self):
        @logs.scoped
        def run() -> None:
            logs.bind(run_id="r-2")
            logger.info("inside")

        with captured_logs() as lines:
            run()
            logger.info("after")
        inside, after = lines.parsed()
        self.assertEqual(inside["run_id"], "r-2")
        self.assertNotIn("run_id", after)

    def test_a_traceback_stays_in_its_line_as_exc_info(self):
        with captured_logs() as lines:
            try:
                raise ValueError("broken")
            except ValueError:
                logger.exception("it failed")
        [line] = lines.parsed()
        self.assertEqual(line["message"], "it failed")
        self.assertIn("ValueError: broken", line["exc_info"])

    def test_plain_lines_name_the_context_at_their_end(self):
        with captured_logs(fmt="plain") as lines, logs.scope(run_id="r-3", connection_id="c-3"):
            logger.warning("stopped")
        [line] = lines
        self.assertRegex(
            line, r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING dxconnector\.tests stopped \[run_id=r-3 connection_id=c-3\]$"
        )


class RequestIdTestCase(BaseTestCase):
    def test_every_line_of_a_request_carries_its_id_which_the_answer_names(self):
        self.client.force_login(self.alice)
        with captured_logs() as lines:
            response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        request_id = response[HEADER]
        self.assertRegex(request_id, r"^[0-9a-f]{32}$")
        [not_found] = [line for line in lines.parsed() if line["logger"] == "django.request"]
        self.assertEqual((not_found["message"], not_found["request_id"]), ("Not Found: /no-such-page/", request_id))
        self.assertEqual(not_found["status_code"], 404)
        self.assertEqual(logs.context(), {}, "the request's id is forgotten once its answer is closed")

    def test_each_request_gets_an_id_of_its_own_unless_the_proxy_sent_a_well_formed_one(self):
        first, second = self.client.get("/healthz")[HEADER], self.client.get("/healthz")[HEADER]
        self.assertNotEqual(first, second)
        self.assertEqual(self.client.get("/healthz", HTTP_X_REQUEST_ID="proxy-0123456789")[HEADER], "proxy-0123456789")
        forged = self.client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")[HEADER]
        self.assertRegex(forged, r"^[0-9a-f]{32}$")

    def test_the_query_string_of_a_logged_request_is_never_written(self):
        # Django's request logger hands over the request itself, whose text names the query (an OAuth callback's code).
        with captured_logs() as lines:
            self.client.get("/no-such-page/", {"code": "authorisation-code-1234", "state": "s"})
        self.assertTrue(lines)
        self.assertFalse([line for line in lines if "authorisation-code-1234" in line], lines)


class RedactionTestCase(BaseTestCase):
    SAID = [
        (
            "token refresh answered {'access_token': 'at-123456789', 'refresh_token': 'rt-123456789'}",
            ["at-123456789", "rt-123456789"],
        ),
        (
            '{"access_token":"at-987654321","id_token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}',
            ["at-987654321", "eyJhbG"],
        ),
        ("GET https://app.example/xero/callback/?code=code-123456789&state=abc", ["code-123456789"]),
        ("POST grant_type=authorization_code&code=code-987654321&client_secret=cs-123456789", ["code-987654321", "cs-123456789"]),
        ("headers: {'Authorization': 'Bearer at-555555555', 'Accept': 'application/json'}", ["at-555555555"]),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", ["dXNlcjpwYXNzd29yZA"]),
        ("sent with bearer at-666666666 attached", ["at-666666666"]),
        ("mail through smtp://mailer:pw-123456789@mail.example:587", ["pw-123456789"]),
    ]

    def test_credentials_in_a_message_never_reach_the_line(self):
        for fmt in logs.FORMATS:
            with captured_logs(fmt=fmt) as lines:
                for said, _ in self.SAID:
                    logger.warning(said)
            self.assertEqual(len(lines), len(self.SAID))
            for line, (said, secrets) in zip(lines, self.SAID, strict=True):
                for secret in secrets:
                    self.assertNotIn(secret, line, f"{fmt}: {said}")
                self.assertIn(logs.REDACTED, line)

    def test_credentials_in_an_exception_or_an_extra_field_never_reach_the_line(self):
        with captured_logs() as lines:
            try:
                raise RuntimeError("refused: {'refresh_token': 'rt-777777777'}")
            except RuntimeError:
                logger.exception("the refresh failed", extra={"answer": {"access_token": "at-888888888"}})
        [line] = lines
        self.assertNotIn("rt-777777777", line)
        self.assertNotIn("at-888888888", line)
        self.assertIn("the refresh failed", json.loads(line)["message"])

    def test_the_deployments_own_secrets_never_reach_the_line(self):
        with captured_logs() as lines:
            logger.warning("keys: %s and %s", settings.SECRET_KEY, settings.ENCRYPTION_KEYS[-1])
        [line] = lines
        self.assertNotIn(settings.SECRET_KEY, line)
        self.assertNotIn(settings.ENCRYPTION_KEYS[-1], line)

    def test_ordinary_words_are_left_alone(self):
        said = "3 invoices held back (reason_code=beyond_xero_precision); the token refresh went through; basic settings saved"
        self.assertEqual(logs.redact(said), said)

    def test_the_http_libraries_stay_quiet_below_warning_whatever_the_level(self):
        with captured_logs(level="DEBUG") as lines:
            for name in ("httpx", "httpcore", "urllib3", "msal", "xero_python", "django.db.backends"):
                logging.getLogger(name).info("GET https://api.example/Contacts?where=Name==%22Customer%22")
            logging.getLogger("dxconnector.tests").debug("ours at debug")
        self.assertEqual([json.loads(line)["message"] for line in lines], ["ours at debug"])


def test_a_log_format_other_than_json_or_plain_is_a_configuration_problem(tmp_path):
    checked = run_cli("check", DEBUG="true", DATA_DIR=str(tmp_path), LOG_FORMAT="xml", LOG_LEVEL="loud")
    assert checked.returncode == 1, checked.stdout
    assert "problem: LOG_FORMAT must be json or plain, got 'xml'." in checked.stdout
    assert "problem: LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got 'LOUD'." in checked.stdout


def test_lines_are_json_when_debug_is_off_and_plain_in_development(tmp_path):
    production = {"SECRET_KEY": "k" * 40, "ENCRYPTION_KEYS": "6pVX9nIVWd3Bd7Xl8U8bJ8Uj3VQAk1bBSRn1m0RZxjc="}
    production.update(BASE_URL="https://connector.example", EMAIL_URL="console://", DATA_DIR=str(tmp_path))
    said = "import logging; logging.getLogger('dxconnector.tests').warning('hello')"
    for debug, expected in (("false", "json"), ("true", "plain")):
        ran = run_cli("manage", "shell", "-c", said, DEBUG=debug, **production)
        assert ran.returncode == 0, ran.stderr
        [line] = [line for line in ran.stderr.splitlines() if "hello" in line]
        if expected == "json":
            assert json.loads(line)["message"] == "hello"
        else:
            assert re.search(r" WARNING dxconnector\.tests hello$", line), line
