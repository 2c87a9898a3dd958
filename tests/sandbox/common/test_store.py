"""The sandbox's document store: transactions all-or-nothing, inner blocks savepoints of the outer one."""

from __future__ import annotations

import pytest

from dxsandbox.common.store import DocumentStore


class Refused(Exception):
    pass


@pytest.fixture
def store(tmp_path):
    return DocumentStore(tmp_path / "store.sqlite3")


def put(store: DocumentStore, id: str) -> None:
    store.put("thing", "t1", id, {"id": id}, updated=0)


def ids(store: DocumentStore) -> list[str]:
    return [body["id"] for body in store.list("thing", "t1")]


def test_an_inner_block_that_fails_undoes_only_its_own_writes_and_the_outer_one_goes_on(store):
    with store.transaction():
        put(store, "a")
        with pytest.raises(Refused), store.transaction():
            put(store, "b")
            raise Refused
        with store.transaction():
            put(store, "c")
    assert ids(store) == ["a", "c"]


def test_an_outer_block_that_fails_undoes_everything_inside_it(store):
    with pytest.raises(Refused), store.transaction():
        with store.transaction():
            put(store, "a")
        raise Refused
    assert ids(store) == []
    with store.transaction():  # and the store is usable again
        put(store, "b")
    assert ids(store) == ["b"]
