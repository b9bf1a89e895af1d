"""The google-ads library's own message classes, per served API version, loaded on first use.

The library (34.0.0) ships v23 to v26 (reference §1.1), so those are the versions served. Older majors
are sunset (§1.2) and answer RequestError.UNSUPPORTED_VERSION; their request messages are read with
the newest classes, which is safe because a request's fields keep their numbers across versions
(`customer_id` 1, `query` 2 in every GoogleAdsService request). Importing one version's messages
takes about a second (§6.5), so a version is imported when it is first asked for.
"""

from __future__ import annotations

import importlib
import inspect
import threading
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from google.protobuf.descriptor import Descriptor, EnumDescriptor
from google.protobuf.message import Message

SERVED_VERSIONS = ("v23", "v24", "v25", "v26")
LATEST = SERVED_VERSIONS[-1]
# Majors the library no longer ships: sunset (the last, v22, on 2026-10-07; reference §1.2).
RETIRED_VERSIONS = tuple(f"v{n}" for n in range(1, int(SERVED_VERSIONS[0][1:])))

_PACKAGE = "google.ads.googleads.{version}"


@dataclass(frozen=True)
class Protos:
    """One version's raw protobuf classes (the fast path: reference §6.3 serves them, not proto-plus)."""

    version: str
    module: dict[str, Any]

    def _cls(self, module: str, name: str) -> type[Message]:
        return getattr(self.module[module], name).pb()

    @cached_property
    def row(self) -> type[Message]:
        return self._cls("google_ads_service", "GoogleAdsRow")

    @cached_property
    def search_request(self) -> type[Message]:
        return self._cls("google_ads_service", "SearchGoogleAdsRequest")

    @cached_property
    def search_response(self) -> type[Message]:
        return self._cls("google_ads_service", "SearchGoogleAdsResponse")

    @cached_property
    def stream_request(self) -> type[Message]:
        return self._cls("google_ads_service", "SearchGoogleAdsStreamRequest")

    @cached_property
    def stream_response(self) -> type[Message]:
        return self._cls("google_ads_service", "SearchGoogleAdsStreamResponse")

    @cached_property
    def fields_request(self) -> type[Message]:
        return self._cls("google_ads_field_service", "SearchGoogleAdsFieldsRequest")

    @cached_property
    def fields_response(self) -> type[Message]:
        return self._cls("google_ads_field_service", "SearchGoogleAdsFieldsResponse")

    @cached_property
    def get_field_request(self) -> type[Message]:
        return self._cls("google_ads_field_service", "GetGoogleAdsFieldRequest")

    @cached_property
    def field(self) -> type[Message]:
        return self._cls("google_ads_field", "GoogleAdsField")

    @cached_property
    def customers_request(self) -> type[Message]:
        return self._cls("customer_service", "ListAccessibleCustomersRequest")

    @cached_property
    def customers_response(self) -> type[Message]:
        return self._cls("customer_service", "ListAccessibleCustomersResponse")

    @cached_property
    def failure(self) -> type[Message]:
        return self._cls("errors", "GoogleAdsFailure")

    @cached_property
    def row_descriptor(self) -> Descriptor:
        return self.row.DESCRIPTOR

    def path_parameters(self, resource: str) -> tuple[str, ...]:
        """The parameters of the client's resource-name helper (`keyword_view_path(customer_id,
        ad_group_id, criterion_id)`, reference §2.2): the resources a resource's name is under."""
        helper = getattr(
            self.module["google_ads_service_client"].GoogleAdsServiceClient, f"{resource}_path", None
        )
        return tuple(inspect.signature(helper).parameters) if helper is not None else ()

    @property
    def failure_key(self) -> str:
        """The trailer that carries the serialized GoogleAdsFailure (reference §4.1)."""
        return failure_key(self.version)


def failure_key(version: str) -> str:
    return f"{_PACKAGE.format(version=version)}.errors.googleadsfailure-bin"


_MODULES = {
    "google_ads_service": "services.types.google_ads_service",
    "google_ads_field_service": "services.types.google_ads_field_service",
    "customer_service": "services.types.customer_service",
    "google_ads_field": "resources.types.google_ads_field",
    "errors": "errors.types.errors",
    "google_ads_service_client": "services.services.google_ads_service.client",
}
_loaded: dict[str, Protos] = {}
_lock = threading.Lock()


def protos(version: str) -> Protos:
    """The messages of a served version (importing them the first time)."""
    if version not in SERVED_VERSIONS:
        raise KeyError(f"{version} is not a served Google Ads API version")
    found = _loaded.get(version)
    if found is None:
        with _lock:
            found = _loaded.get(version)
            if found is None:
                package = _PACKAGE.format(version=version)
                modules = {
                    key: importlib.import_module(f"{package}.{path}") for key, path in _MODULES.items()
                }
                found = _loaded[version] = Protos(version, modules)
    return found


def enum_names(descriptor: EnumDescriptor) -> tuple[str, ...]:
    return tuple(value.name for value in descriptor.values)


__all__ = ["LATEST", "RETIRED_VERSIONS", "SERVED_VERSIONS", "Protos", "enum_names", "failure_key", "protos"]
