"""RS256 token signing, as Entra and Xero Identity sign: a private key kept in a sandbox's store, its public half in a JWKS.

RS256 rather than the shared-secret HS256 of `common/jwt.py` because the OpenID configuration publishes
the keys (`jwks_uri`): anyone may read them and check a token, no one outside the sandbox can mint one.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from dxsandbox.common.store import DocumentStore


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int_b64(number: int) -> str:
    return _b64(number.to_bytes((number.bit_length() + 7) // 8, "big"))


class SigningKey:
    def __init__(self, private_pem: str):
        key = serialization.load_pem_private_key(private_pem.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the sandbox signs with RSA keys")
        self._key = key
        public_der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = _b64(hashlib.sha1(public_der).digest())  # like Entra's kid/x5t: a thumbprint, base64url

    @classmethod
    def generate(cls) -> SigningKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        return cls(pem.decode())

    @classmethod
    def kept_in(cls, store: DocumentStore, name: str) -> SigningKey:
        """The key stored under `name`, made and stored the first time: tokens outlive a restart of the sandbox."""
        pem = store.get_value(name)
        if pem is None:
            key = cls.generate()
            store.set_value(name, key.private_pem)
            return key
        return cls(pem)

    @property
    def private_pem(self) -> str:
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"typ": "JWT", "alg": "RS256", "x5t": self.kid, "kid": self.kid}
        signing_input = f"{_b64(_json(header))}.{_b64(_json(claims))}"
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"

    def verify(self, token: str) -> dict[str, Any] | None:
        """The claims when the token carries our signature, else None (expiry and audience are the caller's)."""
        try:
            header_part, payload_part, signature_part = token.split(".")
            header = json.loads(_unb64(header_part))
            if header.get("alg") != "RS256" or header.get("kid") != self.kid:
                return None
            self._key.public_key().verify(
                _unb64(signature_part), f"{header_part}.{payload_part}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
            claims = json.loads(_unb64(payload_part))
        except (ValueError, InvalidSignature):
            return None
        return claims if isinstance(claims, dict) else None

    def jwk(self) -> dict[str, Any]:
        numbers = self._key.public_key().public_numbers()
        return {"kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid, "n": _int_b64(numbers.n), "e": _int_b64(numbers.e)}


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
