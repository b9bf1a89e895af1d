"""A tap installed from its own folder gets the ads-kit core only: no sandbox, no report.

`pip install ./shared ./tap-meta-ads` into an empty venv (with the .venv's uv, from copies of the two
folders so the build leaves nothing in the checkout, at the .venv's versions so the uv cache serves
them) must not bring duckdb, psycopg, plotly or grpcio. aiohttp does arrive, through facebook-business
26 alone (it declares aiohttp for its Conversions API helpers, which the tap never imports): the test
pins that down, then uninstalls aiohttp to check that the tap runs without it and that the commands and
the pytest plug-in of the missing extras fail with one line naming the extra.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from uv import find_uv_bin

ROOT = Path(__file__).resolve().parents[1]
UV = find_uv_bin()

# What a tap's own install must not bring: the extras' packages (report: duckdb, psycopg, plotly;
# sandbox: grpcio, google-ads should its message classes join it) and pendulum, which nothing imports.
NOT_FOR_A_TAP = {"duckdb", "psycopg", "psycopg-binary", "plotly", "grpcio", "google-ads", "pendulum"}

# Run inside the new venv: every distribution with its unconditional requirements, and the extras of ads-kit.
INSPECT = """
import importlib.metadata as md, json
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
requires, extras = {}, []
for dist in md.distributions():
    name = canonicalize_name(dist.metadata["Name"])
    requires[name] = sorted(
        canonicalize_name(req.name)
        for req in map(Requirement, dist.requires or [])
        if req.marker is None or req.marker.evaluate({"extra": ""})
    )
    if name == "ads-kit":
        extras = dist.metadata.get_all("Provides-Extra") or []
print(json.dumps({"requires": requires, "extras": extras}))
"""

# A test suite of someone else's, run by pytest in the new venv: the ads_sandbox plug-in loads anyway.
FOREIGN_SUITE = """
import pytest
from ads_kit.sandbox.pytest_plugin import SandboxStartError, running_sandbox

def test_the_plugin_is_loaded(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("ads_sandbox")

def test_a_sandbox_without_the_extra_says_which_extra():
    with pytest.raises(SandboxStartError) as error, running_sandbox(7, startup_timeout_s=60):
        pass
    assert "pip install 'ads-kit[sandbox]'" in str(error.value)
"""


def _environment() -> dict[str, str]:
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "UV_COMPILE_BYTECODE"}  # pyc not worth compiling for a few runs
    return {**{k: v for k, v in os.environ.items() if k not in drop}, "UV_NO_PROGRESS": "1"}


def _run(command: list[str | Path], cwd: Path, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _one_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, (result.returncode, result.stderr[-3000:])
    return lines[0]


@pytest.fixture(scope="module")
def tap_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty venv with `./shared ./tap-meta-ads` installed (not editable); returns its bin folder."""
    work = tmp_path_factory.mktemp("footprint")
    ignore = shutil.ignore_patterns("*.egg-info", "__pycache__", "build", "dist")
    for folder in ("shared", "tap-meta-ads"):
        shutil.copytree(ROOT / folder, work / folder, ignore=ignore)
    frozen = _ok(_run([UV, "pip", "freeze", "--exclude-editable", "--python", sys.executable], work))
    (work / "constraints.txt").write_text(frozen)
    _ok(_run([UV, "venv", "--quiet", "--python", sys.executable, work / "venv"], work))
    python = work / "venv" / "bin" / "python"
    install = [UV, "pip", "install", "--quiet", "--python", python, "-c", "constraints.txt"]
    _ok(_run([*install, "./shared", "./tap-meta-ads"], work, timeout=300))
    return python.parent


def test_a_tap_installed_on_its_own_gets_the_ads_kit_core_only(tap_venv: Path) -> None:
    inspected = json.loads(_ok(_run([tap_venv / "python", "-c", INSPECT], tap_venv)))
    requires: dict[str, list[str]] = inspected["requires"]
    assert {"ads-kit", "tap-meta-ads", "singer-sdk", "facebook-business"} <= set(requires)
    assert NOT_FOR_A_TAP & set(requires) == set(), "an ads-kit extra leaked into the core or the tap"
    assert {"sandbox", "report", "all"} <= set(inspected["extras"])
    # aiohttp: facebook-business 26 requires it unconditionally; ads-kit and the tap must not.
    assert {name for name, needs in requires.items() if "aiohttp" in needs} == {"facebook-business"}


def test_the_tap_runs_without_aiohttp_and_the_extras_say_what_to_install(tap_venv: Path) -> None:
    work = tap_venv.parent.parent
    _ok(_run([UV, "pip", "uninstall", "--quiet", "--python", tap_venv / "python", "aiohttp"], work))

    # The console script, with -X importtime listing every module it loads (one cold start, not two).
    tap = [tap_venv / "python", "-X", "importtime", tap_venv / "tap-meta-ads"]
    result = _run([*tap, "--about", "--format", "json"], work)
    assert json.loads(_ok(result))["name"] == "tap-meta-ads"
    loaded = {
        line.rpartition("|")[2].strip().partition(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert {"ads_kit", "tap_meta_ads", "facebook_business", "singer_sdk"} <= loaded
    assert not loaded & {"aiohttp", "duckdb", "psycopg", "plotly", "grpc"}

    serve = [tap_venv / "ads-sandbox", "serve", "--seed", "7", "--connection-file", work / "sandbox.json"]
    line = _one_line(_run(serve, work, timeout=60))
    assert line.startswith("ads-sandbox: error:") and "pip install 'ads-kit[sandbox]'" in line, line
    line = _one_line(_run([tap_venv / "ads-report", "--singer", "-"], work, input=""))
    assert line.startswith("ads-report: error:") and "pip install 'ads-kit[report]'" in line, line
    line = _one_line(_run([tap_venv / "ads-warehouse", "views", "--duckdb", "warehouse.duckdb"], work))
    assert line.startswith("ads-warehouse: error:") and "pip install 'ads-kit[report]'" in line, line

    suite = work / "foreign_suite"
    suite.mkdir()
    (suite / "test_foreign.py").write_text(FOREIGN_SUITE)
    install = [UV, "pip", "install", "--quiet", "--python", tap_venv / "python", "-c", "constraints.txt"]
    _ok(_run([*install, "pytest"], work))
    result = _run([tap_venv / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], suite)
    assert "2 passed" in _ok(result), result.stdout
