"""The Dagster jobs' shape and what each shard's `meltano run` is given, without running Meltano."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import build_op_context

import ads_orchestration.jobs as jobs
from ads_kit.sharding import Shard
from ads_orchestration import defs
from ads_orchestration.jobs import RETRY_POLICY, ShardPlan
from ads_orchestration.meltano import ShardRunError, ShardTask

SECOND_OF_FOUR = Shard(2, 4)
POSTGRES_URI = {"MELTANO_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:5432/meltano"}


def task(tmp_path: Path, shard: Shard = SECOND_OF_FOUR) -> ShardTask:
    return ShardTask("tap-tiktok-ads", "target-postgres", shard, str(tmp_path), "prod", 60.0)


def test_each_platform_has_a_job_run_by_the_multiprocess_executor_with_retried_shards() -> None:
    names = {job.name: job for job in defs.resolve_all_job_defs()}
    assert set(names) == {"meta_shards", "google_ads_shards", "tiktok_shards"}
    for name, job in names.items():
        platform = name.removesuffix("_shards")
        assert job.executor_def.name == "multiprocess"
        assert job.graph.node_named(f"{platform}_sync_shard").definition.retry_policy == RETRY_POLICY


def test_a_shard_runs_meltano_with_its_setting_state_id_and_postgres_state(tmp_path: Path) -> None:
    shard = task(tmp_path)
    assert shard.command()[1:] == [
        "--environment=prod", "run", "--state-id-suffix", "shard-2-of-4", "tap-tiktok-ads", "target-postgres"
    ]  # fmt: skip
    assert shard.state_id == "prod:tap-tiktok-ads-to-target-postgres:shard-2-of-4"
    env = shard.environment_variables(POSTGRES_URI)
    assert env["TAP_TIKTOK_ADS_ACCOUNT_SHARD"] == "2/4"
    assert env["MELTANO_STATE_BACKEND_URI"] == "systemdb"
    assert env["MELTANO_DATABASE_URI"] == POSTGRES_URI["MELTANO_DATABASE_URI"]


def test_each_shard_has_a_meltano_dir_of_its_own_sharing_the_installed_plugins(tmp_path: Path) -> None:
    (tmp_path / ".meltano" / "extractors" / "tap-tiktok-ads").mkdir(parents=True)
    dirs = {
        Path(task(tmp_path, Shard(k, 2)).environment_variables(POSTGRES_URI)["MELTANO_SYS_DIR_ROOT"])
        for k in (1, 2)
    }
    assert len(dirs) == 2
    for own in dirs:
        assert (own / "extractors" / "tap-tiktok-ads").is_dir()
        assert (own / "extractors").resolve() == (tmp_path / ".meltano" / "extractors").resolve()


@pytest.mark.parametrize("uri", [None, "sqlite:///.meltano/meltano.db"])
def test_shards_refuse_state_outside_postgres_in_one_line(tmp_path: Path, uri: str | None) -> None:
    env = {} if uri is None else {"MELTANO_DATABASE_URI": uri}
    with pytest.raises(ShardRunError, match=r"^MELTANO_DATABASE_URI: .*PostgreSQL") as error:
        task(tmp_path).environment_variables(env)
    assert "\n" not in str(error.value)


def test_only_the_chosen_shards_are_planned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    prepared = []
    monkeypatch.setattr(jobs, "prepare", lambda *args: prepared.append(args[:3]))
    plan = next(op for op in defs.resolve_job_def("meta_shards").graph.node_defs if op.name == "meta_plan")
    config = ShardPlan(shards=4, only=[3], environment="prod", project_root=str(tmp_path))
    outputs = list(plan(build_op_context(), config))
    assert [output.value.shard for output in outputs] == [Shard(3, 4)]
    assert prepared == [(str(tmp_path), "prod", ["tap-meta-ads", "target-postgres"])]
