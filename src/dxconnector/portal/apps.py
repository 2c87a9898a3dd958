from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "dxconnector.portal"
    label = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from dxconnector.portal import checks  # noqa: F401  (registers the configuration checks)
        from dxconnector.portal.tasks import queue_connection_state_email
        from dxconnector.sync.api import on_owner_news

        on_owner_news(queue_connection_state_email)  # a connection's owner hears when it needs attention, and recovers
