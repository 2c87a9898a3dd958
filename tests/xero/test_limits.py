"""The rate governor on a fake clock: it waits instead of exceeding a limit, and believes the server."""

import threading

import pytest

from dxconnector.xero.errors import RateLimited
from dxconnector.xero.limits import Limits, RateGovernor


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def governor(limits=None, time_scale=1.0):
    limits = limits or Limits()
    fake = FakeTime()
    return RateGovernor(limits, time_scale, clock=fake.clock, sleep=fake.sleep), fake


def call(governor, times=1):
    for _ in range(times):
        with governor.slot():
            pass


def test_sixty_calls_go_straight_through():
    gov, fake = governor()
    call(gov, 60)
    assert fake.slept == []


def test_the_sixty_first_call_waits_for_the_oldest_to_age_out():
    gov, fake = governor()
    call(gov, 30)
    fake.now += 20
    call(gov, 30)
    call(gov)
    assert fake.slept == [pytest.approx(40.0 + 1.05)]  # a minute, plus a margin for the call's travel time


def test_no_minute_window_ever_holds_more_than_sixty_calls():
    gov, fake = governor()
    stamps = []
    for _ in range(500):
        call(gov)
        stamps.append(fake.now)
        fake.now += 0.3
    assert max(sum(1 for t in stamps if start <= t < start + 60) for start in stamps) <= 60


def test_time_scale_shrinks_the_real_wait():
    gov, fake = governor(time_scale=60)
    call(gov, 61)
    assert fake.slept == [pytest.approx((60 + 1 + 3) / 60)]  # one Xero minute (plus margin) is about a real second


def test_it_believes_the_server_when_less_is_left():
    gov, fake = governor()
    call(gov, 10)
    gov.observe({"X-MinLimit-Remaining": "0", "X-DayLimit-Remaining": "4000"})
    call(gov)
    assert fake.slept and fake.slept[0] > 0


def test_it_ignores_a_server_that_reports_more_than_we_counted():
    gov, fake = governor()
    call(gov, 10)
    gov.observe({"X-MinLimit-Remaining": "60"})
    call(gov, 50)
    assert fake.slept == []


def test_retry_after_holds_every_caller_back():
    gov, fake = governor()
    gov.back_off(7)
    call(gov)
    assert fake.slept == [7.0]


def test_the_daily_limit_raises_instead_of_sleeping_for_hours():
    gov, _fake = governor(Limits(per_minute=10_000, per_day=5))
    call(gov, 5)
    with pytest.raises(RateLimited) as raised:
        call(gov)
    assert raised.value.problem == "day"
    assert raised.value.retry_after > 3600


def test_at_most_five_calls_are_in_flight():
    gov = RateGovernor(Limits())
    inside, peak, lock = 0, 0, threading.Lock()
    release = threading.Event()

    def worker():
        nonlocal inside, peak
        with gov.slot():
            with lock:
                inside += 1
                peak = max(peak, inside)
            release.wait(2)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for thread in threads:
        thread.start()
    for _ in range(100):
        with lock:
            if inside == 5:
                break
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join()
    assert peak == 5
