"""Start and stop `ads-sandbox serve` as a subprocess: for the demo, tests and benchmarks."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ads_kit.sandbox.client import SandboxClient

DEFAULT_SEED = 7


class SandboxStartError(RuntimeError):
    pass


@contextlib.contextmanager
def running_sandbox(
    seed: int = DEFAULT_SEED,
    *,
    scale: float | None = None,
    now: datetime | str | None = None,
    history_days: int | None = None,
    ads_per_account: int | None = None,
    accounts_per_platform: int | None = None,
    account_ids: dict[str, list[str]] | None = None,
    settings: dict[str, Any] | None = None,
    startup_timeout_s: float = 30.0,
) -> Iterator[SandboxClient]:
    """Start `ads-sandbox serve` in a subprocess, yield its client, stop it on exit."""
    options = {
        "--scale": scale,
        "--now": now.isoformat() if isinstance(now, datetime) else now,
        "--history-days": history_days,
        "--ads-per-account": ads_per_account,
        "--accounts-per-platform": accounts_per_platform,
        "--account-ids": json.dumps(account_ids) if account_ids else None,
        "--settings": json.dumps(settings) if settings else None,
    }
    with tempfile.TemporaryDirectory(prefix="ads-sandbox-test-") as workdir:
        connection_file = Path(workdir) / "connection.json"
        command = [sys.executable, "-m", "ads_kit.sandbox.cli", "serve", "--seed", str(seed)]
        command += ["--connection-file", str(connection_file)]
        for flag, value in options.items():
            if value is not None:
                command += [flag, str(value)]
        with open(Path(workdir) / "sandbox.log", "w+") as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
            try:
                _wait_for(connection_file, process, output, startup_timeout_s)
                client = SandboxClient(connection_file)
                yield client
                client.close()
            finally:
                _stop(process)


def _wait_for(path: Path, process: subprocess.Popen, output: Any, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            output.seek(0)
            lines = output.read().strip().splitlines()
            reason = lines[-1] if lines else f"exit code {process.returncode}"
            raise SandboxStartError(f"ads-sandbox did not start: {reason}")
        time.sleep(0.02)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
