"""Fixtures of the resilience tests: a real local Redis with a key namespace per test."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/0"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def fixture_payload() -> Callable[[str], Any]:
    """Reads a real payload copied under tests/fixtures (JSON parsed, text as is)."""

    def load(relative: str) -> Any:
        text = (FIXTURES / relative).read_text(encoding="utf-8")
        return json.loads(text) if relative.endswith(".json") else text

    return load


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        pytest.fail(f"the resilience tests need Redis at {REDIS_URL}: {exc}")
    return REDIS_URL


@pytest.fixture
def namespace(redis_url: str) -> Iterator[str]:
    """A key namespace no other test uses; its keys are deleted afterwards."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"*{name}*", count=1000))
    if keys:
        client.delete(*keys)


class SleepRecorder:
    """Stands in for time.sleep: records each requested wait, optionally really sleeping."""

    def __init__(self, real: bool = False) -> None:
        self.waits: list[float] = []
        self._real = real

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self._real:
            time.sleep(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def real_sleeps() -> SleepRecorder:
    return SleepRecorder(real=True)


class RefuseWaits:
    """Stands in for time.sleep when a test asks "would this wait?": the first wait raises
    `Refused`, so the answer comes from the code's decision, not from how fast the machine is."""

    class Refused(Exception):
        """The code under test decided to wait `seconds`."""

        def __init__(self, seconds: float) -> None:
            super().__init__(f"asked to wait {seconds:.3f} s")
            self.seconds = seconds

    def __call__(self, seconds: float) -> None:
        raise self.Refused(seconds)


@pytest.fixture
def refuse_waits() -> RefuseWaits:
    return RefuseWaits()


class ParkingSleep:
    """Stands in for time.sleep in threads that must be seen waiting. Each call is announced on a
    queue (thread name, seconds) and parks its caller until the test lets it go on (`resume`, as if
    the time had passed) or ends (`stop`: parked and later calls raise `Stopped`, so a waiter held
    for minutes ends with its test instead of spinning on)."""

    class Stopped(Exception):
        """Raised in a parked waiter when its test ends."""

    def __init__(self) -> None:
        self._calls: queue.Queue[tuple[str, float]] = queue.Queue()
        self._changed = threading.Condition()
        self._permits = 0
        self._stopped = False

    def __call__(self, seconds: float) -> None:
        self._calls.put((threading.current_thread().name, seconds))
        with self._changed:
            self._changed.wait_for(lambda: self._stopped or self._permits > 0)
            if self._stopped:
                raise self.Stopped
            self._permits -= 1

    def next_call(self, timeout_s: float = 10.0) -> tuple[str, float]:
        """The next wait asked for, as (thread name, seconds); fails the test if none comes."""
        try:
            return self._calls.get(timeout=timeout_s)
        except queue.Empty:
            pytest.fail(f"no thread asked to wait within {timeout_s} s")

    def resume(self) -> None:
        with self._changed:
            self._permits += 1
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()


@pytest.fixture
def parking_sleep() -> Iterator[ParkingSleep]:
    sleep = ParkingSleep()
    yield sleep
    sleep.stop()
