"""Malformed requests to every endpoint anyone can reach (and the history's filters, signed in): random bytes, huge and
non-UTF-8 bodies, query strings and headers, deeply nested JSON, fields of the wrong type. None may answer 500 (the test
client raises the view's exception, so one shows as a failing example), and none may change the database: every model's
rows are counted before and after, but for those a refused request is meant to write (listed in MAY_CHANGE).

FUZZ_EXAMPLES scales the examples (default 300: about 2,100 requests in all, under a minute)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import string
from urllib.parse import quote_from_bytes

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dxconnector.connections.models import DynamicsConnection
from dxconnector.portal.models import RegistrationLink, Throttle, User
from tests.base import BaseTestCase

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))


def fuzz(times: int = 1):
    """Hypothesis' settings for a test of `times` × EXAMPLES examples (the forms' test covers five endpoints, the webhooks'
    two, each of the others one or two)."""
    return settings(
        max_examples=EXAMPLES * times,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# What a refused request may write: django-axes' records of failed log-ins, the throttles' counts, and a session (a
# failed OAuth callback leaves its message in one).
MAY_CHANGE = {AccessAttempt, AccessFailureLog, AccessLog, Throttle, Session}

XERO_WEBHOOK_KEY = "fuzz-webhook-key-0123456789abcdef"
DYNAMICS_SECRET = "fuzz-dynamics-secret-0123456789"
NO_LIMITS = {scope: {"address": (10**9, 3600), "email": (10**9, 3600)} for scope in ("login", "register", "password_reset")}

# Text: short, huge (made by repetition, cheap), with controls and NUL; never lone surrogates, which no HTTP client can
# send as UTF-8 (non-UTF-8 comes as raw bytes below).
_chars = st.characters(exclude_categories=["Cs"])
short_text = st.text(_chars, max_size=40)
huge_text = st.builds(lambda piece, times: piece * times, st.text(_chars, min_size=1, max_size=8), st.integers(1_000, 200_000))
text = st.one_of(short_text, huge_text, st.sampled_from(["", "\x00", "null", "[]", "{}", "-1", "1e999", "0" * 400, "a@b"]))


def nested(depth: int, kind: str) -> bytes:
    return ("[" * depth + "]" * depth if kind == "list" else '{"a":' * depth + "1" + "}" * depth).encode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | short_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(short_text, children, max_size=4),
    max_leaves=20,
)
raw_bytes = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda b, n: b * n, st.binary(min_size=1, max_size=4), st.integers(10_000, 2_000_000)),
    st.builds(nested, st.integers(1, 100_000), st.sampled_from(["list", "dict"])),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.sampled_from([b"\xff\xfe\x00", b"\xc3\x28", b"%ff%fe=%c3%28", b"a=%00&b=\xff", b'{"events": "x"}', b"{"]),
)
content_types = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "application/x-www-form-urlencoded; charset=nonsense",
        "multipart/form-data; boundary=xyz",
        "multipart/form-data",
        "application/json",
        "text/plain",
        "",
        "\x00",
    ]
)
query_strings = st.one_of(
    st.dictionaries(short_text, text, max_size=6).map(
        lambda d: "&".join(f"{quote_from_bytes(k.encode())}={quote_from_bytes(v.encode())}" for k, v in d.items())
    ),
    st.binary(max_size=500).map(lambda b: b.decode("latin-1")),  # raw, not UTF-8, as a WSGI server hands it over
    st.binary(max_size=200).map(quote_from_bytes),  # percent-encoded bytes that are not UTF-8
    st.text(string.printable, max_size=300),
)
header_values = st.one_of(
    short_text.map(lambda t: t.encode("utf-8").decode("latin-1")), st.binary(max_size=100).map(lambda b: b.decode("latin-1"))
)
headers = st.dictionaries(
    st.sampled_from(
        [
            "HTTP_X_XERO_SIGNATURE",
            "HTTP_X_CONNECTOR_KEY",
            "HTTP_AUTHORIZATION",
            "HTTP_COOKIE",
            "HTTP_ACCEPT",
            "HTTP_ACCEPT_LANGUAGE",
            "HTTP_X_REQUESTED_WITH",
            "HTTP_USER_AGENT",
            "HTTP_REFERER",
        ]
    ),
    header_values,
    max_size=4,
)


def form_of(fields: list[str]):
    """A form post: the view's own fields and others, each a string or a list of strings (a field given many times)."""
    return st.dictionaries(
        st.one_of(st.sampled_from(fields), short_text), st.one_of(text, st.lists(text, max_size=3)), max_size=8
    )


# One request: a form body (as a browser would encode it, wrongly typed), or raw bytes with any content type.
bodies = st.one_of(
    st.tuples(st.just("form"), st.none(), st.none()),
    st.tuples(st.just("raw"), raw_bytes, content_types),
)


class FuzzPublicEndpointsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.dynamics = DynamicsConnection.objects.create(
            connection=self.connection, org_url="https://oakwood.crm6.dynamics.com", webhook_secret=DYNAMICS_SECRET
        )
        self.dana = User.objects.create_user("dana@example.org", name="Dana Diaz", is_active=False)
        _link, token = RegistrationLink.issue(self.dana)
        uid = urlsafe_base64_encode(force_bytes(self.alice.pk))
        self.paths = {
            "register": "/register/",
            "login": "/login/",
            "reset": "/password/reset/",
            "link": f"/register/complete/{token}/",
            "reset_link": f"/password/reset/{uid}/{default_token_generator.make_token(self.alice)}/",
        }

    def counts(self) -> dict[str, int]:
        return {model._meta.label: model.objects.count() for model in apps.get_models() if model not in MAY_CHANGE}

    def send(self, method, path, body, query="", extra=None, form_fields=()):
        kind, raw, content_type = body
        extra = dict(extra or {})
        if query:
            extra["QUERY_STRING"] = query
        if kind == "form":
            return self.client.generic(method, path, **extra) if method == "GET" else self.client.post(path, raw or {}, **extra)
        return self.client.generic(method, path, raw, content_type=content_type, **extra)

    def assertNothingChanged(self, before):
        self.assertEqual(self.counts(), before)

    def check(self, response):
        self.assertLess(response.status_code, 500, response.content[:300])

    @override_settings(THROTTLES=NO_LIMITS, LOGIN_ADDRESS_FAILURE_LIMIT=10**9, AXES_FAILURE_LIMIT=10**9)
    def test_the_public_forms_take_any_malformed_post_without_a_500_or_a_change(self):
        before = self.counts()
        names = {
            "register": ["name", "company", "email", "accept_terms"],
            "login": ["username", "password", "next"],
            "reset": ["email"],
            "link": ["password1", "password2"],
            "reset_link": ["new_password1", "new_password2"],
        }

        @fuzz(3)
        @given(
            st.sampled_from(sorted(names)),
            st.data(),
            bodies,
            st.one_of(st.just(""), query_strings),
            headers,
            st.sampled_from(["POST", "POST", "GET", "PUT"]),
        )
        def post(name, data, body, query, extra, method):
            if body[0] == "form":
                body = ("form", data.draw(form_of(names[name])), None)
            self.client.cookies.clear()
            self.check(self.send(method, self.paths[name], body, query, extra))

        post()
        self.assertNothingChanged(before)

    @override_settings(XERO_WEBHOOK_KEY=XERO_WEBHOOK_KEY)
    def test_the_webhooks_take_any_malformed_call_without_a_500_or_a_change(self):
        before = self.counts()

        @fuzz(2)
        @given(raw_bytes, content_types, headers, st.sampled_from(["xero", "dynamics"]), st.booleans())
        def call(body, content_type, extra, which, signed):
            if which == "xero":
                path = "/webhooks/xero/"
                if signed:  # past the signature, into the parsing
                    digest = hmac.new(XERO_WEBHOOK_KEY.encode(), body, hashlib.sha256).digest()
                    extra = {**extra, "HTTP_X_XERO_SIGNATURE": base64.b64encode(digest).decode()}
            else:
                path = f"/webhooks/dynamics/{self.connection.pk}/"
                if signed:
                    extra = {**extra, "HTTP_X_CONNECTOR_KEY": DYNAMICS_SECRET}
            self.check(self.client.generic("POST", path, body, content_type=content_type, **extra))

        call()
        self.assertNothingChanged(before)

    def test_the_oauth_callbacks_take_any_malformed_query_without_a_500_or_a_change(self):
        self.client.force_login(self.alice)
        before = self.counts()

        @fuzz()
        @given(
            st.sampled_from(["/xero/callback/", "/dynamics/callback/"]),
            st.one_of(
                query_strings,
                st.dictionaries(
                    st.sampled_from(["code", "state", "error", "error_description", "scope", "session_state"]), text, max_size=5
                ).map(lambda d: "&".join(f"{k}={quote_from_bytes(v.encode())}" for k, v in d.items())),
            ),
            headers,
            st.booleans(),
        )
        def callback(path, query, extra, signed_in):
            extra = {key: value for key, value in extra.items() if key != "HTTP_COOKIE"}
            if not signed_in:
                self.client.logout()
            self.check(self.client.get(path, QUERY_STRING=query, **extra))
            if not signed_in:
                self.client.force_login(self.alice)

        callback()
        self.assertNothingChanged(before)

    def test_the_history_filters_take_any_malformed_query_without_a_500_or_a_change(self):
        self.client.force_login(self.alice)
        path = f"/connections/{self.connection.pk}/history/"
        before = self.counts()

        @fuzz()
        @given(
            st.one_of(
                query_strings,
                st.dictionaries(
                    st.sampled_from(["outcome", "record", "date_from", "date_to", "page", "direction"]),
                    st.one_of(text, st.dates().map(str), st.sampled_from(["0000-00-00", "9999-12-31", "2026-02-30", "-1"])),
                    max_size=5,
                ).map(lambda d: "&".join(f"{k}={quote_from_bytes(v.encode())}" for k, v in d.items())),
            ),
            headers,
        )
        def look(query, extra):
            extra = {key: value for key, value in extra.items() if key != "HTTP_COOKIE"}
            self.check(self.client.get(path, QUERY_STRING=query, **extra))

        look()
        self.assertNothingChanged(before)
