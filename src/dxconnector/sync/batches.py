"""The one batch loop every stream runs its changes through: in batches of the stream's size, the lease renewed
before each, the cursor committed with the last one (never before its effects), progress told after each."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from dxconnector.sync import state
from dxconnector.sync.context import Progress, SyncContext

if TYPE_CHECKING:
    from dxconnector.sync.streams import Stream

T = TypeVar("T")
Cursors = Mapping[str, Mapping[str, Any]]


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
        ctx.renew_lease()
        sync_batch(ctx, batch, cursors if number == len(batches) else None)
        ctx.progress(Progress(stream.name, f"batch {number}/{len(batches)}, {said(batch)}", number, len(batches)))
