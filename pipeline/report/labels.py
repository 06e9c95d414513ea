"""Label catalogues: every word a reader sees, one TOML file per language.

``templates/<lang>/labels.toml`` holds nested tables whose dotted paths are the label keys
(``[table.profile.sex] title = "..."`` is the key ``table.profile.sex.title``). Both languages must
have exactly the same keys, none empty, and the same ``{placeholders}`` in each string: the Welsh
version may not be treated less favourably (Welsh Language Standards), so a label that exists in
one language only is a build failure (``MissingTranslation``), not a fallback.

Key conventions (the report layer looks labels up by these patterns):

- ``section.<section>.title`` / ``.intro`` (optional) / ``.empty`` (optional)
- ``table.<table_id>.title`` (caption of a published ``Table``)
- ``dim.<dim>`` (heading of the category column), ``cat.<dim>.<code>`` (category names;
  ``workforce_group`` and ``grade`` names come from ``organisation.toml`` instead), ``cat.total``
- ``measure.<measure>``, optionally overridden by ``section.<section>.measure.<measure>`` or
  ``table.<table_id>.measure.<measure>``
- ``suppressed.<reason>``, ``not_calculable.<reason>``
- ``paygap.<gap_id>.title`` (or ``paygap.gender_group.title`` with ``{group}`` for
  ``gender.<workforce group>``), ``paygap.sign.<reference>.<comparison>``, ``group.<code>``
- ``likelihood.<likelihood_id>.title``
- ``chart.<table_id>.title`` for each chart drawn from a table

Strings may hold ``{name}`` placeholders filled from a fixed context (year, thresholds, dates...);
see ``Labels.text``. Welsh strings are linted so that no name is glued after a mutating word.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import MissingTranslation

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
LANGUAGES = ("cy", "en")

_FORMATTER = string.Formatter()


def catalogue_path(lang: str, templates: Path = TEMPLATES) -> Path:
    return templates / lang / "labels.toml"


def _flatten(prefix: str, node: Mapping[str, Any], out: dict[str, str], problems: list[str], lang: str) -> None:
    for key, value in node.items():
        full = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            _flatten(full, value, out, problems, lang)
        elif isinstance(value, str):
            out[full] = value
        else:
            problems.append(f"{lang}: {full} is not text")


def load_catalogue(lang: str, templates: Path = TEMPLATES) -> dict[str, str]:
    """The flat catalogue of one language: dotted key -> text. Raises ``MissingTranslation`` when the
    file is missing or unreadable (a language without labels cannot be rendered)."""
    path = catalogue_path(lang, templates)
    if not path.exists():
        raise MissingTranslation([f"{lang}: {path.name} is missing"])
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MissingTranslation([f"{lang}: labels.toml is not valid UTF-8 TOML ({exc})"]) from exc
    out: dict[str, str] = {}
    problems: list[str] = []
    _flatten("", raw, out, problems, lang)
    if problems:
        raise MissingTranslation(problems)
    return out


def placeholders(text: str) -> frozenset[str]:
    try:
        return frozenset(name for _, name, _, _ in _FORMATTER.parse(text) if name)
    except ValueError:
        return frozenset({"<malformed braces>"})


def check_catalogues(languages: Iterable[str] = LANGUAGES, templates: Path = TEMPLATES,
                     catalogues: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    """Every key missing in a language, every empty string, every placeholder mismatch."""
    langs = tuple(languages)
    cats: dict[str, Mapping[str, str]] = {}
    problems: list[str] = []
    for lang in langs:
        if catalogues is not None and lang in catalogues:
            cats[lang] = catalogues[lang]
            continue
        try:
            cats[lang] = load_catalogue(lang, templates)
        except MissingTranslation as exc:
            problems += exc.missing
            cats[lang] = {}
    every = sorted(set().union(*(set(c) for c in cats.values()))) if cats else []
    for key in every:
        for lang in langs:
            if key not in cats[lang]:
                problems.append(f"{lang}: {key} is missing")
            elif not cats[lang][key].strip():
                problems.append(f"{lang}: {key} is empty")
        holders = {lang: placeholders(cats[lang][key]) for lang in langs if key in cats[lang]}
        if len(set(holders.values())) > 1:
            desc = ", ".join(f"{lang} {{{', '.join(sorted(h))}}}" for lang, h in holders.items())
            problems.append(f"{key}: placeholders differ between languages ({desc})")
    return problems


# --------------------------------------------------------------------------- Welsh mutation lint
# Words after which a following noun or name mutates (soft: i, o, ar, am, dan, at, gan, heb, dros, trwy,
# wrth, hyd, ei (his), dau, dwy, yn (predicative); nasal: fy, yn (in); aspirate: a, â, gyda, tri, tair,
# chwe, na, ei (her)). A placeholder right after one of them would need the name pre-mutated, so a
# name or word must never be glued there (shared/spec/welsh-and-accessibility.md §3.7, §6.8).
MUTATING_WORDS = frozenset({
    "i", "o", "ar", "am", "dan", "at", "gan", "heb", "dros", "drwy", "trwy", "wrth", "hyd", "ei", "dau", "dwy",
    "yn", "fy", "a", "â", "gyda", "tri", "tair", "chwe", "na", "ac", "ag", "ein", "eich", "eu", "mor", "neu", "y",
    "yr", "dy", "pan", "pa", "rhy",
})
# Placeholders that always begin with a digit (numbers, numeral-first dates, years): digits do not
# mutate, so they may follow any word ("ar 31 Mawrth 2024", "llai na 5").
NUMERIC_PLACEHOLDERS = frozenset({
    "n", "year", "previous_year", "threshold", "min_group_size", "page", "pages", "date", "start", "end",
    "snapshot", "period", "outcome", "base", "welsh_level", "days", "count", "points", "rows", "percent", "ratio",
    "men_pct", "women_pct",
})


def lint_welsh(catalogue: Mapping[str, str]) -> list[str]:
    """Welsh strings that glue a non-numeric placeholder after a mutating word."""
    problems = []
    for key, text in sorted(catalogue.items()):
        for m in re.finditer(r"(\S+)\s+\{(\w+)\}", text):
            word = m.group(1).lower().strip("'’\"(")
            if word in MUTATING_WORDS and m.group(2) not in NUMERIC_PLACEHOLDERS:
                problems.append(f"cy: {key}: {{{m.group(2)}}} follows the mutating word '{m.group(1)}'")
    return problems


# --------------------------------------------------------------------------- lookups
@dataclass
class Labels:
    """One language's catalogue with a lookup that records (rather than raises on) missing keys,
    so that a render can report every missing label at once before writing anything."""

    lang: str
    catalogue: Mapping[str, str]
    context: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def has(self, key: str) -> bool:
        return bool(self.catalogue.get(key, "").strip())

    def raw(self, key: str) -> str:
        value = self.catalogue.get(key, "")
        if not value.strip():
            if key not in self.missing:
                self.missing.append(key)
            return f"[{key}]"
        return value

    def first(self, *keys: str) -> str:
        """The first of ``keys`` that exists (the last is required)."""
        for k in keys[:-1]:
            if self.has(k):
                return self.text(k)
        return self.text(keys[-1])

    def first_key(self, *keys: str) -> str:
        for k in keys[:-1]:
            if self.has(k):
                return k
        return keys[-1]

    def text(self, key: str, **extra: Any) -> str:
        """The label with its placeholders filled from the render context and ``extra``."""
        value = self.raw(key)
        if "{" not in value:
            return value
        values = {**self.context, **extra}
        try:
            return value.format_map(_Strict(values, key, self.missing))
        except (ValueError, IndexError):
            self.missing.append(f"{key} (malformed placeholder)")
            return value

    def paragraphs(self, key: str, **extra: Any) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.text(key, **extra)) if p.strip()]

    def __call__(self, key: str, **extra: Any) -> str:
        return self.text(key, **extra)


class _Strict(dict):
    def __init__(self, values: Mapping[str, Any], key: str, missing: list[str]):
        super().__init__(values)
        self._key, self._missing = key, missing

    def __missing__(self, name: str) -> str:
        self._missing.append(f"{self._key} (no value for placeholder {{{name}}})")
        return "{" + name + "}"


def raise_if_missing(labels: Iterable[Labels]) -> None:
    missing = [f"{lb.lang}: {k}" for lb in labels for k in lb.missing]
    if missing:
        raise MissingTranslation(sorted(dict.fromkeys(missing)))
