"""Who may read which customer: the developer token, `login-customer-id` and the sandbox's manager.

The world's three Google Ads customers sit under one manager account, which the world does not
have: its id is derived from the seed (`manager_id`) and given in the connection file
(``manager_customer_id``, ``login_customer_id``). The OAuth user reaches the manager directly and
the clients only through it (reference §2.4), so:

* ListAccessibleCustomers answers the manager alone;
* a client is read with ``login-customer-id`` = the manager; without it, or with any other id, the
  answer is AuthorizationError.USER_PERMISSION_DENIED (§2.4);
* the manager is read with no ``login-customer-id`` or its own.

Every call carries the ``developer-token`` metadata (§2.4). The connection file gives two tokens:
``developer_token`` (Basic access) and ``developer_token_test_only`` (Test access: a non-test customer
answers DEVELOPER_TOKEN_NOT_APPROVED with the real message, §4.5). A customer listed in the
``google_ads_disabled_customers`` setting answers CUSTOMER_NOT_ENABLED.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import grpc

from ads_kit.sandbox.google_ads import failures
from ads_kit.sandbox.google_ads.failures import ApiFailure, error, request_error
from ads_kit.sandbox.google_ads.resources import Customer, manager_account
from ads_kit.sandbox.limits import QuotaExceeded
from ads_kit.sandbox.tokens import AccountRefused
from ads_kit.sandbox.world import Account, World

PLATFORM = "google_ads"
DISABLED_SETTING = "google_ads_disabled_customers"
_CUSTOMER_ID = re.compile(r"[0-9]{10}")


def manager_id(seed: int, world: World) -> str:
    """A 10-digit id from the seed that no world account has."""
    taken = {a.id for a in world.accounts()}
    for attempt in range(100):
        digest = hashlib.blake2b(f"{seed}|google_ads|manager|{attempt}".encode(), digest_size=8).digest()
        candidate = str(1_000_000_000 + int.from_bytes(digest, "big") % 9_000_000_000)
        if candidate not in taken:
            return candidate
    raise RuntimeError("no free manager id")  # pragma: no cover - 100 collisions in 9e9 ids


class Caller(Protocol):
    """What a transport gives the access checks: the core's account check and billing."""

    def open_account(self, account_id: str) -> Account: ...

    def charge(self, account_id: str | None) -> None: ...


@dataclass
class Access:
    world: World
    settings: Mapping[str, Any]
    manager: Account
    developer_tokens: dict[str, str]  # token -> access level: "basic" | "test"

    @classmethod
    def create(cls, world: World, settings: Mapping[str, Any], seed: int) -> Access:
        identity = manager_id(seed, world)
        created = min(a.created_at for a in world.accounts(PLATFORM))
        return cls(world, settings, manager_account(identity, created), {})

    def developer(self, metadata: Mapping[str, Any]) -> str:
        """The developer token's access level, or its failure."""
        token = _text(metadata.get("developer-token"))
        if not token:
            raise request_error(
                "DEVELOPER_TOKEN_PARAMETER_MISSING",
                "The developer-token parameter is required for all requests.",
            )
        level = self.developer_tokens.get(token)
        if level is None:
            raise error(
                grpc.StatusCode.UNAUTHENTICATED,
                "authentication_error",
                "DEVELOPER_TOKEN_INVALID",
                "The developer token is not valid.",
            )
        return level

    def login_customer(self, metadata: Mapping[str, Any]) -> str | None:
        """The login-customer-id header: ten digits, no dashes (the library does not strip them
        when the client is built directly, reference §2.2)."""
        login = _text(metadata.get("login-customer-id"))
        if login is not None and not _CUSTOMER_ID.fullmatch(login):
            raise error(
                grpc.StatusCode.INVALID_ARGUMENT,
                "header_error",
                "INVALID_LOGIN_CUSTOMER_ID",
                "The login customer ID could not be validated.",
            )
        linked = _text(metadata.get("linked-customer-id"))
        if linked is not None:
            # The world links no third-party accounts, so no linked customer id can be validated.
            raise error(
                grpc.StatusCode.INVALID_ARGUMENT,
                "header_error",
                "INVALID_LINKED_CUSTOMER_ID",
                "The linked customer ID could not be validated.",
            )
        return login

    def customer(self, customer_id: str, metadata: Mapping[str, Any], caller: Caller) -> Customer:
        """The customer a call reads, after every check; the call is billed (to the customer when
        it is readable, else to the app, as the core bills a refused call)."""
        level = self.developer(metadata)
        login = self.login_customer(metadata)
        if not customer_id:
            raise request_error(
                "REQUIRED_FIELD_MISSING", "Required field is missing", location=(("customer_id", None),)
            )
        if not _CUSTOMER_ID.fullmatch(customer_id):
            raise request_error(
                "INVALID_CUSTOMER_ID", "Customer ID is invalid.", location=(("customer_id", None),)
            )
        clients = tuple(self.world.accounts(PLATFORM))
        if customer_id == self.manager.id:
            if login not in (None, self.manager.id):
                bill(caller, None)
                raise failures.user_permission_denied()
            bill(caller, customer_id)
            return Customer(self.manager, manager=True, clients=clients)
        if login != self.manager.id:
            bill(caller, None)
            raise failures.user_permission_denied()
        account = _open(caller, customer_id)
        if customer_id in (self.settings.get(DISABLED_SETTING) or ()):
            raise error(
                grpc.StatusCode.PERMISSION_DENIED,
                "authorization_error",
                "CUSTOMER_NOT_ENABLED",
                failures.CUSTOMER_NOT_ENABLED,
            )
        if level == "test":
            # v26 marks DEVELOPER_TOKEN_NOT_APPROVED deprecated (superseded by CLOUD_PROJECT_NOT_APPROVED_
            # FOR_PRODUCTION, a named fault); the reference and the fixture record this one.
            raise error(
                grpc.StatusCode.PERMISSION_DENIED,
                "authorization_error",
                "DEVELOPER_TOKEN_NOT_APPROVED",
                failures.DEVELOPER_TOKEN_NOT_APPROVED,
            )
        return Customer(account)

    def accessible(self, metadata: Mapping[str, Any], caller: Caller) -> list[str]:
        """ListAccessibleCustomers: the customers the user reaches directly (no customer id, no login)."""
        self.developer(metadata)
        bill(caller, None)
        return [f"customers/{self.manager.id}"]


def _open(caller: Caller, customer_id: str) -> Account:
    try:
        return caller.open_account(customer_id)
    except AccountRefused:
        raise failures.user_permission_denied() from None
    except QuotaExceeded as exc:
        raise quota_failure(exc) from None


def bill(caller: Caller, account_id: str | None) -> None:
    """Bill a call to the app (and the account named), its quota refusal as Google's."""
    try:
        caller.charge(account_id)
    except QuotaExceeded as exc:
        raise quota_failure(exc) from None


def quota_failure(exc: QuotaExceeded) -> ApiFailure:
    """A full sandbox quota as Google's short-term throttle: RESOURCE_TEMPORARILY_EXHAUSTED with the
    wait until the window has room (reference §4.5); the app quota is the developer's, the account
    quota the customer's (QuotaErrorDetails.rate_scope DEVELOPER / ACCOUNT)."""
    scope = "DEVELOPER" if exc.scope == "app" else "ACCOUNT"
    rate_name = f"Sandbox {exc.scope} quota (the limits setting)"
    return failures.quota("RESOURCE_TEMPORARILY_EXHAUSTED", scope, rate_name, exc.retry_after_s)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


__all__ = ["DISABLED_SETTING", "Access", "Caller", "bill", "manager_id", "quota_failure"]
