"""Jobs of the sync: one-liners over the engine."""

from django_tasks import task

from dxconnector.sync import engine, queue


@task()
def sync_connection(connection_id: str, trigger: str) -> None:
    queue.started(connection_id)
    engine.run_sync(connection_id, trigger)
