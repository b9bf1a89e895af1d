"""Runs JobRunner over three slices the way a tap would: state saved at every checkpoint, rows
appended to an output file as each slice is delivered. Used by test_jobs.py, which kills it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from fake_reports import FileReportJobs

from ads_kit.resilience import JobRunner, JobSettings

SLICES = [
    {"account": "act_1", "days": [1, 2]},
    {"account": "act_1", "days": [3, 4]},
    {"account": "act_2", "days": [5]},
]


def main(workdir: Path) -> None:
    state_path = workdir / "state.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {}

    def checkpoint() -> None:
        # Written atomically, as the Singer target would persist a STATE message.
        temporary = state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state))
        os.replace(temporary, state_path)

    runner = JobRunner(
        FileReportJobs(workdir / "platform"),
        state,
        what="fake stream",
        settings=JobSettings(max_in_flight=3, poll_initial_s=0.05, poll_max_s=0.2),
        on_checkpoint=checkpoint,
    )
    with (workdir / "rows.jsonl").open("a") as out:
        for _, rows in runner.run(SLICES):
            for row in rows:
                out.write(json.dumps(row) + "\n")
            out.flush()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
