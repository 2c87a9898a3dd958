from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "dxconnector.connections"
    label = "connections"
    verbose_name = "Connections"
