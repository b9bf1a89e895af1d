"""The optional parts of ads-kit and the extras that install them.

The core (everything a tap imports at run time) needs no extra. Serving the sandbox needs
``ads-kit[sandbox]``, ``ads_kit.report`` needs ``ads-kit[report]``, ``make demo`` both (``ads-kit[all]``).
A console script run without its extra prints one line naming the extra instead of a traceback.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

# Top-level modules only an extra installs (jsonschema is not here: singer-sdk brings it to the core).
EXTRA_MODULES = {
    "sandbox": frozenset({"aiohttp", "grpc", "google"}),  # google: the google-ads message classes
    "report": frozenset({"duckdb", "psycopg", "plotly"}),
}

EXIT_MISSING_EXTRA = 2


def extra_for(error: ModuleNotFoundError) -> str | None:
    """The extra that installs the module `error` could not find, or None if no extra does."""
    top = (error.name or "").partition(".")[0]
    return next((extra for extra, modules in EXTRA_MODULES.items() if top in modules), None)


def missing_extra_line(prog: str, error: ModuleNotFoundError) -> str | None:
    """The one line for a module an extra installs, or None (then the error is a defect: re-raise it)."""
    extra = extra_for(error)
    if extra is None:
        return None
    return (
        f"{prog}: error: needs the {extra} extra (no module named {error.name!r}); "
        f"install it with: pip install 'ads-kit[{extra}]'"
    )


def report_main() -> int:
    """The `ads-report` console script: `ads_kit.report` imports plotly as it loads, so guard the import."""
    return _guarded_main("ads-report", "ads_kit.report.cli")


def warehouse_main() -> int:
    """The `ads-warehouse` console script: its views need DuckDB or psycopg, both in the report extra."""
    return _guarded_main("ads-warehouse", "ads_kit.warehouse.cli")


def _guarded_main(prog: str, module: str) -> int:
    """Run `module.main()`; a module only an extra installs, missing, is one line naming the extra."""
    try:
        main: Callable[[], int] = importlib.import_module(module).main
        return main()
    except ModuleNotFoundError as error:
        line = missing_extra_line(prog, error)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return EXIT_MISSING_EXTRA
