from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "dxconnector.portal"
    label = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from dxconnector.portal import checks  # noqa: F401  (registers the configuration checks)
