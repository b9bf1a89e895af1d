"""Checks one emulator record at a time against the records of a real TikTok payload.

A payload's records (the list items or rows it captured, or its one envelope) say, at every place:
which keys every record has (each emulator record must have them), which any has (the only keys an
emulator record may have, unless the case says why), and which JSON types a value takes there (null
alone says nothing of the type: Airbyte turns TikTok's "-" into null). A key only some payload
records have must still appear in at least one emulator record. Inside `metrics`, "-" is a value of
any type (TikTok's "no data"), but a metric the payload fills that the emulator answers "-" in every
record must be listed with a reason. Payloads that went through Airbyte's schema typing turned ids
and numeric strings into numbers (`coerced`): there a number also matches a numeric string.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_KINDS = ((type(None), "null"), (bool, "bool"), (int | float, "number"), (str, "string"), (list, "list"))


def kind(value: Any) -> str:
    """The JSON type of a decoded value (bool before number: True is an int to Python)."""
    return next((name for types, name in _KINDS if isinstance(value, types)), "object")


@dataclass
class Case:
    fixture: str
    fetch: Callable[..., list[Any]]  # (tiktok, world, sandbox) -> emulator records
    pick: Callable[[Any], list[Any]] = lambda payload: payload if isinstance(payload, list) else [payload]
    coerced: frozenset[str] = frozenset()  # keys (or "metrics.*") where a number stands for a numeric string
    extra_ok: dict[str, str] = field(default_factory=dict)  # place -> why extra keys are fine there
    skip: dict[str, str] = field(default_factory=dict)  # key -> why the emulator does not send it
    dash: dict[str, str] = field(default_factory=dict)  # metric -> why it is "-" in every record

    @property
    def name(self) -> str:
        return self.fixture


@dataclass
class _Tracker:
    carried: dict[str, int] = field(default_factory=dict)  # place.key -> records carrying it
    filled: dict[str, int] = field(default_factory=dict)  # list place -> records where non-empty
    valued: dict[str, int] = field(default_factory=dict)  # metrics place.key -> records not "-"
    optional: dict[str, None] = field(default_factory=dict)  # place.key only some samples have


NUMERIC = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # how TikTok writes numbers in strings ("20.000", "69")


def _numeric(text: str) -> bool:
    return NUMERIC.fullmatch(text) is not None


class Checker:
    def __init__(self, case: Case) -> None:
        self.case = case
        self.seen = _Tracker()

    def check(self, samples: list[Any], record: Any, place: str = "") -> list[str]:
        where = place or "<root>"
        types = {kind(sample) for sample in samples}
        actual = kind(record)
        dash = record == "-" and ".metrics." in f".{place}."
        key = place.rsplit(".", 1)[-1].removesuffix("[]")
        named = key in self.case.coerced or ("metrics.*" in self.case.coerced and ".metrics." in f".{place}.")
        coerced = named and "number" in types and isinstance(record, str) and _numeric(record)
        if not (actual in types or types == {"null"} or dash or coerced):
            return [f"{where}: payload has {sorted(types)}, emulator sent {actual}"]
        if ".metrics." in f".{place}." and not dash:
            self.seen.valued[place] = self.seen.valued.get(place, 0) + 1
        if isinstance(record, dict):
            return self._object([s for s in samples if isinstance(s, dict)], record, place)
        if isinstance(record, list):
            items = [item for sample in samples if isinstance(sample, list) for item in sample]
            if items:
                self.seen.filled[place] = self.seen.filled.get(place, 0) + bool(record)
                return [p for item in record for p in self.check(items, item, f"{place}[]")]
        return []

    def _object(self, samples: list[dict[str, Any]], record: dict[str, Any], place: str) -> list[str]:
        problems: list[str] = []
        keys = {key for sample in samples for key in sample} - set(self.case.skip)
        required = {key for key in keys if all(key in sample for sample in samples)}
        for key in sorted(keys):
            inner = f"{place}.{key}" if place else key
            if key not in required:
                self.seen.optional[inner] = None
            if key not in record:
                if key in required:
                    problems.append(f"{inner}: missing")
                continue
            self.seen.carried[inner] = self.seen.carried.get(inner, 0) + 1
            problems += self.check([s[key] for s in samples if key in s], record[key], inner)
        extra = set(record) - keys - set(self.case.skip)
        if extra and place not in self.case.extra_ok:
            problems.append(f"{place or '<root>'}: unexpected keys {sorted(extra)}")
        return problems

    def finish(self, payload_records: list[Any]) -> list[str]:
        """Problems across every record: optional keys never served, lists never filled, metrics
        never valued (unless the case explains the "-")."""
        problems = [
            f"{key}: served in no record" for key in self.seen.optional if not self.seen.carried.get(key)
        ]
        problems += [f"{place}: empty in every record" for place, n in self.seen.filled.items() if n == 0]
        valued_in_payload = _valued_metrics(payload_records)
        for place in valued_in_payload:
            metric = place.rsplit(".", 1)[-1]
            if (
                self.seen.carried.get(place)
                and not self.seen.valued.get(place)
                and metric not in self.case.dash
            ):
                problems.append(f'{place}: "-" in every record but valued in the payload')
        return problems


def _valued_metrics(records: list[Any], place: str = "") -> set[str]:
    found: set[str] = set()
    for record in records:
        if isinstance(record, dict):
            for key, value in record.items():
                inner = f"{place}.{key}" if place else key
                if isinstance(value, dict):
                    found |= _valued_metrics([value], inner)
                elif isinstance(value, list):
                    found |= _valued_metrics(value, inner + "[]")
                elif ".metrics." in f".{inner}" and value not in (None, "-"):
                    found.add(inner)
    return found


def compare(case: Case, payload: Any, records: list[Any]) -> list[str]:
    """Every problem of every emulator record against the payload's records, deduplicated."""
    samples = case.pick(payload)
    checker = Checker(case)
    problems = [problem for record in records for problem in checker.check(samples, record)]
    return sorted(set(problems + checker.finish(samples)))
