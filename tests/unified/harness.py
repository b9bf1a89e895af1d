"""Catalog selection and output capture for the in-test taps."""

import io
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout


def select(catalog: dict, names) -> dict:
    """The catalog with exactly the streams in ``names`` selected."""
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in names
    return catalog


@contextmanager
def captured_stdout() -> Iterator[io.TextIOWrapper]:
    """stdout as the SDK's own test runner captures it (the msgspec writer writes bytes)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with redirect_stdout(out):
        yield out
    out.flush()


def lines(out: io.TextIOWrapper) -> list[str]:
    return out.buffer.getvalue().decode().splitlines()  # type: ignore[attr-defined]
