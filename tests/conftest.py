import pytest

from tests.sandboxes import start_sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """One sandbox process for the whole test session, reached over real HTTPS sockets.

    Its rate limits are off: the many suites sharing it would otherwise trip over each other's calls.
    Tests of limits start a sandbox of their own with real limits on a scaled clock.
    """
    running = start_sandbox(tmp_path_factory.mktemp("sandbox"), "--limits", "off")
    yield running
    running.stop()
