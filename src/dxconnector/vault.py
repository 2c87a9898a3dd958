"""Secrets at rest (OAuth tokens, client secrets): Fernet with rotatable keys.

``ENCRYPTION_KEYS`` lists keys newest first. The first encrypts; any of them decrypts, so a new key
can be put in front, ``rotate`` run over stored values, and the old key dropped afterwards.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class UndecryptableSecret(Exception):
    """The value was encrypted with a key that is no longer in ENCRYPTION_KEYS."""


def _cipher() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.ENCRYPTION_KEYS])


def encrypt(plaintext: str) -> str:
    return _cipher().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _cipher().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret("stored secret cannot be decrypted with the configured ENCRYPTION_KEYS") from exc


def rotate(ciphertext: str) -> str:
    """Re-encrypt with the first (newest) key."""
    return _cipher().rotate(ciphertext.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column whose database value is always Fernet ciphertext."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)
