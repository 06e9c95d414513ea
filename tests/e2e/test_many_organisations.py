"""A shared service runs many bodies in one job: each published on its own; one failure stops none."""

from __future__ import annotations

from contract_fixtures import valid_tables, write_inputs
from pipeline.cli import main
from pipeline.errors import ExitCode


def test_one_failing_organisation_does_not_stop_the_others(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    write_inputs(inputs / "heddlu-a")
    broken = valid_tables()
    broken["employees"][0]["sex"] = "unknown"
    write_inputs(inputs / "heddlu-b", broken)
    write_inputs(inputs / "heddlu-c")
    outputs = tmp_path / "outputs"
    code = main(["figures", "--year", "2024", "--inputs", str(inputs), "--outputs", str(outputs)])
    err = capsys.readouterr().err
    assert code == ExitCode.PARTIAL == 8
    assert (outputs / "heddlu-a" / "2024-figures" / "data" / "figures.json").exists()
    assert (outputs / "heddlu-c" / "2024-figures" / "data" / "figures.json").exists()
    assert not (outputs / "heddlu-b" / "2024-figures").exists()
    assert "heddlu-b: FAILED (exit 3)" in err
    assert err.strip().splitlines()[-1] == "cydradd: FAILED (exit 8): 1 of 3 organisation(s) failed: heddlu-b"


def test_every_problem_and_warning_of_each_organisation_is_listed_under_its_name(tmp_path, capsys):
    # a failing organisation's line gave its first 3 problems of 5, and a published one's warnings
    # were not shown at all; in a JSON log each record names its organisation
    import json

    inputs = tmp_path / "inputs"
    broken = valid_tables()
    for i in range(5):
        broken["employees"][i]["sex"] = "unknown"
    write_inputs(inputs / "heddlu-b", broken)
    root = write_inputs(inputs / "heddlu-a")
    lines = (root / "2024" / "training.csv").read_text().splitlines()
    (root / "2024" / "training.csv").write_text("\n".join([lines[0] + ",notes"] + [x + "," for x in lines[1:]]) + "\n")
    args = ["figures", "--year", "2024", "--inputs", str(inputs), "--outputs", str(tmp_path / "o")]
    assert main(args) == ExitCode.PARTIAL
    err = capsys.readouterr().err
    assert err.count("    error: employees.csv, row ") == 5 and "heddlu-b: FAILED (exit 3)" in err
    assert "    warning: training.csv, row 1, column notes: this column is not in the contract" in err
    assert main([*args, "--force", "--log-format", "json"]) == ExitCode.PARTIAL
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    problems = [r for r in records if r.get("file")]
    assert len(problems) == 6 and all("organisation" in r for r in problems)
    assert {r["organisation"] for r in problems if r["level"] == "error"} == {"heddlu-b"}
    assert [r["organisation"] for r in problems if r["level"] == "warning"] == ["heddlu-a"]


def test_all_organisations_failing_the_same_way_keep_that_exit_code(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    broken = valid_tables()
    broken["pay"][0]["weekly_hours"] = "0"
    write_inputs(inputs / "one", broken)
    write_inputs(inputs / "two", broken)
    assert main(["figures", "--year", "2024", "--inputs", str(inputs), "--outputs", str(tmp_path / "o")]) == 3


def test_organisations_share_the_cores_each_drawing_its_languages_on_its_share(tmp_path):
    """As many organisations run at once as there are cores; each then draws its two languages on
    its share of them (one core each: one after the other, in its own process), not in a pool of
    its own that would put twice as many processes on the machine."""
    from pathlib import Path

    from pipeline.run import RunOptions, organisation_jobs

    opts = RunOptions(year=2024, inputs=tmp_path / "in", outputs=tmp_path / "out")
    dirs = [Path(f"org-{i}") for i in range(4)]
    jobs, workers = organisation_jobs(opts, dirs, cores=2)
    assert workers == 2 and [j.render_cores for j in jobs] == [1, 1, 1, 1]
    assert [j.outputs for j in jobs] == [tmp_path / "out" / f"org-{i}" for i in range(4)]
    jobs, workers = organisation_jobs(opts, dirs[:3], cores=8)
    assert workers == 3 and {j.render_cores for j in jobs} == {2}
    jobs, workers = organisation_jobs(opts, dirs[:1], cores=2)
    assert workers == 1 and jobs[0].render_cores == 2  # one organisation alone keeps both languages in parallel


def test_one_core_draws_the_languages_here_one_after_the_other():
    from pipeline.report import start_render_pool

    assert start_render_pool(("cy", "en"), cores=1) is None


def test_a_folder_without_a_profile_is_reported_failed_not_passed_over(tmp_path, capsys):
    # a profile renamed to .bak: the organisation was skipped, and the run said "OK: 1 published"
    inputs = tmp_path / "inputs"
    write_inputs(inputs / "heddlu-a")
    write_inputs(inputs / "heddlu-c")
    (inputs / "heddlu-c" / "organisation.toml").rename(inputs / "heddlu-c" / "organisation.toml.bak")
    code = main(["figures", "--year", "2024", "--inputs", str(inputs), "--outputs", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == ExitCode.PARTIAL
    assert "heddlu-c: FAILED (exit 3)" in err and "organisation.toml is missing" in err


def _dies_on_kill_me(opts, *log):  # noqa: ANN001, ANN002, ANN202 (module level: a spawned worker imports it by name)
    import os
    import signal

    from pipeline import run

    if (opts.inputs / "2024" / "KILL_ME").exists():
        os.kill(os.getpid(), signal.SIGKILL)
    return run._execute_one(opts, *log)  # in the worker, the real one


def test_a_killed_organisation_worker_costs_only_that_organisation(tmp_path, monkeypatch):
    # one worker killed (the OOM killer) broke the pool: every organisation then failed as "internal error"
    from pipeline import run

    for name in ("heddlu-a", "heddlu-b", "heddlu-c"):
        write_inputs(tmp_path / "inputs" / name)
    (tmp_path / "inputs" / "heddlu-b" / "2024" / "KILL_ME").write_text("", encoding="utf-8")
    monkeypatch.setattr(run, "_execute_one", _dies_on_kill_me)
    opts = run.RunOptions(year=2024, inputs=tmp_path / "inputs", outputs=tmp_path / "o", render=False)
    outcomes = {o.organisation: o for o in run.execute_many(opts, workers=2)}
    assert outcomes["heddlu-a"].exit_code == 0 and outcomes["heddlu-c"].exit_code == 0
    assert outcomes["heddlu-b"].exit_code == 1 and "worker process died" in outcomes["heddlu-b"].summary


def test_the_summary_tells_published_from_unchanged(tmp_path, capsys):
    inputs, outputs = tmp_path / "inputs", tmp_path / "o"
    write_inputs(inputs / "heddlu-a")
    write_inputs(inputs / "heddlu-c")
    assert main(["figures", "--year", "2024", "--inputs", str(inputs), "--outputs", str(outputs)]) == 0
    capsys.readouterr()
    (inputs / "heddlu-c" / "2024" / "grievances.csv").write_text("employee_id,case_id,role,date_raised,outcome\n")
    assert main(["figures", "--year", "2024", "--inputs", str(inputs), "--outputs", str(outputs)]) == 0
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == "cydradd: OK (exit 0): 1 organisation(s) published, 1 unchanged (their published reports stand)"
