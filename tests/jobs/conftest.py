import pytest

from tests.sandboxes import start_sandbox


@pytest.fixture(scope="session")
def workers_sandbox(tmp_path_factory):
    """A sandbox of the worker-process tests' own: they inject faults and latency, which would disturb every other suite
    sharing the session's."""
    running = start_sandbox(tmp_path_factory.mktemp("workers-sandbox"), "--limits", "off")
    yield running
    running.stop()
