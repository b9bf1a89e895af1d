"""``unified_run(tap)``: the run the streams of an ``ads_kit.tap.AdsTap`` share (``ads_kit.tap.run``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from singer_sdk import Tap

    from ads_kit.tap.base import AdsTap
    from ads_kit.tap.run import TapRun


def unified_run(tap: Tap) -> TapRun:
    """The run state of ``tap``: its instant (``.now``), slice cache, collector, dead letters ..."""
    return cast("AdsTap", tap).run
