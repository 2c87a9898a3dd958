from django.apps import AppConfig
from django.db.models.signals import pre_save


class JobsConfig(AppConfig):
    name = "dxconnector.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        from django_tasks_db.models import DBTaskResult

        from dxconnector.jobs.retention import strip_traceback

        # A failed job's stored result keeps no exception message: it may quote a record (jobs/retention.py).
        pre_save.connect(strip_traceback, sender=DBTaskResult, dispatch_uid="dxconnector.jobs.strip_traceback")
