"""No poison pills: a record that makes a stage of the sync raise is set aside with a reason, and the rest of
its batch goes on.

What one record does is run through `guard`. An unexpected error there (a bug, or data nobody foresaw) becomes
a `Fault` of that record alone: it is logged with its traceback, the record's attempt fails with a reason that
names the stage, and the batch commits and the cursor moves on as for any failed record, so the next run does
not stumble over it again (a change to the record, or Retry, sends it again). Errors of the services and of the
database are not a record's: they stop the run, which the next run resumes from its cursor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DatabaseError

from dxconnector.domain.rules import Why
from dxconnector.dynamics.errors import DynamicsError
from dxconnector.sync.models import SyncAttempt
from dxconnector.sync.state import Attempt, LeaseLost
from dxconnector.xero.errors import XeroError

logger = logging.getLogger(__name__)
T = TypeVar("T")

# What stops the run rather than one record: the services, the database, a lost lease.
RUN_ERRORS: tuple[type[BaseException], ...] = (XeroError, DynamicsError, DatabaseError, LeaseLost)


@dataclass(frozen=True)
class Fault:
    """An unexpected error while one record went through one stage."""

    stage: str  # what was being done, as a sentence goes on: "reading the invoice from Dynamics"
    error: Exception

    @property
    def reason(self) -> str:
        """For the attempt: the stage and the kind of error, never its message (which may quote the record)."""
        return (
            f"The connector failed on this record while {self.stage} ({type(self.error).__name__}); the rest of the run "
            "went on. It is tried again when the record changes, or with Retry."
        )

    @property
    def message(self) -> str:
        """For the history row in Dynamics, where the record itself lives."""
        return f"{self.reason} {type(self.error).__name__}: {str(self.error)[:500]}"

    def attempt(
        self, record_kind: str, dynamics_id: str, *, xero_id: str = "", direction: str = SyncAttempt.Direction.TO_XERO
    ) -> Attempt:
        return Attempt(
            record_kind,
            dynamics_id,
            SyncAttempt.Outcome.FAILED,
            Why.INTERNAL_ERROR.value,
            self.reason,
            xero_id=xero_id,
            message=self.message,
            direction=direction,
        )


def guard(stage: str, record_id: str, work: Callable[..., T], *args: Any, **kwargs: Any) -> T | Fault:
    """`work(*args, **kwargs)` for one record: its result, or the `Fault` it raised (errors of the run pass)."""
    try:
        return work(*args, **kwargs)
    except RUN_ERRORS:
        raise
    except Exception as error:
        # One line in the log; the traceback at DEBUG (the record's history row in Dynamics has the error's words).
        logger.error("the sync failed on record %s while %s: %s", record_id, stage, type(error).__name__)
        logger.debug("the error on record %s", record_id, exc_info=error)
        return Fault(stage, error)
