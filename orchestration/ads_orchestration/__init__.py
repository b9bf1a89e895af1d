"""Dagster definitions of the connector suite's sharded syncs (docs/scale-out.md):

dagster job execute -m ads_orchestration -j meta_shards -c shards.yaml
dagster dev -m ads_orchestration
"""

from dagster import Definitions

from ads_orchestration.jobs import JOBS

defs = Definitions(jobs=JOBS)
