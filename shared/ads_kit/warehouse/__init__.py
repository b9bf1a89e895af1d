"""Views the project creates over what the taps load: one SQL source for DuckDB and PostgreSQL."""

from ads_kit.warehouse.views import VIEWS, WarehouseError, create_views

__all__ = ["VIEWS", "WarehouseError", "create_views"]
