import pytest

from tests import sandboxes, xero_spec
from tests.sandboxes import start_sandbox

XERO_RESPONSES = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """One sandbox process for the whole test session, reached over real HTTPS sockets.

    Its rate limits are off: the many suites sharing it would otherwise trip over each other's calls.
    Tests of limits start a sandbox of their own with real limits on a scaled clock.
    """
    running = start_sandbox(tmp_path_factory.mktemp("sandbox"), "--limits", "off")
    yield running
    running.stop()


@pytest.fixture(scope="session", autouse=True)
def every_xero_response_matches_xeros_spec(request, tmp_path_factory):
    """Every sandbox the session starts records what its Xero hosts answer; at the end, each answer is checked
    against Xero's OpenAPI files, and the run fails if any does not match.

    Set up before (and so torn down after) every other session fixture: all sandboxes have stopped by then.
    """
    if not xero_spec.specs_present():
        request.config.stash[XERO_RESPONSES] = [f"not checked: {xero_spec.MISSING}"]
        yield
        return
    directory = tmp_path_factory.mktemp("xero-responses")
    sandboxes.record_responses_in(directory)
    try:
        yield
    finally:
        sandboxes.record_responses_in(None)
    checked = xero_spec.check_recorded(directory)
    request.config.stash[XERO_RESPONSES] = [*checked.summary(), f"Recordings: {directory}"]
    if checked.failures:
        pytest.fail(checked.failure_report(), pytrace=False)


def pytest_terminal_summary(terminalreporter, config):
    lines = config.stash.get(XERO_RESPONSES, None)
    if lines:
        terminalreporter.section("Xero sandbox responses against Xero's OpenAPI files")
        for line in lines:
            terminalreporter.write_line(line)
