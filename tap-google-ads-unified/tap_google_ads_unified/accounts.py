"""Google's account source: the configured customers (``123-456-7890`` or ``1234567890``), or every
client a manager reaches when none is configured, each read once per run (currency, zone, name).

Discovery follows the peers (reference §2.4): ListAccessibleCustomers, then each accessible
customer's ``customer_client`` hierarchy read with itself as ``login-customer-id``; clients that are
managers or not ENABLED are left out, and each client is read through the manager that reaches it.
"""

from __future__ import annotations

from typing import Any

from ads_kit.tap.sources import AccountDirectory
from ads_kit.unified.adapter import AccountInfo
from tap_google_ads_unified.client import GoogleAdsTransport
from tap_google_ads_unified.queries import CUSTOMER_CLIENTS, CUSTOMER_FIELDS


def customer_id(value: Any) -> str:
    """``123-456-7890`` and ``1234567890`` both name customer ``1234567890``."""
    return str(value).strip().replace("-", "")


class GoogleCustomers(AccountDirectory):
    setting = "customer_ids"

    def __init__(self, client: GoogleAdsTransport, configured: list[str] | None, login: str | None) -> None:
        self._client = client
        self._login = customer_id(login) if login else None
        self._logins: dict[str, str | None] = {}
        self.hierarchy: dict[str, list[dict[str, Any]]] = {}
        """customer_client rows per manager read during discovery (the manager hierarchy)."""
        super().__init__(configured)

    def bare_id(self, value: str) -> str:
        return customer_id(value)

    def login_of(self, customer: str) -> str | None:
        """The login-customer-id a customer is read with: the manager that reaches it, else the
        configured ``login_customer_id``."""
        return self._logins.get(customer, self._login)

    def managers(self) -> list[str]:
        """The managers whose hierarchy the run reads: the configured login, or the accessible ones."""
        if self._login:
            return [self._login]
        return self._client.accessible_customers()

    def clients_of(self, manager: str) -> list[dict[str, Any]]:
        if manager not in self.hierarchy:
            fields = list(CUSTOMER_CLIENTS.fields)
            rows = self._client.search(
                manager, fields, CUSTOMER_CLIENTS.resource, login=manager, stream=CUSTOMER_CLIENTS.name
            )
            self.hierarchy[manager] = rows
        return self.hierarchy[manager]

    def discover(self) -> list[str]:
        found = []
        for manager in self.managers():
            for row in self.clients_of(manager):
                if row["customer_client_manager"] or row["customer_client_status"] != "ENABLED":
                    continue
                client = str(row["customer_client_id"])
                self._logins.setdefault(client, manager)
                found.append(client)
        return found

    def read(self, account_id: str) -> dict[str, Any]:
        rows = self._client.search(
            account_id,
            list(CUSTOMER_FIELDS),
            "customer",
            login=self.login_of(account_id),
            stream="google_ads_customers",
        )
        if not rows:
            raise ValueError(f"customer {account_id}: Google returned no customer row")
        node = rows[0]
        missing = [f for f in ("customer_currency_code", "customer_time_zone") if not node.get(f)]
        if missing:
            raise ValueError(f"customer {account_id}: Google returned no {', '.join(missing)}")
        return node

    def to_info(self, account_id: str, node: dict[str, Any]) -> AccountInfo:
        return AccountInfo(
            account_id=account_id,
            account_name=node.get("customer_descriptive_name"),
            currency=node["customer_currency_code"],
            timezone=node["customer_time_zone"],
            status_raw=node.get("customer_status"),
        )
