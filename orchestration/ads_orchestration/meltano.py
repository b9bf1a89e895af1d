"""One shard as Meltano runs it: ``meltano run <tap> <target>`` with the shard's ``account_shard`` and
its own state id (``--state-id-suffix shard-K-of-N``), state kept in Meltano's system database on
PostgreSQL, which every worker of every machine shares (a ``file://`` backend would not be shared).

Shards of one tap that run on one machine each get a ``.meltano`` of their own (``shard_sys_dir``):
Meltano 4.4 writes a tap's catalog to one fixed file of the project (``.meltano/run/<tap>/
tap.properties.json``) on every run, so two runs of the same tap at once read each other's half-written
catalog ("Invalid catalog", meltano/meltano#8763). The installed plugins are shared through links.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ads_kit.sharding import SETTING, Shard

DATABASE_URI_ENV = "MELTANO_DATABASE_URI"
STATE_BACKEND_ENV = "MELTANO_STATE_BACKEND_URI"
SYS_DIR_ENV = "MELTANO_SYS_DIR_ROOT"
INSTALLED = ("extractors", "loaders", "mappers", "utilities")
"""What ``meltano install`` writes under ``.meltano``: shared by every shard's own ``.meltano``."""
TAIL_LINES = 40


class ShardRunError(RuntimeError):
    """A shard's Meltano command failed; the message is one line naming the tap and shard."""

    def __init__(self, message: str, tail: str = "") -> None:
        super().__init__(message)
        self.tail = tail


def setting_env(plugin: str, setting: str) -> str:
    """The variable Meltano reads a plugin setting from: ``TAP_META_ADS_ACCOUNT_SHARD``."""
    return re.sub(r"[^A-Za-z0-9]", "_", f"{plugin}_{setting}").upper()


def state_database_uri(env: Mapping[str, str]) -> str:
    """Meltano's system database, which holds the shards' state: PostgreSQL, so that every worker
    reads and writes the same state ids."""
    uri = env.get(DATABASE_URI_ENV, "")
    if not uri.startswith(("postgresql://", "postgresql+psycopg://")):
        raise ShardRunError(
            f"{DATABASE_URI_ENV}: sharded runs keep Meltano state in PostgreSQL; set it to "
            "postgresql+psycopg://user@host:5432/database"
        )
    return uri


def meltano_executable() -> str:
    """The meltano next to this interpreter (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("meltano")
    return str(beside) if beside.exists() else shutil.which("meltano") or "meltano"


@dataclass(frozen=True)
class ShardTask:
    """One shard of one tap, loaded into one target: what an op runs, pickled between processes."""

    tap: str
    target: str
    shard: Shard
    project_root: str
    environment: str
    timeout_s: float

    @property
    def name(self) -> str:
        return f"{self.tap} shard {self.shard}"

    @property
    def state_id(self) -> str:
        """The id Meltano keeps this shard's state under (``meltano state get``)."""
        return f"{self.environment}:{self.tap}-to-{self.target}:{self.shard.state_id_suffix}"

    def command(self) -> list[str]:
        return [
            meltano_executable(),
            f"--environment={self.environment}",
            "run",
            "--state-id-suffix",
            self.shard.state_id_suffix,
            self.tap,
            self.target,
        ]

    def environment_variables(self, base: Mapping[str, str]) -> dict[str, str]:
        state_database_uri(base)
        return {
            **base,
            STATE_BACKEND_ENV: "systemdb",
            SYS_DIR_ENV: str(shard_sys_dir(sys_dir(self.project_root, base), self.tap, self.shard)),
            setting_env(self.tap, SETTING): str(self.shard),
        }


def sys_dir(project_root: str, env: Mapping[str, str]) -> Path:
    """The project's ``.meltano``, where ``meltano install`` puts the plugins."""
    return Path(env.get(SYS_DIR_ENV) or Path(project_root) / ".meltano")


def shard_sys_dir(shared: Path, tap: str, shard: Shard) -> Path:
    """A ``.meltano`` of the shard's own (its run files, its catalog), linking the installed plugins."""
    own = shared / "shards" / tap / shard.state_id_suffix
    own.mkdir(parents=True, exist_ok=True)
    for kind in INSTALLED:
        link = own / kind
        if not link.is_symlink():
            (shared / kind).mkdir(exist_ok=True)
            link.symlink_to(shared / kind, target_is_directory=True)
    return own


def prepare(project_root: str, environment: str, plugins: list[str], env: Mapping[str, str]) -> None:
    """Install the plugins and migrate the system database once, before the shards start: N
    ``meltano run`` starting together would race to create the same venvs and tables."""
    state_database_uri(env)
    command = [meltano_executable(), f"--environment={environment}", "install", *plugins]
    _run(command, project_root, env, timeout_s=1800, what=f"meltano install {' '.join(plugins)}")


def run_shard(task: ShardTask, env: Mapping[str, str]) -> str:
    """``meltano run`` of one shard; its output's last lines. ShardRunError when it fails or
    outlives ``task.timeout_s`` (a hung shard is stopped, so Dagster can retry it)."""
    return _run(task.command(), task.project_root, task.environment_variables(env), task.timeout_s, task.name)


def _run(command: list[str], cwd: str, env: Mapping[str, str], timeout_s: float, what: str) -> str:
    # A session of its own: a timeout stops meltano and the tap and target it started.
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        raise ShardRunError(f"{what}: stopped after {timeout_s:g} s", _tail(output)) from None
    if process.returncode != 0:
        tail = _tail(output)
        raise ShardRunError(f"{what}: exited {process.returncode}: {_last_error(tail)}", tail)
    return _tail(output)


def _tail(output: str) -> str:
    return "\n".join(output.splitlines()[-TAIL_LINES:])


def _last_error(tail: str) -> str:
    """The line that says why: the last error line of the tap, target or Meltano."""
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["no output"])[-1][:500]
