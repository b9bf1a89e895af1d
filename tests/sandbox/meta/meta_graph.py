"""A thin Graph client for the Meta emulator tests, and the real payloads they compare with."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import requests

from ads_kit.sandbox.client import SandboxClient

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "meta"
TODAY = date(2026, 11, 25)
# Noon UTC: every account zone of the world (UTC-8 to UTC+9) is on TODAY.
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
VERSION = "v26.0"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class Graph:
    """Requests to the emulator as Graph clients send them (token in the query unless told otherwise)."""

    def __init__(self, client: SandboxClient) -> None:
        meta = client.platform("meta")
        self.base_url: str = meta["base_url"]
        self.token: str = meta["access_token"]
        self.accounts: list[str] = meta["accounts"]
        self.http = requests.Session()

    def url(self, path: str, version: str = VERSION) -> str:
        return f"{self.base_url}/{version}/{path}"

    def get(self, path: str, version: str = VERSION, **params: Any) -> requests.Response:
        return self.http.get(
            self.url(path, version), params={"access_token": self.token, **params}, timeout=30
        )

    def post(self, path: str, version: str = VERSION, **data: Any) -> requests.Response:
        return self.http.post(
            self.url(path, version), params={"access_token": self.token}, data=data, timeout=30
        )

    def get_all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every row of an edge, following `next` URLs verbatim as Airbyte does."""
        response = self.get(path, **params)
        rows: list[dict[str, Any]] = []
        while True:
            assert response.status_code == 200, response.text
            body = response.json()
            rows += body["data"]
            next_url = body.get("paging", {}).get("next")
            if not next_url:
                return rows
            response = self.http.get(next_url, timeout=30)
