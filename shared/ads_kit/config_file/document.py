"""Reading the file: YAML to a mapping, ``${VAR}`` references replaced from the environment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ads_kit.settings import setting_path

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SuiteConfigError(ValueError):
    """One line naming the file's key (``platforms.meta.ad_accounts[1]: ...``)."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"{key}: {message}")


def read_document(path: Path) -> dict[str, Any]:
    """The file's top-level mapping, references not yet expanded."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteConfigError(str(path), "does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteConfigError(
            str(path), f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
        ) from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise SuiteConfigError(str(path), f"is not valid YAML: {problem}{where}") from None
    if not isinstance(document, dict):
        raise SuiteConfigError(str(path), f"holds {type(document).__name__}, not a mapping of sections")
    return document


def expand(value: Any, environment: Mapping[str, str], path: tuple[str | int, ...] = ()) -> Any:
    """``value`` with every ``${VAR}`` in its strings replaced; an unset one names itself and the key."""
    if isinstance(value, dict):
        return {key: expand(item, environment, (*path, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [expand(item, environment, (*path, index)) for index, item in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environment:
            raise SuiteConfigError(setting_path(path), f"${{{name}}} is not set in the environment")
        return environment[name]

    return _REFERENCE.sub(substitute, value)
