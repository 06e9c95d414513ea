"""The leak scan shared by the end-to-end tests: every id and date of birth in a set of extracts,
searched for in everything a run wrote (PDF text and raw bytes included) and in its log."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path


def personal_values(inputs: Path) -> set[str]:
    """Every id (columns ending in ``_id``) and date of birth in every CSV extract under ``inputs``."""
    values: set[str] = set()
    for path in inputs.rglob("*.csv"):
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                values.update(v for k, v in row.items() if v and k and (k.endswith("_id") or k == "date_of_birth"))
    return values


def written_texts(folder: Path) -> dict[str, str]:
    """The text of every file under ``folder``: a PDF as its extracted text and as raw bytes."""
    out = {}
    for p in folder.rglob("*"):
        if not p.is_file():
            continue
        if p.suffix == ".pdf":
            if shutil.which("pdftotext"):
                out[str(p)] = subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True).stdout
            out[str(p) + ":raw"] = p.read_bytes().decode("latin-1")
        elif p.suffix in (".png", ".ttf", ".woff", ".woff2"):
            continue
        else:
            out[str(p)] = p.read_text(encoding="utf-8", errors="replace")
    return out


def leaks(values: set[str], texts: dict[str, str]) -> dict[str, list[str]]:
    """Where any of ``values`` appears (a few per place), longest first so no id hides a longer one."""
    pattern = re.compile("|".join(sorted(map(re.escape, values), key=len, reverse=True)))
    return {name: sorted(set(pattern.findall(text)))[:5] for name, text in texts.items() if pattern.search(text)}
