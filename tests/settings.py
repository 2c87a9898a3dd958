"""Test settings: the real settings module, fed a test environment first."""

import os
import tempfile

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-the-checks")
# Two keys, so rotation is exercised: the first encrypts, both decrypt.
os.environ.setdefault(
    "ENCRYPTION_KEYS",
    "6pVX9nIVWd3Bd7Xl8U8bJ8Uj3VQAk1bBSRn1m0RZxjc=,Wc2b6E3pL9hVqj9o5mUU1Y2y2o7X8H9QwzJc3n5Lk0A=",
)
os.environ.setdefault("BASE_URL", "http://testserver")
os.environ.setdefault("EMAIL_URL", "locmem://")
# A run's lease keeper beats every third of this: never within a test, whose transaction its thread can't see.
os.environ.setdefault("SYNC_LEASE_SECONDS", "900")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="dxconnector-tests-"))
# Every test talks to the same sandbox organisation, which enforces no limits: Xero's 60 calls a minute would
# make the tests of a session wait on each other (the rate governor has tests of its own).
os.environ.setdefault("XERO_CALLS_PER_MINUTE", "1000000")
os.environ.setdefault("XERO_CALLS_PER_DAY", "100000000")

from dxconnector.config.settings import *  # noqa: F403
from dxconnector.config.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not memory: threads (the live server, webhook receivers) then get connections of their own and
# share the database the way the web and worker processes do (WAL, busy timeout, IMMEDIATE transactions).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["DATA_DIR"], "test.sqlite3")}
