"""The counting every budget store shares (xero.limits), on a fake clock: the app's budget across organisations,
Xero's word on what is left of it, a 429 for the app holding back every organisation, a slot a dead caller held
freeing itself, and big windows counted in slices never letting more calls through than the limit."""

from __future__ import annotations

import json
import random

import pytest

from dxconnector.xero.errors import RateLimited
from dxconnector.xero.limits import (
    APP_PER_MINUTE,
    MINUTE,
    Budget,
    BudgetBusy,
    BudgetState,
    Limits,
    MemorySlotStore,
    RateGovernor,
    Window,
    take_from,
)

APP = "DXC0TESTCLIENT"


class FakeTime:
    def __init__(self):
        self.now = 5000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def governors(*tenants: str, limits: Limits | None = None, lease_seconds: float = 120.0, max_wait: float | None = None):
    """Governors of several organisations of one app, as different processes would make them, sharing one store."""
    limits = limits or Limits()
    fake, store = FakeTime(), MemorySlotStore()
    made = [
        RateGovernor(
            limits,
            1.0,
            clock=fake.clock,
            sleep=fake.sleep,
            store=store,
            tenant_id=t,
            app_id=APP,
            lease_seconds=lease_seconds,
            max_wait=max_wait,
        )
        for t in tenants
    ]
    return made, fake


def call(governor: RateGovernor, times: int = 1, headers: dict[str, str] | None = None) -> None:
    for _ in range(times):
        with governor.slot() as slot:
            slot.heard(headers or {})


def test_the_apps_minute_is_shared_by_every_organisation():
    (first, second), fake = governors("org-1", "org-2", limits=Limits(app_per_minute=50))
    call(first, 30)
    call(second, 20)
    assert fake.slept == []
    call(second)  # org-2 has made 20 of its 60, but the app has made its 50
    assert fake.slept and fake.slept[0] == pytest.approx(MINUTE + 1.05)


def test_what_xero_says_is_left_of_the_apps_minute_holds_back_another_organisation():
    (first, second), fake = governors("org-1", "org-2")
    call(first, headers={"X-AppMinLimit-Remaining": "0", "X-MinLimit-Remaining": "59"})
    call(second)
    assert fake.slept and fake.slept[0] > MINUTE


def test_an_organisations_minute_said_to_be_used_up_leaves_other_organisations_alone():
    (first, second), fake = governors("org-1", "org-2")
    call(first, headers={"X-MinLimit-Remaining": "0", "X-AppMinLimit-Remaining": "9000"})
    call(second, 5)
    assert fake.slept == []
    call(first)
    assert fake.slept and fake.slept[0] > MINUTE


def test_a_429_for_the_apps_limit_holds_back_every_organisation_and_one_for_an_organisation_only_it():
    (first, second, third), fake = governors("org-1", "org-2", "org-3")
    first.back_off(4, "minute")
    call(second)
    assert fake.slept == []
    second.back_off(3, "appminute")
    call(third)
    assert fake.slept == [3.0]


def test_the_daily_limit_is_never_slept_through():
    (only,), _fake = governors("org-1", limits=Limits(per_day=3))
    call(only, 3)
    with pytest.raises(RateLimited) as raised:
        call(only)
    assert raised.value.problem == "day"


def test_a_slot_a_dead_caller_never_gave_back_frees_itself_after_the_lease():
    (only,), fake = governors("org-1", lease_seconds=30.0)
    for n in range(5):  # five callers take a slot each and die holding it
        assert only.store.take(only.budgets, f"dead-{n}", only.now(), only.now() + 30.0) is None
    started = fake.now
    call(only)
    assert fake.now - started >= 30.0
    assert fake.now - started < 31.0  # asked again shortly: got it soon after the leases expired


def test_a_caller_that_may_wait_only_briefly_is_told_the_budget_is_busy_rather_than_held_for_the_minute():
    (page,), fake = governors("org-1", max_wait=4.0)  # a page's client, while a sync spends the organisation's minute
    page.store.settle(page.budgets, page.now(), None, {page.organisation.key: {"minute": 0}})
    with pytest.raises(BudgetBusy) as raised:
        call(page)
    assert raised.value.retry_after > 4.0
    assert fake.slept == []
    fake.now += 2 * MINUTE
    for n in range(5):  # every slot held by other callers: it asks again for no longer than it may wait
        assert page.store.take(page.budgets, f"other-{n}", page.now(), page.now() + 1000) is None
    started = fake.now
    with pytest.raises(BudgetBusy):
        call(page)
    assert 3.5 < fake.now - started <= 4.0


def test_a_window_counted_in_slices_never_lets_more_than_its_limit_through():
    window = Window(APP_PER_MINUTE, 200, MINUTE)  # above SLICES: counted in slices of a second
    budget = Budget("app", (window,))
    state, granted, now = BudgetState(), [], 0.0
    rng = random.Random(7)
    while now < 20 * MINUTE:
        if take_from({"app": state}, [budget], "t", now, now + 1) is None:
            granted.append(now)
        now += rng.choice([0.001, 0.01, 0.05, 0.3])  # far more often than the limit allows
    assert len(granted) > 19 * 200 * 0.9  # it kept the pace, less a slice's worth
    for index, start in enumerate(granted):
        inside = 0
        for later in granted[index:]:
            if later >= start + MINUTE:
                break
            inside += 1
        assert inside <= 200
    assert len(json.dumps(state.to_json())) < 6000  # a slice per second of the window, not an entry per call


def test_a_budget_state_reads_back_from_json_as_it_was_written():
    (only,), _fake = governors("org-1")
    call(only, 3, headers={"X-DayLimit-Remaining": "4000"})
    only.back_off(9)
    store = only.store
    assert isinstance(store, MemorySlotStore)
    for state in store._states.values():
        assert BudgetState.from_json(json.loads(json.dumps(state.to_json()))) == state
