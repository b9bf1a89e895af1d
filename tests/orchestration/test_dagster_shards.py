"""Four Meta shards through Dagster against the sandbox, as `docs/scale-out.md` runs them.

`dagster job execute -m ads_orchestration -j meta_shards` runs four `meltano run tap-meta-ads
target-postgres` at once under the multiprocess executor: Meltano state in PostgreSQL (a system
database of the test's own), the rate limiter in Redis (ADS_REDIS_URL), rows loaded into a schema of
the test's own. One shard is killed (SIGKILL) while it waits on the sandbox in the middle of its
second account; Dagster runs only that shard again, from its own state. The loaded rows must then
equal the world: every account, campaign and day once, nothing lost, nothing duplicated. Then that
shard alone is run again by hand (`only: [3]`): the rows still equal the world, and no other
shard's state is touched.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import yaml
from dagster import DagsterInstance
from e2e.meltano_project import campaign_truth
from quota_keys import forget_app

from ads_kit.resilience import RateLimiter
from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.process import running_sandbox
from ads_kit.sharding import shard_of

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DAGSTER = Path(sys.executable).with_name("dagster")
POSTGRES = "host=127.0.0.1 port=5432 user=postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"
SHARDS = 4
KILLED = 3
DAYS = 3
# Seed 7 with six Meta accounts puts 2, 1, 2 and 1 accounts in shards 1 to 4 of 4.
WORLD = {"seed": 7, "accounts_per_platform": 6, "ads_per_account": 2, "history_days": 30}
FAST = {"meta_job_seconds": 0.05, "limits": {"meta": {"app": ["10000/second"], "account": ["10000/second"]}}}
# What PostgreSQL says to the loser of two `create ... if not exists` of one schema or table.
CREATION_RACES = ("pg_namespace_nspname_index", "pg_type_typname_nsp_index", "already exists")
STREAMS = ["unified_campaign_performance.*", "unified_accounts.*"]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxClient]:
    with running_sandbox(now="2026-11-25T15:30:00+00:00", settings=FAST, **WORLD) as client:
        # The sandbox's app is the same on every run: start without an earlier run's limiter keys.
        forget_app(REDIS_URL, "meta", client.platform("meta")["client_id"])
        yield client
        forget_app(REDIS_URL, "meta", client.platform("meta")["client_id"])


@pytest.fixture(scope="module")
def databases() -> Iterator[tuple[str, str]]:
    """A Meltano system database and a target schema of this test's own, dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    system_db, schema = f"meltano_shards_{suffix}", f"shards_{suffix}"
    with psycopg.connect(f"{POSTGRES} dbname=test", autocommit=True) as con:
        con.execute(f"create database {system_db}")
    try:
        yield system_db, schema
    finally:
        with psycopg.connect(f"{POSTGRES} dbname=test", autocommit=True) as con:
            con.execute(f"drop schema if exists {schema} cascade")
            con.execute(f"drop database if exists {system_db} with (force)")


def environment(sandbox: SandboxClient, system_db: str, schema: str, home: Path) -> dict[str, str]:
    return {
        **os.environ,
        **sandbox.tap_environment(),
        "DAGSTER_HOME": str(home),
        "MELTANO_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:5432/{system_db}",
        "ADS_REDIS_URL": REDIS_URL,
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MELTANO_HUB_URL": "http://127.0.0.1:9",
        "UV_COMPILE_BYTECODE": "1",
        "TAP_META_ADS__SELECT": json.dumps(STREAMS),
        "TAP_META_ADS_DATE_RANGE": json.dumps({"type": "last_n_days", "days": DAYS}),
        "TARGET_POSTGRES_DATABASE": "test",
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
    }


def tap_processes(shard: str) -> list[int]:
    """The tap-meta-ads processes of one shard (Meltano hands the setting down in the environment)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if any(part.endswith(b"tap-meta-ads") for part in command[:2]) and (
            f"TAP_META_ADS_ACCOUNT_SHARD={shard}".encode() in environ
        ):
            found.append(int(entry.name))
    return found


def kill_when_hung(sandbox: SandboxClient, shard: str, killed: list[int], stop: threading.Event) -> None:
    """SIGKILL the shard's tap once the sandbox holds its request (the latency fault has fired)."""
    while not stop.is_set():
        if sandbox.stats()["faults_applied"]:
            for pid in tap_processes(shard):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            if killed:
                return
        time.sleep(0.2)


@pytest.fixture(scope="module")
def sharded_run(sandbox, databases, tmp_path_factory) -> dict[str, Any]:
    system_db, schema = databases
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    accounts = sorted(account.id for account in sandbox.world().accounts("meta"))
    held = [a for a in accounts if shard_of(a, SHARDS) == KILLED]
    assert len(held) == 2, "the world no longer puts two accounts in the killed shard"
    # The killed shard's second account: its first request is held long enough to kill the tap.
    sandbox.add_fault(platform="meta", kind="latency", seconds=60, account=held[1], calls=[1])
    env = environment(sandbox, system_db, schema, home)
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=kill_when_hung, args=(sandbox, f"{KILLED}/{SHARDS}", killed, stop))
    killer.start()
    try:
        steps = execute(home, env, shards=SHARDS)
    finally:
        stop.set()
        killer.join()
    first = {"steps": steps, "killed": killed, **loaded(schema), "states": states(system_db)}
    # Then one shard alone, by hand, as after a shard that failed for good.
    again = execute(home, env, shards=SHARDS, only=[KILLED])
    return {"first": first, "again": {"steps": again, **loaded(schema), "states": states(system_db)}}


def execute(home: Path, env: dict[str, str], **plan: Any) -> Outcome:
    """The documented command, with the plan's config in a run-config file; what its sync steps did."""
    config = {"ops": {"meta_plan": {"config": {**plan, "environment": "sandbox", "project_root": str(ROOT)}}}}
    (home / "run.yaml").write_text(yaml.safe_dump(config))
    command = ["job", "execute", "-m", "ads_orchestration", "-j", "meta_shards", "-c", str(home / "run.yaml")]
    done = subprocess.run(
        [str(DAGSTER), *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    with (home / "dagster.log").open("a") as log:  # for a look after a failure
        log.write(done.stdout + done.stderr)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return outcome(home)


@dataclass
class Outcome:
    """The newest run's shard steps, from Dagster's own event storage (not its interleaved output)."""

    succeeded: set[int] = field(default_factory=set)
    failed: dict[int, str] = field(default_factory=dict)
    """Each shard's last failed attempt: its one line (`Extractor failed`, `Loader failed: ...`)."""
    launched_together: set[int] = field(default_factory=set)
    """Shards whose worker process the executor launched before any shard's attempt ended."""


def outcome(home: Path) -> Outcome:
    found = Outcome()
    with DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs(limit=1)
        events = [entry.dagster_event for entry in instance.all_logs(run.run_id) if entry.dagster_event]
    for event in events:
        step = event.step_key or ""
        if not step.startswith("meta_sync_shard[shard_"):
            continue
        shard = int(step.removeprefix("meta_sync_shard[shard_").split("_")[0])
        ended = found.succeeded or found.failed
        if event.event_type_value == "STEP_WORKER_STARTING" and not ended:
            found.launched_together.add(shard)
        elif event.event_type_value == "STEP_SUCCESS":
            found.succeeded.add(shard)
        elif event.event_type_value in ("STEP_UP_FOR_RETRY", "STEP_FAILURE"):
            error = event.event_specific_data.error  # type: ignore[union-attr]
            cause = error.cause or error  # a retry wraps the op's Failure
            found.failed[shard] = cause.message.strip().split(": exited 1: ", 1)[-1]
    return found


def loaded(schema: str) -> dict[str, Any]:
    with psycopg.connect(f"{POSTGRES} dbname=test") as con:
        rows = con.execute(
            "select account_id, campaign_id, date_day, impressions, clicks, spend, conversions "
            f"from {schema}.unified_campaign_performance"
        ).fetchall()
        accounts = [a for (a,) in con.execute(f"select account_id from {schema}.unified_accounts")]
    return {"rows": rows, "accounts": accounts}


def states(system_db: str) -> dict[str, tuple[Any, dict[str, Any]]]:
    """Meltano's state ids in its system database: (updated_at, completed state)."""
    with psycopg.connect(f"{POSTGRES} dbname={system_db}") as con:
        found = con.execute("select state_id, updated_at, completed_state from state").fetchall()
    return {i: (at, json.loads(c) if isinstance(c, str) else c) for i, at, c in found}


def state_id(k: int) -> str:
    return f"sandbox:tap-meta-ads-to-target-postgres:shard-{k}-of-{SHARDS}"


def test_the_job_succeeds_after_one_shard_was_killed_and_retried(sharded_run) -> None:
    first = sharded_run["first"]
    assert first["killed"], "the killed shard's tap was never seen hanging"
    assert first["steps"].succeeded == set(range(1, SHARDS + 1))
    assert first["steps"].launched_together == set(range(1, SHARDS + 1)), "the shards did not run at once"
    failed = dict(first["steps"].failed)
    assert failed.pop(KILLED) == "Extractor failed", "the kill was not what failed the shard"
    # Loading into a new schema, the targets create the same schema and tables at once and
    # PostgreSQL refuses all but one: those shards are retried too, once they exist (docs/scale-out.md).
    for reason in failed.values():
        assert reason.startswith("Loader failed") and any(race in reason for race in CREATION_RACES), reason


@pytest.mark.parametrize("run", ["first", "again"])
def test_the_loaded_rows_equal_the_world(sharded_run, sandbox, run: str) -> None:
    world, rows = sandbox.world(), sharded_run[run]["rows"]
    keys = [(a, c, d) for a, c, d, *_ in rows]
    assert len(keys) == len(set(keys)), "duplicated campaign-day rows"
    truth = campaign_truth(world, DAYS)
    loaded = {(a, c, d): (i, k, s, v) for a, c, d, i, k, s, v in rows}
    assert set(loaded) == set(truth), (
        sorted(set(truth) - set(loaded))[:3],
        sorted(set(loaded) - set(truth))[:3],
    )
    assert loaded == truth
    assert sorted(sharded_run[run]["accounts"]) == sorted(a.id for a in world.accounts("meta"))


def test_each_shard_keeps_the_state_of_its_own_accounts(sharded_run, sandbox) -> None:
    accounts = {a.id for a in sandbox.world().accounts("meta")}
    by_shard = {}
    for k in range(1, SHARDS + 1):
        _, state = sharded_run["first"]["states"][state_id(k)]
        bookmark = state["singer_state"]["bookmarks"]["unified_campaign_performance"]
        by_shard[k] = {p["context"]["account_id"] for p in bookmark["partitions"]}
    assert sorted(a for held in by_shard.values() for a in held) == sorted(accounts)
    assert by_shard == {k: {a for a in accounts if shard_of(a, SHARDS) == k} for k in by_shard}


def test_one_shard_reruns_alone_and_touches_no_other_shards_state(sharded_run) -> None:
    again = sharded_run["again"]
    assert again["steps"].succeeded == {KILLED}
    assert again["steps"].failed == {}
    before, after = sharded_run["first"]["states"], again["states"]
    assert set(after) == set(before) == {state_id(k) for k in range(1, SHARDS + 1)}
    changed = {i for i in after if after[i][0] != before[i][0]}
    assert changed == {state_id(KILLED)}


def test_the_shards_shared_the_rate_limiter_in_redis(sharded_run, sandbox) -> None:
    app = RateLimiter.from_config("meta", sandbox.platform("meta")["client_id"], {}).app_key
    assert redis.Redis.from_url(REDIS_URL).keys(f"*meta_ads*{app}*")
