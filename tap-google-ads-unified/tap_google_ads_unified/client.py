"""The Google Ads transport: the official google-ads library (gRPC) as the call, Google's error table
(``errors.py``) as its verdicts. Retries, limits, re-authentication, version switches, field renames
and redaction are ``ads_kit.tap.transport``'s.

The credentials are built here (reference §5.2): ``load_from_dict`` would refresh the token while
constructing the client, at a fixed Google URL. The access token comes from the shared
``TokenProvider`` (refresh token, token store, one renewal after UNAUTHENTICATED); google-auth gets
it without an expiry, so it never refreshes on its own inside gRPC, where a refused refresh would
surface as a blind 503 (reference §4.2). One client per access token and login-customer-id, each
service kept referenced while a stream is read (reference §6.4: a collected channel cancels it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from google.ads.googleads.client import GoogleAdsClient
from google.oauth2.credentials import Credentials
from google.protobuf.message import Message

from ads_kit.resilience.errors import Classified, ConfigError
from ads_kit.tap.transport import APP_SCOPE, HttpFailure, Response, Transport
from tap_google_ads_unified.errors import classify, failure_of, http_status, is_api_failure
from tap_google_ads_unified.rows import record_reader

DEFAULT_ENDPOINT = "googleads.googleapis.com"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
# A SearchStream deadline covers the whole stream (reference §3.3); without one a hung stream hangs
# the tap (the library's default is no deadline).
DEFAULT_TIMEOUT_S = 900.0
SCOPES = ["https://www.googleapis.com/auth/adwords"]
# The library logs a multi-line WARNING for every failed call (reference §6.4); the shared retry log
# says the same in one line, and ``log_requests`` shows every call.
logging.getLogger("google.ads.googleads.client").setLevel(logging.ERROR)
STREAM, FIELDS, ACCESSIBLE = "SearchStream", "SearchGoogleAdsFields", "ListAccessibleCustomers"
FIELD_METADATA = (
    "name",
    "category",
    "data_type",
    "selectable",
    "filterable",
    "sortable",
    "selectable_with",
    "attribute_resources",
    "metrics",
    "segments",
    "is_repeated",
)


class GoogleAdsTransport(Transport):
    platform = "google_ads"

    def __init__(
        self,
        *,
        developer_token: str,
        endpoint: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        refresh_token: str | None = None,
        token_url: str = DEFAULT_TOKEN_URL,
        timeout: float = DEFAULT_TIMEOUT_S,
        **shared: Any,
    ) -> None:
        super().__init__(**shared)
        self._developer_token = developer_token
        self._endpoint = endpoint or None
        self._oauth = {"client_id": client_id, "client_secret": client_secret, "refresh_token": refresh_token}
        self._token_url = token_url
        self._timeout = timeout
        self._services: dict[tuple[str, str | None, str, str], Any] = {}

    # -- the call ---------------------------------------------------------------------------------

    def _service(self, token: str, login: str | None, name: str) -> Any:
        version = self.versions.version
        key = (token, login, version, name)
        if key not in self._services:
            # Services of a renewed token or another version are dropped with their channels.
            self._services = {k: s for k, s in self._services.items() if k[0] == token and k[2] == version}
            credentials = Credentials(token=token, token_uri=self._token_url, scopes=SCOPES, **self._oauth)
            client = GoogleAdsClient(
                credentials=credentials,
                developer_token=self._developer_token,
                endpoint=self._endpoint,
                login_customer_id=login,
                use_proto_plus=False,
                version=version,
            )
            self._services[key] = client.get_service(name)
        return self._services[key]

    def send(self, method: str, path: str, params: dict[str, Any], token: str) -> Response:
        version = self.versions.version
        try:
            if path == STREAM:
                rows = self._stream(token, params, version)
            elif path == FIELDS:
                service = self._service(token, None, "GoogleAdsFieldService")
                pager = service.search_google_ads_fields(
                    request={"query": params["query"]}, timeout=self._timeout
                )
                rows = [_field(field) for field in pager]
            elif path == ACCESSIBLE:
                service = self._service(token, None, "CustomerService")
                rows = list(service.list_accessible_customers(timeout=self._timeout).resource_names)
            else:  # pragma: no cover - the callers below are the only ones
                raise ValueError(f"no Google Ads call {path}")
        except Exception as exc:
            if not is_api_failure(exc):
                raise
            body = failure_of(exc, version)
            raise HttpFailure(http_status(body["status"]), {}, body) from None
        return Response(200, {}, {"rows": rows})

    def _stream(self, token: str, params: Mapping[str, Any], version: str) -> list[dict[str, Any]]:
        """Every row of one SearchStream, read whole: a stream cut mid-way is retried from the start
        (SearchStream cannot resume, reference §3.2), so no partial rows leave."""
        service = self._service(token, params.get("login"), "GoogleAdsService")
        read = record_reader(version, tuple(params["requested"]), tuple(params["fields"]))
        batches = service.search_stream(
            customer_id=params["customer_id"], query=query_text(params), timeout=self._timeout
        )
        return [read(row) for batch in batches for row in batch.results]

    def classify(self, status: int | None, body: Any, retry_after_s: float | None) -> Classified:
        return classify(body)

    def url(self, path: str, params: Mapping[str, Any]) -> str:
        if "fields" in params:
            return f"{path} customers/{params['customer_id']}: {query_text(params)}"
        return f"{path} {params.get('query', '')}".strip()

    def named_version(self, error: Exception) -> bool | None:
        """UNSUPPORTED_VERSION: fall back to the previous live version."""
        return (isinstance(error, ConfigError) and error.setting == "api_version") or None

    # -- what the tap asks ------------------------------------------------------------------------

    def search(
        self,
        customer_id: str,
        fields: list[str],
        resource: str,
        where: str = "",
        *,
        login: str | None,
        stream: str | None = None,
    ) -> list[dict[str, Any]]:
        """The rows of ``SELECT fields FROM resource WHERE where`` as records (``rows.column`` names)."""
        params = {
            "customer_id": customer_id,
            "fields": list(fields),
            "requested": list(fields),
            "resource": resource,
            "where": where,
            "login": login,
        }
        body = self.post(STREAM, params, account=customer_id, endpoint="reports", stream=stream)
        return list(body["rows"])

    def accessible_customers(self) -> list[str]:
        """The customer ids the credentials reach directly (ListAccessibleCustomers)."""
        body = self.get(ACCESSIBLE, {}, account=APP_SCOPE)
        return [name.removeprefix("customers/") for name in body["rows"]]

    def field_metadata(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """GoogleAdsFieldService metadata of these fields (reference §2.5); unknown names are absent."""
        quoted = ", ".join(f"'{name}'" for name in sorted(set(names)))
        query = f"SELECT {', '.join(FIELD_METADATA)} WHERE name IN ({quoted})"
        body = self.get(FIELDS, {"query": query}, account=APP_SCOPE)
        return {row["name"]: row for row in body["rows"]}


def query_text(params: Mapping[str, Any]) -> str:
    where = f" WHERE {params['where']}" if params.get("where") else ""
    return f"SELECT {', '.join(params['fields'])} FROM {params['resource']}{where}"


def _field(message: Message) -> dict[str, Any]:
    return {name: _value(message, name) for name in FIELD_METADATA}


def _value(message: Any, name: str) -> Any:
    field = message.DESCRIPTOR.fields_by_name[name]
    value = getattr(message, name)
    if field.enum_type is not None:
        return field.enum_type.values_by_number[value].name
    return list(value) if field.is_repeated else value
