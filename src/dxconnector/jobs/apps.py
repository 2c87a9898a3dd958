from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "dxconnector.jobs"
    label = "jobs"
    verbose_name = "Jobs"
