"""Why a run stopped, as the connection's state tells it: the adapters' typed errors, each to its cause."""

import pytest

from dxconnector.connections.clients import NotReady
from dxconnector.domain.health import Cause
from dxconnector.dynamics import errors as dynamics
from dxconnector.sync.attention import RowsMissing, cause_of
from dxconnector.sync.state import LeaseLost
from dxconnector.xero import errors as xero


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (xero.AuthExpired("Xero refused the refresh token", 400, {"error": "invalid_grant"}), Cause.XERO_CONSENT),
        (xero.AuthExpired("Xero answered 401", 401), Cause.XERO_CONSENT),
        (xero.PermanentError("Xero answered 403", 403), Cause.XERO_DISCONNECTED),
        (xero.RateLimited("Xero rate limit reached", retry_after=60), Cause.XERO_LIMIT),
        (xero.RetryableError("Xero answered 503", 503), Cause.XERO_UNAVAILABLE),
        (xero.PermanentError("Not found in Xero", 404), Cause.XERO_REFUSED),
        (dynamics.AuthExpired("The Microsoft sign-in has expired"), Cause.DYNAMICS_SIGN_IN),
        (dynamics.AuthExpired("Dynamics refused the token", 401), Cause.DYNAMICS_SIGN_IN),
        (dynamics.PermanentError("prvReadInvoice missing", 403, "0x80040220"), Cause.PRIVILEGE_LOST),
        (dynamics.PermanentError("Resource not found for the segment", 404, "0x8006088A"), Cause.SOLUTION_REMOVED),
        (dynamics.PermanentError("Does Not Exist", 404, "0x80040217"), Cause.DYNAMICS_REFUSED),
        (dynamics.RateLimited("service protection limit", 30), Cause.DYNAMICS_LIMIT),
        (dynamics.RetryableError("Dynamics answered 502", 502), Cause.DYNAMICS_UNAVAILABLE),
        (NotReady("Connect both Xero and Dynamics first."), Cause.NOT_CONNECTED),
        (RowsMissing("The connection's rows are not in Dynamics yet"), Cause.ROWS_MISSING),
        (LeaseLost(), Cause.INTERRUPTED),
        (KeyError("a bug"), Cause.UNEXPECTED),
    ],
)
def test_each_failure_has_its_cause(error, cause):
    assert cause_of(error) is cause
