from dxconnector.dynamics.auth import AccessToken, TokenSource


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def counting_fetch(clock: Clock, lifetime: float = 3600):
    fetched = []

    def fetch() -> AccessToken:
        fetched.append(clock.now)
        return AccessToken(f"token-{len(fetched)}", clock.now + lifetime)

    return fetch, fetched


def test_it_reuses_a_token_until_shortly_before_it_expires():
    clock = Clock()
    fetch, fetched = counting_fetch(clock)
    source = TokenSource(fetch, margin_seconds=300, clock=clock)
    assert [source() for _ in range(5)] == ["token-1"] * 5
    clock.now += 3600 - 301
    assert source() == "token-1"
    clock.now += 2
    assert source() == "token-2"
    assert len(fetched) == 2


def test_a_token_that_is_already_short_lived_is_fetched_every_time():
    clock = Clock()
    fetch, fetched = counting_fetch(clock, lifetime=60)
    source = TokenSource(fetch, margin_seconds=300, clock=clock)
    source(), source()
    assert len(fetched) == 2
