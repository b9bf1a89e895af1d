"""Fixtures of the resilience tests: a real local Redis with a key namespace per test."""

from __future__ import annotations

import json
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
