"""The test settings without the portal app (and with Django's own user model): what is left must still load — the
connections and the sync are layers below the portal."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in ("dxconnector.portal", "django.contrib.admin", "axes")]  # noqa: F405
AUTH_USER_MODEL = "auth.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
ROOT_URLCONF = None
