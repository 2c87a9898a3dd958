from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "dxconnector.portal"
    label = "portal"
    verbose_name = "Portal"
