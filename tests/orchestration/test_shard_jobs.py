"""The Dagster jobs' shape and what each shard's `meltano run` is given, without running Meltano."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import Failure, build_op_context

import ads_orchestration.jobs as jobs
from ads_kit.sharding import Shard
from ads_orchestration import defs
from ads_orchestration.jobs import RETRY_POLICY, ShardPlan
from ads_orchestration.meltano import ShardRunError, ShardTask, failure_reason

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
        # Dagster's own default is one process per core: two shards at a time on two cores.
        executor = job.executor_def.config_schema.resolve_config({"config": {"max_concurrent": 16}})
        assert executor.value["config"]["max_concurrent"] == 16
        assert (
            job.executor_def.config_schema.as_field().config_type.fields["max_concurrent"].default_value == 16
        )
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


# The end of `meltano run` output as Meltano 4.4.1 prints it (console format, cut).
UNIQUE_TYPE = 'duplicate key value violates unique constraint "pg_type_typname_nsp_index"'
LOADER_FAILED = (
    "[info     ] target-postgres sqlalchemy.exc.IntegrityError: (psycopg.errors.UniqueViolation) "
    f"{UNIQUE_TYPE}\n"
    "[info     ] target-postgres [SQL: CREATE TABLE shards.unified_accounts (\n"
    "[info     ] target-postgres (Background on this error at: https://sqlalche.me/e/21/gkpj)\n"
    "[error    ] meltano      Loader failed\n"
    "[error    ] meltano      Block run completed\n"
    "[info     ] meltano      Run completed\n"
)
TAP_REFUSED = (
    "[info     ] tap-meta-ads 2026-11-25 15:30:00,000 | ERROR    | tap-meta-ads         | "
    "ad_accounts[0]: 'x1' is not an account id\n"
    "[error    ] meltano      Extractor failed\n"
    "[error    ] meltano      Block run completed\n"
)


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        (
            LOADER_FAILED,
            f"Loader failed: sqlalchemy.exc.IntegrityError: (psycopg.errors.UniqueViolation) {UNIQUE_TYPE}",
        ),
        (TAP_REFUSED, "Extractor failed: ad_accounts[0]: 'x1' is not an account id"),
        ("[error    ] meltano      Extractor failed\n", "Extractor failed"),
        ("", "no output"),
    ],
)
def test_a_failed_shard_says_which_plugin_failed_and_why_in_one_line(output: str, reason: str) -> None:
    assert failure_reason(output) == reason


def test_a_shard_outside_the_count_is_refused_in_one_line(tmp_path: Path) -> None:
    plan = next(
        op for op in defs.resolve_job_def("tiktok_shards").graph.node_defs if op.name == "tiktok_plan"
    )
    config = ShardPlan(shards=4, only=[2, 5], project_root=str(tmp_path))
    with pytest.raises(Failure, match=r"^only: 5 is not a shard of 4 \(1 to 4\)$"):
        list(plan(build_op_context(), config))
