"""The one module that touches singer-sdk's private API. Written for singer-sdk 0.54.

singer-sdk 0.54 gives a stream no public route to the tap that built it, and no public way to emit
STATE in the middle of a partition (it writes STATE every ``STATE_MSG_FREQUENCY`` records and at the
end of a partition). Report streams need both: the tap's run (accounts, slice cache, dead letters)
and a checkpoint after every report window and every submitted job, so that a killed tap loses at
most one window. When singer-sdk changes, this module is the only one to update;
``tests/unified/test_sdk_bridge.py`` fails if any other module of ``shared/`` or a tap uses
``PRIVATE_NAMES``.
"""

from __future__ import annotations

import logging
from importlib.metadata import version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from singer_sdk import Stream, Tap

SDK_VERSION = "0.54"
"""The singer-sdk minor version this bridge was written for (and tested with)."""

PRIVATE_NAMES = ("_tap", "_write_state_message", "is_flushed")
"""The private singer-sdk attributes used here, and nowhere else."""

_INSTALLED = version("singer-sdk")
if not _INSTALLED.startswith(f"{SDK_VERSION}."):  # pragma: no cover - a dependency bump
    logging.getLogger(__name__).warning(
        "ads_kit.tap.sdk_bridge was written for singer-sdk %s; %s is installed", SDK_VERSION, _INSTALLED
    )


def tap_of(stream: Stream) -> Tap:
    """The tap a stream was built by (0.54: ``Stream._tap``)."""
    return stream._tap


def write_state_now(stream: Stream) -> None:
    """Emit STATE now, even when the SDK thinks nothing changed: job ids and failed windows in a
    partition's state are not bookmarks, so the SDK does not track them (0.54: ``is_flushed`` and
    ``Stream._write_state_message``)."""
    stream.state_manager.is_flushed = False
    stream._write_state_message()
