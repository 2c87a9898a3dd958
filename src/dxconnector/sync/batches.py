"""The one batch loop every stream runs its changes through: in batches of the stream's size, the lease renewed
before each, the cursor committed with the last one (never before its effects), progress told after each.

A process told to stop (`ask_to_stop`: the worker on SIGTERM) ends its run at the next batch boundary: `Stopping` is
raised before the next batch starts, so what was committed stays committed and the cursor stays where the last
committed batch left it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from dxconnector.sync import state
from dxconnector.sync.context import Progress, SyncContext

if TYPE_CHECKING:
    from dxconnector.sync.streams import Stream

T = TypeVar("T")
Cursors = Mapping[str, Mapping[str, Any]]


_stop = threading.Event()


class Stopping(Exception):
    """This process was told to stop: the run ends at a batch boundary, and another worker carries on."""


def ask_to_stop() -> None:
    """Runs of this process stop before their next batch (safe to call from a signal handler)."""
    _stop.set()


def carry_on() -> None:
    """Forget a stop asked before (a worker started again in the same process, or a test)."""
    _stop.clear()


def stop_here() -> None:
    """Raise `Stopping` if this process was told to stop: called where nothing of a batch is half done."""
    if _stop.is_set():
        raise Stopping("the worker was told to stop")


def chunks(items: Sequence[T], size: int) -> list[list[T]]:
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def run_batches(
    ctx: SyncContext,
    stream: Stream,
    items: Sequence[T],
    sync_batch: Callable[[SyncContext, list[T], Cursors | None], None],
    cursors: Cursors,
    *,
    said: Callable[[list[T]], str],
    nothing: Callable[[Cursors], None] | None = None,
) -> None:
    """Each batch of `items` through `sync_batch`; `cursors` go with the last batch, or — nothing changed — are
    saved at once (`nothing` saves them otherwise). `said` tells what a batch was, for the progress line."""
    batches = chunks(items, stream.batch_size)
    if not batches:
        (nothing or (lambda after: state.save_cursors(ctx.connection_id, after)))(cursors)
        ctx.progress(Progress(stream.name, "nothing changed"))
        return
    for number, batch in enumerate(batches, start=1):
        stop_here()
        ctx.renew_lease()
        sync_batch(ctx, batch, cursors if number == len(batches) else None)
        ctx.progress(Progress(stream.name, f"batch {number}/{len(batches)}, {said(batch)}", number, len(batches)))
