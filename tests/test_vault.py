from cryptography.fernet import Fernet
from django.db import connection
from django.test import TestCase, override_settings

from dxconnector import vault


class VaultTestCase(TestCase):
    def test_it_round_trips_a_secret(self):
        ciphertext = vault.encrypt("refresh-token-123")
        self.assertNotIn("refresh-token-123", ciphertext)
        self.assertEqual(vault.decrypt(ciphertext), "refresh-token-123")

    def test_it_decrypts_with_an_older_key_and_rotates_to_the_newest(self):
        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        with override_settings(ENCRYPTION_KEYS=[old]):
            ciphertext = vault.encrypt("secret")
        with override_settings(ENCRYPTION_KEYS=[new, old]):
            self.assertEqual(vault.decrypt(ciphertext), "secret")
            rotated = vault.rotate(ciphertext)
        with override_settings(ENCRYPTION_KEYS=[new]):
            self.assertEqual(vault.decrypt(rotated), "secret")
            with self.assertRaises(vault.UndecryptableSecret):
                vault.decrypt(ciphertext)

    def test_the_field_stores_only_ciphertext(self):
        field = vault.EncryptedTextField()
        stored = field.get_prep_value("access-token")
        self.assertNotIn("access-token", stored)
        self.assertEqual(field.from_db_value(stored, None, connection), "access-token")
        self.assertIsNone(field.get_prep_value(None))
