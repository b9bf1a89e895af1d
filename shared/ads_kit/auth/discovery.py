"""What a fresh grant can do: its scopes where the token response omits them, and the accounts it reaches.

One function per platform in `ACCOUNT_LISTERS`; a platform without one (Google Ads lists customers over
gRPC with a developer token, which the login does not have) records no accounts, and the tap's own
account setting applies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from ads_kit.auth.errors import AuthError
from ads_kit.auth.grants import HTTP_TIMEOUT_S
from ads_kit.auth.store import TokenEntry
from ads_kit.redaction import redact

META_TOKEN_PATH = "/oauth/access_token"
# Bounds the pages followed, so a misbehaving server cannot keep a login spinning.
MAX_PAGES = 100


def _meta_graph_base(entry: TokenEntry) -> str:
    if not entry.token_url.endswith(META_TOKEN_PATH):
        raise AuthError(f"meta_ads: token URL {entry.token_url} does not end with {META_TOKEN_PATH}")
    return entry.token_url.removesuffix(META_TOKEN_PATH)


def _get_json(platform: str, url: str, **kwargs: Any) -> dict:  # kwargs: requests.get's
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT_S, **kwargs)
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise AuthError(f"{platform}: request to {url} failed: {redact(str(exc))}") from None
    if response.status_code >= 400 or "error" in document:
        message = (document.get("error") or {}).get("message") if isinstance(document, dict) else None
        raise AuthError(
            f"{platform}: {url} answered HTTP {response.status_code}: {redact(str(message or document))}"
        )
    return document


def granted_scopes(entry: TokenEntry) -> list[str]:
    """Meta's code exchange does not say what was granted; its debug_token endpoint does."""
    if entry.platform != "meta_ads":
        return []
    document = _get_json(
        "meta_ads",
        f"{_meta_graph_base(entry)}/debug_token",
        params={
            "input_token": entry.access_token,
            "access_token": f"{entry.client_id}|{entry.client_secret}",
        },
    )
    return [str(s) for s in document.get("data", {}).get("scopes", [])]


def _meta_ad_accounts(entry: TokenEntry) -> list[str]:
    url: str | None = f"{_meta_graph_base(entry)}/me/adaccounts"
    params: dict[str, str] | None = {"fields": "account_id", "limit": "100"}
    accounts: list[str] = []
    for _ in range(MAX_PAGES):
        if url is None:
            break
        document = _get_json(
            "meta_ads", url, params=params, headers={"Authorization": f"Bearer {entry.access_token}"}
        )
        accounts += [
            str(row.get("account_id") or row["id"].removeprefix("act_")) for row in document.get("data", [])
        ]
        url, params = document.get("paging", {}).get("next"), None  # `next` carries every parameter
    return accounts


def _tiktok_advertisers(entry: TokenEntry) -> list[str]:
    base = entry.token_url.removesuffix("access_token/")
    document = _get_json(
        "tiktok_ads",
        f"{base}advertiser/get/",
        params={"app_id": entry.client_id, "secret": entry.client_secret or ""},
        headers={"Access-Token": entry.access_token},
    )
    if document.get("code") != 0:
        raise AuthError(
            f"tiktok_ads: listing advertisers failed with code {document.get('code')}: "
            f"{document.get('message')}"
        )
    return [str(row["advertiser_id"]) for row in document.get("data", {}).get("list", [])]


ACCOUNT_LISTERS: dict[str, Callable[[TokenEntry], list[str]]] = {
    "meta_ads": _meta_ad_accounts,
    "tiktok_ads": _tiktok_advertisers,
}


def can_discover_accounts(platform: str) -> bool:
    return platform in ACCOUNT_LISTERS


def discover_accounts(entry: TokenEntry) -> list[str]:
    lister = ACCOUNT_LISTERS.get(entry.platform)
    return lister(entry) if lister else []
