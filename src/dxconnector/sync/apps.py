from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "dxconnector.sync"
    label = "sync"
    verbose_name = "Sync"
