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
