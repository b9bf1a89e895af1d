"""singer-sdk's private API is touched in one module, ``ads_kit.tap.sdk_bridge``, and nowhere else."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import singer_sdk

from ads_kit.tap import sdk_bridge

REPO = Path(__file__).resolve().parents[2]
BRIDGE = Path(sdk_bridge.__file__).resolve()
PRIVATE = re.compile(r"^_[a-z]\w*$")


def sdk_private_names() -> set[str]:
    """Every private method and ``self._x`` attribute of singer-sdk's plugin and stream classes, plus
    the bridge's list."""
    names = set(sdk_bridge.PRIVATE_NAMES)
    sdk = Path(singer_sdk.__file__).parent
    for path in [*sdk.glob("*_base.py"), *(sdk / "streams").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and PRIVATE.match(node.name):
                names.add(node.name)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
                and PRIVATE.match(node.attr)
            ):
                names.add(node.attr)
    return names


def our_modules() -> list[Path]:
    taps = [path for folder in REPO.glob("tap-*/tap_*") for path in folder.rglob("*.py")]
    return [*(REPO / "shared" / "ads_kit").rglob("*.py"), *taps]


def sdk_names_used(path: Path, private: set[str]) -> set[str]:
    """The SDK's private names ``path`` reads, leaving out names the module defines for itself
    (its own ``self._client`` is not the SDK's)."""
    tree = ast.parse(path.read_text())
    own = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)}
    own |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    own -= set(sdk_bridge.PRIVATE_NAMES)
    return {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr in private - own}


def test_only_the_bridge_uses_singer_sdk_private_names():
    private = sdk_private_names()
    assert {"_tap", "_write_state_message", "_schema", "_write_record_message"} <= private
    used = {str(path.relative_to(REPO)): sdk_names_used(path, private) for path in our_modules()}
    offenders = {path: sorted(names) for path, names in used.items() if names and Path(REPO / path) != BRIDGE}
    assert offenders == {}, f"singer-sdk private API outside {BRIDGE.name}: {offenders}"
    assert used[str(BRIDGE.relative_to(REPO))] == set(sdk_bridge.PRIVATE_NAMES)


def test_the_bridge_states_the_sdk_version_it_was_written_for():
    assert sdk_bridge.SDK_VERSION == "0.54"
    assert f"singer-sdk {sdk_bridge.SDK_VERSION}" in (sdk_bridge.__doc__ or "")
