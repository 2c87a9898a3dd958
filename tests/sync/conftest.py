import pytest

from tests.sandboxes import start_sandbox


@pytest.fixture(scope="session")
def isolated_sandbox(tmp_path_factory):
    """A sandbox of the sync tests' own, for what would disturb every other suite sharing the session's:
    injected faults, and a default connection that takes up every invoice without one."""
    running = start_sandbox(tmp_path_factory.mktemp("sync-sandbox"), "--limits", "off")
    yield running
    running.stop()
