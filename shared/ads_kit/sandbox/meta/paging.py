"""Cursor paging (reference §1.4).

Cursors are opaque base64 strings holding a position; `next`/`previous` are absolute URLs to the
emulator carrying every original parameter (Airbyte follows `next` verbatim). `next` appears only
when another page exists, `cursors` always.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from ads_kit.sandbox.meta.errors import invalid_parameter

DEFAULT_LIMIT = 25
MAX_LIMIT = 5000


def encode_cursor(position: Any) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, param: str) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise invalid_parameter(f"The {param} cursor is not valid: {cursor}") from None


def page_url(base_url: str, path: str, params: Mapping[str, str], token: str | None, **cursor: str) -> str:
    """Absolute URL of a neighbouring page: the original params, the token if it came in the query."""
    query = {key: value for key, value in params.items() if key not in {"after", "before"}}
    if token is not None:
        query["access_token"] = token
    query.update(cursor)
    return f"{base_url.rstrip('/')}{path}?{urlencode(query)}"


def paging_block(
    *,
    first: Any,
    last: Any,
    has_next: bool,
    has_previous: bool,
    base_url: str,
    path: str,
    params: Mapping[str, str],
    query_token: str | None,
) -> dict[str, Any]:
    before, after = encode_cursor(first), encode_cursor(last)
    block: dict[str, Any] = {"cursors": {"before": before, "after": after}}
    if has_previous:
        block["previous"] = page_url(base_url, path, params, query_token, before=before)
    if has_next:
        block["next"] = page_url(base_url, path, params, query_token, after=after)
    return block


def offset_page(items: list[Any], params: Mapping[str, str], limit: int) -> tuple[list[Any], int, bool, bool]:
    """Slice a fully known list by `after`/`before` index cursors: (page, start, has_next, has_previous)."""
    if params.get("after"):
        start = int(decode_cursor(params["after"], "after")) + 1
    elif params.get("before"):
        start = max(0, int(decode_cursor(params["before"], "before")) - limit)
    else:
        start = 0
    page = items[start : start + limit]
    return page, start, start + limit < len(items), start > 0
