"""The real GoogleAdsClient against the sandbox, and the truths the tests compare with.

Clients are built directly with credentials made here (never `load_from_dict` with a refresh token:
it refreshes while constructing, reference §5.2) and `use_proto_plus=False`.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import grpc
import requests
from google.ads.googleads.client import GoogleAdsClient
from google.ads.googleads.errors import GoogleAdsException
from google.api_core import exceptions
from google.oauth2.credentials import Credentials
from google.protobuf import json_format
from google.protobuf.message import Message

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.world import Account, World

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "google_ads"
# 15:30 UTC: Tokyo is on the 26th, Sao Paulo and Los Angeles on the 25th; Google reports hours
# three hours after they end, so every customer's today holds some hours.
NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
PLATFORM = "google_ads"
MANAGER = "manager"  # the default login-customer-id of `Ads.client`
FAILURE_KEY = "google.ads.googleads.{version}.errors.googleadsfailure-bin"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def fixture_text(name: str) -> str:
    """A text fixture, with protobuf text format's escaped quotes undone."""
    return (FIXTURES / name).read_text().replace("\\'", "'").replace('\\"', '"')


@cache
def _client(
    endpoint: str, token: str, developer_token: str, login: str | None, version: str
) -> GoogleAdsClient:
    return GoogleAdsClient(
        credentials=Credentials(token=token),
        developer_token=developer_token,
        endpoint=endpoint,
        login_customer_id=login,
        use_proto_plus=False,
        version=version,
    )


class Ads:
    """The Google Ads side of the session sandbox, for one test."""

    def __init__(self, sandbox: SandboxClient) -> None:
        self.sandbox = sandbox
        self.entry: dict[str, Any] = sandbox.platform(PLATFORM)
        self.accounts: list[str] = self.entry["accounts"]
        self.manager: str = self.entry["manager_customer_id"]
        self.endpoint: str = self.entry["grpc_endpoint"]
        self.base_url: str = self.entry["base_url"]
        self.http = requests.Session()
        self._settings: dict[str, Any] = {}

    # -- gRPC ------------------------------------------------------------------------------------
    def client(
        self,
        *,
        version: str = "v26",
        login: str | None = MANAGER,
        developer_token: str | None = None,
        token: str | None = None,
    ) -> GoogleAdsClient:
        return _client(
            self.endpoint,
            token or self.entry["access_token"],
            developer_token or self.entry["developer_token"],
            self.manager if login == MANAGER else login,
            version,
        )

    def service(self, name: str = "GoogleAdsService", **options: Any) -> Any:
        return self.client(**options).get_service(name)

    def stream(self, query: str, customer: str | None = None, **options: Any) -> list[Message]:
        """Every row of a SearchStream (the service kept referenced while iterating, §6.4)."""
        service = self.service(**options)
        batches = service.search_stream(customer_id=customer or self.accounts[0], query=query)
        return [row for batch in batches for row in batch.results]

    def stream_batches(self, query: str, customer: str | None = None, **options: Any) -> list[Message]:
        service = self.service(**options)
        return list(service.search_stream(customer_id=customer or self.accounts[0], query=query))

    def search(self, query: str, customer: str | None = None, **options: Any) -> list[Message]:
        service = self.service(**options)
        return list(service.search(customer_id=customer or self.accounts[0], query=query))

    def channel(self) -> grpc.Channel:
        """A plain channel trusting the sandbox certificate, for what the library cannot send."""
        certificate = Path(self.sandbox.connection["tls_cert"]).read_bytes()
        return grpc.secure_channel(self.endpoint, grpc.ssl_channel_credentials(certificate))

    def metadata(self, login: str | None = MANAGER) -> list[tuple[str, str]]:
        pairs = [("authorization", f"Bearer {self.entry['access_token']}")]
        pairs.append(("developer-token", self.entry["developer_token"]))
        if login is not None:
            pairs.append(("login-customer-id", self.manager if login == MANAGER else login))
        return pairs

    # -- world -----------------------------------------------------------------------------------
    def world(self) -> World:
        return self.sandbox.world()

    def account(self, index: int = 0) -> Account:
        return self.world().account(self.accounts[index])

    def today(self, index: int = 0) -> date:
        world = self.world()
        return world.account_today(world.account(self.accounts[index]))

    # -- control ---------------------------------------------------------------------------------
    def settings(self, restore: dict[str, Any] | None = None, **settings: Any) -> None:
        """Change sandbox settings for this test; `restore_settings` puts them back (to `restore`
        for keys that had no value before)."""
        current = self.sandbox.stats()["settings"]
        for key in settings:
            self._settings.setdefault(key, current.get(key, (restore or {}).get(key, [])))
        self.sandbox.settings(**settings)

    def restore_settings(self) -> None:
        if self._settings:
            self.sandbox.settings(**self._settings)
        self.http.close()

    def fault(self, route: str, name: str | None = None, kind: str = "error", **rule: Any) -> None:
        self.sandbox.add_fault(platform=PLATFORM, route=route, kind=kind, name=name, **rule)

    def log(self, route: str | None = None) -> list[dict[str, Any]]:
        return self.sandbox.log(platform=PLATFORM, route=route)


def failure_of(error: Exception, version: str = "v26") -> Message:
    """The GoogleAdsFailure of a failed call, as the library leaves it (reference §4.2): parsed on a
    GoogleAdsException (proto-plus even with use_proto_plus=False), else in the trailers."""
    from google.ads.googleads.v26.errors.types.errors import GoogleAdsFailure

    if isinstance(error, GoogleAdsException):
        return type(error.failure).pb(error.failure)
    if isinstance(error, exceptions.GoogleAPICallError):
        trailers = dict(error.response.trailing_metadata())
    else:
        trailers = dict(error.trailing_metadata())  # a grpc.RpcError of a plain channel
    return GoogleAdsFailure.pb().FromString(trailers[FAILURE_KEY.format(version=version)])


def codes(error: Exception, version: str = "v26") -> list[tuple[str, str]]:
    """(error-code member, value name) of every GoogleAdsError of a failure."""
    failure = failure_of(error, version)
    result = []
    for item in failure.errors:
        member = item.error_code.WhichOneof("error_code")
        value = getattr(item.error_code, member)
        name = item.error_code.DESCRIPTOR.fields_by_name[member].enum_type.values_by_number[value].name
        result.append((member, name))
    return result


def as_dict(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)
