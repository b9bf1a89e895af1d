"""Runs the in-test unified tap and captures its Singer messages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from harness import captured_stdout, lines, select
from unified_contract_tap import ContractTap


class Run:
    def __init__(self, tap: ContractTap, messages: list[dict]) -> None:
        self.tap = tap
        self.messages = messages

    def records(self, stream: str) -> list[dict]:
        return [m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream]

    def schemas(self) -> dict[str, dict]:
        return {m["stream"]: m for m in self.messages if m["type"] == "SCHEMA"}

    @property
    def state(self) -> dict:
        return [m for m in self.messages if m["type"] == "STATE"][-1]["value"]


@pytest.fixture
def sync():
    def run(config: dict, *, streams=None, state=None, prepare=None, tap_class=ContractTap) -> Run:
        tap = tap_class(config=config, parse_env_config=False)
        if streams is not None:
            tap = tap_class(
                config=config, catalog=select(tap.catalog_dict, streams), state=state, parse_env_config=False
            )
        elif state is not None:
            tap = tap_class(config=config, state=state, parse_env_config=False)
        if prepare is not None:
            prepare(tap.unified_adapter)
        with captured_stdout() as out:
            tap.sync_all()
        messages = [json.loads(line, parse_float=Decimal) for line in lines(out) if line]
        return Run(tap, messages)

    return run
