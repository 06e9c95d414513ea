"""A run whose inputs are unchanged since the published run knows it from the files' hashes alone:
it reads no extract (a scheduled job over many organisations pays a checksum for each unchanged one,
not a validation)."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipeline.run as run
from pipeline.run import RunOptions, execute
from pipeline.sample import main as make_sample


def test_an_unchanged_run_reads_no_extract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs, outputs = tmp_path / "inputs", tmp_path / "outputs"
    make_sample(["--out", str(inputs), "--years", "2024", "--seed", "3", "--employees", "200"])
    first = execute(RunOptions(year=2024, inputs=inputs, outputs=outputs, render=False))
    assert not first.unchanged

    def must_not_read(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an unchanged run read an extract")

    monkeypatch.setattr(run, "load_extracts", must_not_read)
    again = execute(RunOptions(year=2024, inputs=inputs, outputs=outputs, render=False))
    assert again.unchanged and again.published == first.published

    (inputs / "2024" / "grievances.csv").write_text("employee_id\n", encoding="utf-8")  # a changed input
    with pytest.raises(AssertionError, match="read an extract"):
        execute(RunOptions(year=2024, inputs=inputs, outputs=outputs, render=False))


def test_a_corrected_label_in_the_templates_is_a_new_release_though_the_inputs_are_unchanged(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    (root / "cy").mkdir(parents=True)
    label = root / "cy" / "labels.toml"
    label.write_text('resignation = "Ymddiswyddo"\n', encoding="utf-8")
    opts = RunOptions(year=2024, inputs=tmp_path, outputs=tmp_path)
    inputs = {"2024/employees.csv": "0" * 64}
    before = run.release_id(inputs, opts, {}, run.templates_digest(root))
    assert run.release_id(inputs, opts, {}, run.templates_digest(root)) == before  # same files, same release
    label.write_text('resignation = "Ymddiswyddo"\nretirement = "Ymddeol"\n', encoding="utf-8")
    edited = run.templates_digest(root)
    assert run.release_id(inputs, opts, {}, edited) != before
    (root / "cy" / "print.css").write_text("", encoding="utf-8")  # a file added, even empty, counts too
    assert run.templates_digest(root) != edited


def test_a_figures_run_lists_and_hashes_only_the_files_of_last_year_it_reads(tmp_path: Path) -> None:
    """Last year's employees and pay feed the change tables; last year's other extracts only the
    review pack, which a figures run does not make. Its manifest names what it read, no more."""
    inputs = tmp_path / "inputs"
    for year in ("2023", "2024"):
        (inputs / year / "commentary" / "en").mkdir(parents=True)
        for name in ("employees.csv", "pay.csv", "applications.csv", "training.csv"):
            (inputs / year / name).write_text("x\n", encoding="utf-8")
        (inputs / year / "commentary" / "en" / "intro.md").write_text("x\n", encoding="utf-8")
    (inputs / "organisation.toml").write_text("", encoding="utf-8")

    def listed(render: bool) -> set[str]:
        opts = RunOptions(year=2024, inputs=inputs, outputs=tmp_path / "out", render=render)
        return {p.relative_to(inputs).as_posix() for p in run.input_files(opts)}

    (inputs / "2024" / "~$employees.xlsx").write_text("x\n", encoding="utf-8")  # Excel's lock file: read by nobody
    this_year = {"2024/employees.csv", "2024/pay.csv", "2024/applications.csv", "2024/training.csv"}
    # a figures run reads no commentary: editing it makes no new figures release
    assert listed(render=False) == {"organisation.toml", *this_year, "2023/employees.csv", "2023/pay.csv"}
    this_year.add("2024/commentary/en/intro.md")
    # last year's commentary is read by no one (the review pack compares last year's figures)
    assert listed(render=True) == {"organisation.toml", *this_year, "2023/employees.csv", "2023/pay.csv",
                                   "2023/applications.csv", "2023/training.csv"}


def test_a_half_deleted_release_is_rebuilt_not_called_unchanged(tmp_path: Path) -> None:
    inputs, outputs = tmp_path / "inputs", tmp_path / "outputs"
    make_sample(["--out", str(inputs), "--years", "2024", "--seed", "3", "--employees", "200"])
    first = execute(RunOptions(year=2024, inputs=inputs, outputs=outputs, render=False))
    (first.published / "data" / "figures.json").unlink()  # a crash or a hand took a file away
    again = execute(RunOptions(year=2024, inputs=inputs, outputs=outputs, render=False))
    assert not again.unchanged and (outputs / "2024-figures" / "data" / "figures.json").is_file()


def test_a_figures_run_leaves_the_published_report_in_place(tmp_path: Path) -> None:
    # a figures run published its data-only release through outputs/2024: the report's pages were
    # no longer published, and the data-only release became a rollback target
    from pipeline.publish import publish, staging_dir

    inputs, outputs = tmp_path / "inputs", tmp_path / "outputs"
    make_sample(["--out", str(inputs), "--years", "2024", "--seed", "3", "--employees", "200"])
    staged = staging_dir(outputs, "report")
    (staged / "cy").mkdir()
    (staged / "cy" / "index.html").write_text("adroddiad", encoding="utf-8")
    report = publish(staged, outputs, 2024, "report")
    done = execute(RunOptions(year=2024, inputs=inputs, outputs=outputs, render=False))
    assert (outputs / "2024").resolve() == report and (outputs / "2024" / "cy" / "index.html").is_file()
    assert (outputs / "2024-figures").resolve() == done.published and (done.published / "data" / "figures.json").is_file()


def test_an_approval_is_of_the_inputs_and_the_templates_and_version(tmp_path: Path) -> None:
    # approving the inputs alone let an edited label go out without the watermark
    (tmp_path / "2024").mkdir()
    inputs = {"2024/pay.csv": "ab12"}
    run.write_approval(tmp_path, 2024, run.approval_digest(inputs, "templates-1"), "Head of Communications", "2024-03-31")
    assert run.read_approval(tmp_path, 2024, run.approval_digest(inputs, "templates-1")) is not None
    assert run.read_approval(tmp_path, 2024, run.approval_digest(inputs, "templates-2")) is None
    assert run.read_approval(tmp_path, 2024, run.approval_digest({"2024/pay.csv": "cd34"}, "templates-1")) is None
