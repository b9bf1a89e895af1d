"""Several tap processes against one sandbox, one account shard each, sharing one Redis quota.

What the scale test and the scale benchmark run: ``N`` workers, worker ``K`` with
``account_shard: "K/N"``, every one with the same ``rate_limiting`` (so the same Redis buckets).
With a ``gate`` (a limiter on the same buckets), the workers are held at their first request until
all of them wait in the shared queue, then let go together: the run then measures the quota, not
how long each process took to start, and no worker gets a head start.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ads_kit.resilience.ratelimit import RateLimiter


@dataclass
class WorkerRun:
    shard: str
    returncode: int
    records: int
    accounts: set[str]  # the account ids its records name
    stderr_tail: str


@dataclass
class FleetRun:
    workers: list[WorkerRun]
    seconds: float  # from the first launch (or the gate's release) to the last exit
    launch_seconds: float  # from the first launch to the gate's release (0 without a gate)
    records: int = field(init=False)

    def __post_init__(self) -> None:
        self.records = sum(worker.records for worker in self.workers)

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def run_fleet(
    module: str,
    config: Mapping[str, Any],
    catalog: Mapping[str, Any],
    workers: int,
    *,
    account_field: str,
    env: Mapping[str, str],
    gate: RateLimiter | None = None,
    timeout_s: float = 900.0,
) -> FleetRun:
    """Run ``python -m module`` ``workers`` times, shard K of ``workers`` each, and wait for all.

    ``account_field``: the record field naming the account (for `WorkerRun.accounts`)."""
    with tempfile.TemporaryDirectory(prefix="ads-fleet-") as workdir:
        folder = Path(workdir)
        catalog_path = folder / "catalog.json"
        catalog_path.write_text(json.dumps(catalog))
        processes: list[tuple[str, subprocess.Popen[bytes], Path, Path]] = []
        with _held(gate) as release, ExitStack() as files:
            started = time.monotonic()
            for k in range(1, workers + 1):
                shard = f"{k}/{workers}"
                config_path = folder / f"config-{k}.json"
                config_path.write_text(json.dumps({**config, "account_shard": shard}))
                out, err = folder / f"out-{k}.jsonl", folder / f"err-{k}.log"
                command = [sys.executable, "-m", module, "--config", str(config_path)]
                command += ["--catalog", str(catalog_path)]
                process = subprocess.Popen(
                    command,
                    stdout=files.enter_context(out.open("wb")),
                    stderr=files.enter_context(err.open("wb")),
                    env=dict(env),
                    cwd=workdir,
                )
                processes.append((shard, process, out, err))
            launch_seconds = release([p for _, p, _, _ in processes], timeout_s) if gate is not None else 0.0
            deadline = started + timeout_s
            for _, process, _, _ in processes:
                try:
                    process.wait(timeout=max(1.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    for _, other, _, _ in processes:
                        other.kill()
                    raise
            seconds = time.monotonic() - started - launch_seconds
        return FleetRun(
            [_worker_run(shard, p.returncode, out, err, account_field) for shard, p, out, err in processes],
            seconds,
            launch_seconds,
        )


@contextmanager
def _held(gate: RateLimiter | None) -> Iterator[Any]:
    """Hold every in-flight slot of the gate's quota; yields ``release(processes, timeout)``, which
    waits until every running process has a request queued for the quota, lets them go, and returns
    how long that took."""
    if gate is None:
        yield None
        return
    go = threading.Event()

    def hold(taken: threading.Event) -> None:
        with gate.acquire("fleet-gate"):
            taken.set()
            go.wait()

    threads = []
    for _ in range(gate.settings.concurrent_requests):
        taken = threading.Event()
        thread = threading.Thread(target=hold, args=(taken,), daemon=True)
        thread.start()
        taken.wait(30)
        threads.append(thread)
    started = time.monotonic()

    def release(processes: list[subprocess.Popen[bytes]], timeout_s: float) -> float:
        # A worker that exits first (a shard without accounts, a bad setting) never queues: wait
        # for the ones still running.
        deadline = started + timeout_s
        while gate.waiting() < sum(1 for process in processes if process.poll() is None):
            if time.monotonic() > deadline:
                break  # the workers' own errors tell why; their exit codes are checked
            time.sleep(0.05)
        go.set()
        return time.monotonic() - started

    try:
        yield release
    finally:
        go.set()
        for thread in threads:
            thread.join(10)


def _worker_run(shard: str, returncode: int, out: Path, err: Path, account_field: str) -> WorkerRun:
    records, accounts = 0, set()
    with out.open("rb") as lines:
        for line in lines:
            if line.startswith(b'{"type":"RECORD"') or line.startswith(b'{"type": "RECORD"'):
                records += 1
                value = json.loads(line)["record"].get(account_field)
                if value is not None:
                    accounts.add(str(value))
    tail = err.read_text(errors="replace").strip().splitlines()[-5:]
    return WorkerRun(shard, returncode, records, accounts, "\n".join(tail))
