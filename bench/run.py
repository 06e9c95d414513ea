"""`make bench`: how fast and how lean the pipeline is as organisations grow.

For synthetic inputs of the sample's size (~2.5k people), 100k and 1M employees (the sample generator
scaled with ``--employees N``, applications and events in proportion) it measures, each in a fresh
process so peak memory is the process's own:

- wall time and peak RSS of ``python -m pipeline figures``;
- wall time of merely reading the same CSVs with polars (the floor any pipeline must pay): this
  year's extracts and last year's employees and pay, which the change tables count; and the ratio
  between the two;
- the full bilingual ``report`` on the sample, split by stage (from the manifest's timings);
- a shared service: ``--organisations`` copies of the sample (default 4) reported in one run,
  which renders them side by side, against the one report's time.

Each measurement is repeated (``--repeat``, default 3) and the median is reported. Results are
printed as a table and saved to ``outputs/bench/bench.md`` and ``bench.json``. This is a benchmark,
not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

READ_ONLY = """
import sys, time, polars as pl
t0 = time.perf_counter()
for p in sys.argv[1:]:
    pl.read_csv(p, infer_schema=False)
print(time.perf_counter() - t0)
"""


def files_read(inputs: Path, year: int = 2024) -> list[str]:
    """The CSVs ``figures`` reads: every extract of the year, and last year's extracts that the
    year-on-year change counts (``pipeline.measures.PREVIOUS_YEAR_EXTRACTS``)."""
    from pipeline.measures import PREVIOUS_YEAR_EXTRACTS

    files = sorted((inputs / str(year)).glob("*.csv"))
    files += [inputs / str(year - 1) / f"{name}.csv" for name in PREVIOUS_YEAR_EXTRACTS]
    return [str(f) for f in files if f.exists()]


def _run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a command; return (wall seconds, peak RSS in MiB of that child, stdout)."""
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    # ru_maxrss of children is the max over all children so far: measure the largest last
    return wall, max(after, before) / 1024, proc.stdout


def _peak_rss(cmd: list[str]) -> tuple[float, float]:
    """Wall time and the child's own peak RSS, via /usr/bin/time-like wrapper in Python."""
    wrapper = (
        "import resource, subprocess, sys, time; t=time.perf_counter(); "
        "r=subprocess.run(sys.argv[1:]); "
        "print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024); "
        "sys.exit(r.returncode)"
    )
    _, _, out = _run([sys.executable, "-c", wrapper, *cmd])
    wall, rss = out.strip().splitlines()[-1].split()
    return float(wall), float(rss)


def generate(n: int | None, base: Path) -> Path:
    target = base / f"inputs-{n or 'sample'}"
    if n is None:
        return ROOT / "inputs"
    if (target / "2024" / "employees.csv").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    _run([sys.executable, "-m", "pipeline.sample", "--out", str(target), "--years", "2023", "2024",
          "--seed", "20240331", "--employees", str(n)])
    return target


def bench_figures(inputs: Path, scratch: Path, repeat: int) -> dict[str, float]:
    walls, rsss, reads = [], [], []
    for i in range(repeat):
        out = scratch / f"figures-{inputs.name}-{i}"
        shutil.rmtree(out, ignore_errors=True)
        wall, rss = _peak_rss([sys.executable, "-m", "pipeline", "figures", "--year", "2024", "--inputs", str(inputs),
                               "--outputs", str(out), "--force"])
        walls.append(wall)
        rsss.append(rss)
        _, _, read_out = _run([sys.executable, "-c", READ_ONLY, *files_read(inputs)])
        reads.append(float(read_out.strip()))
        shutil.rmtree(out, ignore_errors=True)
    wall, read = statistics.median(walls), statistics.median(reads)
    return {"figures_wall_s": wall, "figures_wall_range_s": [min(walls), max(walls)],
            "figures_peak_mib": statistics.median(rsss), "read_only_s": read,
            "ratio_to_read": wall / read if read else math.nan}


def _report(inputs: Path, out: Path) -> float:
    """Wall time of one full ``report`` run of ``inputs`` into a fresh ``out``."""
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    _run([sys.executable, "-m", "pipeline", "report", "--year", "2024", "--inputs", str(inputs), "--outputs",
          str(out), "--force"])
    return time.perf_counter() - t0


def bench_report(scratch: Path, repeat: int) -> dict[str, float]:
    runs = []
    for i in range(repeat):
        out = scratch / f"report-{i}"
        wall = _report(ROOT / "inputs", out)
        manifest = json.loads((out / "2024" / "manifest.json").read_text())
        runs.append({"wall_s": wall, **{f"stage_{k}_s": v for k, v in manifest["timings_seconds"].items()}})
        shutil.rmtree(out, ignore_errors=True)
    keys = sorted({k for r in runs for k in r})
    walls = [r["wall_s"] for r in runs]
    return {**{k: statistics.median(r.get(k, 0.0) for r in runs) for k in keys},
            "wall_range_s": [min(walls), max(walls)]}


def bench_many(scratch: Path, repeat: int, organisations: int) -> dict[str, float]:
    """One ``report`` run over ``organisations`` copies of the sample, as a shared service runs them."""
    inputs = scratch / f"inputs-{organisations}-organisations"
    if not inputs.is_dir():
        for i in range(organisations):
            shutil.copytree(ROOT / "inputs", inputs / f"organisation-{i + 1}")
    walls = []
    for i in range(repeat):
        out = scratch / f"many-{i}"
        walls.append(_report(inputs, out))
        shutil.rmtree(out, ignore_errors=True)
    wall = statistics.median(walls)
    return {"organisations": organisations, "wall_s": wall, "wall_range_s": [min(walls), max(walls)],
            "per_organisation_s": wall / organisations}


def slope(points: list[tuple[int, float]]) -> float:
    """Log-log slope of time against employees: 1.0 is linear growth."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--organisations", type=int, default=4, help="copies of the sample in the shared-service run "
                    "(0 leaves it out)")
    ap.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = args.out / "scratch"
    scratch.mkdir(exist_ok=True)

    rows = []
    sample_employees = sum(1 for _ in (ROOT / "inputs" / "2024" / "employees.csv").open()) - 1
    for n in [None, *args.sizes]:
        inputs = generate(n, scratch)
        people = n or sample_employees
        print(f"figures for {people:,} employees ...", file=sys.stderr)
        rows.append({"employees": people, **bench_figures(inputs, scratch, args.repeat)})
    print("full bilingual report on the sample ...", file=sys.stderr)
    report = bench_report(scratch, args.repeat)
    many = None
    if args.organisations:
        print(f"{args.organisations} organisations in one report run ...", file=sys.stderr)
        many = bench_many(scratch, args.repeat, args.organisations)
    result = {
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "repeat": args.repeat,
        "figures": rows,
        "slope_log_time_vs_log_employees": slope([(r["employees"], r["figures_wall_s"]) for r in rows]),
        "report_sample": report,
        "report_many_organisations": many,
    }
    (args.out / "bench.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# Benchmark (medians of {args.repeat} runs, {os.cpu_count()} cores)",
        "",
        "| employees | figures wall (s) | fastest–slowest (s) | figures peak (MiB) | bare polars read (s) "
        "| figures / read |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        low, high = r["figures_wall_range_s"]
        lines.append(f"| {r['employees']:,} | {r['figures_wall_s']:.2f} | {low:.2f}–{high:.2f} | "
                     f"{r['figures_peak_mib']:.0f} | {r['read_only_s']:.2f} | {r['ratio_to_read']:.1f} |")
    lines += ["", f"Growth: log-log slope of figures time against employees = "
              f"{result['slope_log_time_vs_log_employees']:.2f} (1.0 = linear).", "",
              "Full bilingual report on the sample, by stage (s):", "", "| stage | seconds |", "|---|---:|"]
    lines += [f"| {k.removeprefix('stage_').removesuffix('_s')} | {v:.2f} |" for k, v in report.items()
              if k != "wall_range_s"]
    lines += ["", "Report wall time, fastest–slowest of the runs: {:.2f}–{:.2f} s (the machine's speed drifts: "
              "compare code by running old and new one after the other).".format(*report["wall_range_s"])]
    if many is not None:
        lines += ["", "A shared service: {organisations} copies of the sample reported in one run: {wall_s:.2f} s "
                  "(fastest–slowest {low:.2f}–{high:.2f} s), {per_organisation_s:.2f} s per organisation against "
                  "{alone:.2f} s for the one report above.".format(**many, low=many["wall_range_s"][0],
                                                                   high=many["wall_range_s"][1],
                                                                   alone=report["wall_s"])]
    text = "\n".join(lines) + "\n"
    (args.out / "bench.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
