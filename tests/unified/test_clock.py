"""The one clock: real time by default, ADS_NOW for a process, pinned() in-process."""

from datetime import UTC, datetime, timedelta

import pytest

from ads_kit import clock


def test_real_time_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.ENV_VAR, raising=False)
    before = datetime.now(UTC)
    now = clock.now()
    assert now.tzinfo is not None and before <= now <= datetime.now(UTC)


def test_ads_now_pins_the_process_and_any_offset_becomes_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV_VAR, "2026-03-29T02:30:00+09:00")
    assert clock.now() == datetime(2026, 3, 28, 17, 30, tzinfo=UTC)
    assert clock.now().utcoffset() == timedelta(0)
    monkeypatch.setenv(clock.ENV_VAR, "2026-10-25T00:30:00Z")
    assert clock.now() == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize("value", ["yesterday", "2026-10-25", "2026-10-25T00:30:00"])
def test_a_bad_ads_now_is_one_line_naming_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(clock.ENV_VAR, value)
    with pytest.raises(clock.ClockError) as caught:
        clock.now()
    assert str(caught.value).startswith("ADS_NOW: ") and value in str(caught.value)
    assert "\n" not in str(caught.value)


def test_pinned_wins_over_the_environment_and_is_undone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV_VAR, "2026-10-25T00:30:00Z")
    with clock.pinned(datetime(2026, 11, 1, 9, tzinfo=UTC)) as instant:
        assert clock.now() == instant == datetime(2026, 11, 1, 9, tzinfo=UTC)
    assert clock.now() == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    with pytest.raises(clock.ClockError, match="no UTC offset"), clock.pinned(datetime(2026, 11, 1)):
        pass
