import pytest

from tests.sandboxes import start_sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """One sandbox process for the whole test session, reached over real HTTPS sockets."""
    running = start_sandbox(tmp_path_factory.mktemp("sandbox"))
    yield running
    running.stop()
