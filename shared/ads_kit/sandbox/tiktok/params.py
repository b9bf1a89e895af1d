"""Request parameters as TikTok reads them (reference §1.4, §1.5), and `page_info` paging.

GET endpoints take query parameters, lists and objects as URL-encoded JSON text
(``dimensions=["ad_id","stat_time_day"]``); POST endpoints take a JSON body with real arrays.
Every endpoint names the parameters it knows: anything else is refused with 40002, never ignored.
(The real API is documented to ignore some stale names, e.g. v1.2's ``filters`` and ``lifetime``
(§3.1, §3.5), which left peers' include-deleted options silently dead; the sandbox refuses them so a
tap finds out.) The wording of the 40002 messages is the sandbox's: the real ones are not captured (§10).
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ads_kit.sandbox.tiktok.errors import invalid_parameter

DEFAULT_PAGE_SIZE = 10  # §1.4: "default 10 everywhere"


class Params:
    """One call's parameters: a GET query (strings, JSON in text) or a POST JSON body (typed)."""

    def __init__(self, raw: Mapping[str, Any], known: Collection[str], *, body: bool = False) -> None:
        self.raw = dict(raw)
        self.body = body
        unknown = sorted(set(self.raw) - set(known))
        if unknown:
            raise invalid_parameter(f"{unknown[0]}: Unknown field.")

    def __contains__(self, name: str) -> bool:
        return name in self.raw

    def string(
        self, name: str, *, required: bool = False, choices: Collection[str] | None = None
    ) -> str | None:
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                raise invalid_parameter(f"{name}: Missing data for required field.")
            return None
        if not isinstance(value, str):
            raise invalid_parameter(f"{name}: Not a valid string.")
        if choices is not None and value not in choices:
            raise invalid_parameter(f"{name}: Must be one of: {', '.join(sorted(choices))}.")
        return value

    def integer(self, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
        value = self.raw.get(name)
        if value is None:
            return default
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value)
        if number is None:
            raise invalid_parameter(f"{name}: Not a valid integer.")
        if number < minimum or (maximum is not None and number > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise invalid_parameter(f"{name}: Must be {bound}.")
        return number

    def boolean(self, name: str, default: bool = False) -> bool:
        """Booleans arrive as lower-case ``true``/``false`` in a query (§1.5), as JSON booleans in a body."""
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise invalid_parameter(f"{name}: Not a valid boolean.")

    def json_value(self, name: str, kind: type, *, required: bool = False) -> Any:
        """A list or object parameter; in a query it is JSON text, in a body the value itself."""
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                raise invalid_parameter(f"{name}: Missing data for required field.")
            return None
        if not self.body:
            if not isinstance(value, str):
                raise invalid_parameter(f"{name}: Not a valid JSON string.")
            try:
                value = json.loads(value)
            except ValueError:
                raise invalid_parameter(f"{name}: Not a valid JSON string.") from None
        if not isinstance(value, kind):
            raise invalid_parameter(f"{name}: Not a valid {'list' if kind is list else 'object'}.")
        return value

    def strings(
        self, name: str, *, required: bool = False, max_items: int | None = None, min_items: int = 1
    ) -> list[str] | None:
        """A JSON array of strings (v1.3 takes ids as strings, §1.5: a number is refused)."""
        items = self.json_value(name, list, required=required)
        if items is None:
            return None
        return string_items(items, name, max_items=max_items, min_items=min_items)

    def date(self, name: str, *, required: bool = False) -> date | None:
        text = self.string(name, required=required)
        return None if text is None else parse_day(text, name)


def string_items(items: Sequence[Any], name: str, *, max_items: int | None, min_items: int = 1) -> list[str]:
    if not all(isinstance(item, str) and item for item in items):
        raise invalid_parameter(f"{name}: Every item must be a non-empty string.")
    if len(items) < min_items or (max_items is not None and len(items) > max_items):
        bound = f"between {min_items} and {max_items}" if max_items is not None else f"at least {min_items}"
        raise invalid_parameter(f"{name}: Length must be {bound}.")
    return list(items)


def parse_day(text: str, name: str) -> date:
    """A ``YYYY-MM-DD`` date, exactly that form."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise invalid_parameter(f"{name}: Not a valid date, expected YYYY-MM-DD.") from None


@dataclass(frozen=True)
class Page:
    number: int
    size: int


def page_of(params: Params, cap: int) -> Page:
    """`page` (>= 1) and `page_size` (1 to the endpoint's cap, §1.4); outside the range is 40002."""
    return Page(params.integer("page", 1, 1), params.integer("page_size", DEFAULT_PAGE_SIZE, 1, cap))


def paged(items: Sequence[Any], page: Page, empty_total_page: int = 0) -> tuple[list[Any], dict[str, int]]:
    """One page of a fully known list and its `page_info`; a page past the end is an empty list.

    ``total_page`` is ``ceil(total / page_size)``; for an empty list the reference leaves 0 or 1
    open (§1.4), so that is the setting ``tiktok_empty_total_page`` (0 by default, as the formula gives).
    """
    start = (page.number - 1) * page.size
    total = len(items)
    info = {
        "page": page.number,
        "page_size": page.size,
        "total_number": total,
        "total_page": math.ceil(total / page.size) if total else empty_total_page,
    }
    return list(items[start : start + page.size]), info
