"""A Dagster job per platform: install once, then one op per account shard, each a ``meltano run``
with its own state id, run in parallel by the multiprocess executor and retried on its own.

    plan ──► sync shard 1/N ─┐
         ├─► sync shard 2/N ─┼─► done
         └─► ...            ─┘

A failed shard is retried by Dagster (``RETRY_POLICY``) and never touches another shard's state:
each resumes from its own state id. ``only`` re-runs chosen shards by hand.
"""

# No `from __future__ import annotations`: Dagster reads the ops' config and input annotations as
# classes when the job is defined.
import os
from collections.abc import Iterator

from dagster import (
    Backoff,
    Config,
    DynamicOut,
    DynamicOutput,
    Failure,
    JobDefinition,
    MetadataValue,
    OpExecutionContext,
    RetryPolicy,
    job,
    multiprocess_executor,
    op,
)
from pydantic import Field

from ads_kit.sharding import Shard
from ads_orchestration.meltano import ShardRunError, ShardTask, prepare, run_shard

PLATFORM_TAPS = {"meta": "tap-meta-ads", "google_ads": "tap-google-ads-unified", "tiktok": "tap-tiktok-ads"}

RETRY_POLICY = RetryPolicy(max_retries=3, delay=10, backoff=Backoff.EXPONENTIAL)
"""A shard that fails (a killed worker, a platform outage, a hang past ``timeout_minutes``) runs
again from its own state 10, 20 and 40 s later; the other shards go on meanwhile."""


class ShardPlan(Config):
    shards: int = Field(default=4, ge=1, description="N: how many shards the accounts are split into")
    only: list[int] = Field(
        default_factory=list, description="Run only these shards (K in 1..N), e.g. one that failed for good"
    )
    target: str = Field(default="target-postgres", description="The Meltano loader every shard loads into")
    environment: str = Field(
        default_factory=lambda: os.environ.get("MELTANO_ENVIRONMENT", "dev"),
        description="The Meltano environment (default $MELTANO_ENVIRONMENT, else dev)",
    )
    project_root: str = Field(
        default_factory=lambda: os.environ.get("MELTANO_PROJECT_ROOT", os.getcwd()),
        description="The Meltano project (default $MELTANO_PROJECT_ROOT, else the working directory)",
    )
    timeout_minutes: float = Field(
        default=360, gt=0, description="A shard running longer is stopped and retried"
    )


def shard_job(platform: str) -> JobDefinition:
    tap = PLATFORM_TAPS[platform]

    @op(name=f"{platform}_plan", out=DynamicOut(ShardTask))
    def plan(context: OpExecutionContext, config: ShardPlan) -> Iterator[DynamicOutput[ShardTask]]:
        """Install the tap and target and migrate Meltano's system database, then one output per shard."""
        wanted = config.only or list(range(1, config.shards + 1))
        try:
            shards = [Shard.parse(f"{k}/{config.shards}") for k in wanted]
            prepare(config.project_root, config.environment, [tap, config.target], os.environ)
        except (ShardRunError, ValueError) as exc:
            raise Failure(str(exc), allow_retries=False) from None
        for shard in shards:
            task = ShardTask(
                tap,
                config.target,
                shard,
                config.project_root,
                config.environment,
                config.timeout_minutes * 60,
            )
            context.log.info("%s: state id %s", task.name, task.state_id)
            yield DynamicOutput(task, mapping_key=shard.state_id_suffix.replace("-", "_"))

    @op(name=f"{platform}_sync_shard", retry_policy=RETRY_POLICY)
    def sync_shard(context: OpExecutionContext, task: ShardTask) -> str:
        """``meltano run`` of one shard, resuming from its own state id."""
        try:
            tail = run_shard(task, os.environ)
        except ShardRunError as exc:
            raise Failure(str(exc), metadata={"output": MetadataValue.text(exc.tail)}) from None
        context.log.info("%s: done\n%s", task.name, tail)
        return task.state_id

    @op(name=f"{platform}_done")
    def done(context: OpExecutionContext, state_ids: list[str]) -> list[str]:
        context.log.info("%d shards synced: %s", len(state_ids), ", ".join(sorted(state_ids)))
        return sorted(state_ids)

    @job(
        name=f"{platform}_shards",
        executor_def=multiprocess_executor,
        description=f"{tap} split into account shards, each a `meltano run` with its own state id",
    )
    def shards() -> None:
        done(plan().map(sync_shard).collect())

    return shards


JOBS = [shard_job(platform) for platform in PLATFORM_TAPS]
