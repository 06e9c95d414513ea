"""The organisation profile (``inputs/organisation.toml``), the year's dates and the run's settings.

The profile is the organisation's own description of itself: bilingual names, workforce groups (and
which of them are not employees, such as volunteer special constables), grades in order, and
``[code_maps]`` that translate an HR system's own codes into contract codes. It is validated like
an extract: every problem is collected and reported together.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import Problem

DAYS_CONVENTIONS = ("actual", "30.44")

# Every key organisation.toml may hold, with its type. A key outside these is an error, not ignored:
# ``suppresion_threshold = 10`` (one s) silently left the default 5, and counts the organisation
# meant to withhold were published.
_KEYS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "organisation": {"code": str, "name_en": str, "name_cy": str, "census_geography": str,
                     "contact_email": str, "contact_phone": str, "web_address_en": str, "web_address_cy": str},
    "settings": {"suppression_threshold": int, "min_group_size": int, "pay_period_days": str, "rounding": str,
                 "change_threshold_points": (int, float)},
    "workforce_groups.*": {"name_en": str, "name_cy": str, "grades": list, "employee": bool, "officer": bool},
    "grades.*": {"name_en": str, "name_cy": str},
}
_TABLES = ("organisation", "settings", "workforce_groups", "grades", "code_maps")
_TYPE_NAMES = {str: "text in quotes", int: "a whole number", bool: "true or false (no quotes)",
               list: "a list in [ ]", float: "a number"}


@dataclass(frozen=True)
class Grade:
    code: str
    name_en: str
    name_cy: str


@dataclass(frozen=True)
class WorkforceGroup:
    code: str
    name_en: str
    name_cy: str
    grades: tuple[str, ...]  # lowest first
    employee: bool = True  # False for volunteers (special constables): kept in the profile, out of pay figures
    officer_like: bool = False  # for "officers and staff separately" pay comparisons


@dataclass(frozen=True)
class Settings:
    """Thresholds and conventions; every one is recorded in the methodology note and the manifest."""

    suppression_threshold: int = 5  # counts from 1 to threshold-1 are suppressed ("fewer than 5")
    min_group_size: int = 10  # voluntary pay gap comparisons (not the statutory gap) need this many full-pay people a side
    pay_period_days: str = "actual"  # or "30.44" for monthly periods (payroll vendor convention)
    rounding: str = "half_up"  # rounding of published percentages to 1 d.p.
    change_threshold_points: float = 2.0  # review pack: year-on-year change worth a reviewer's eye

    def as_dict(self) -> dict[str, Any]:
        return {
            "suppression_threshold": self.suppression_threshold,
            "min_group_size": self.min_group_size,
            "pay_period_days": self.pay_period_days,
            "rounding": self.rounding,
            "change_threshold_points": self.change_threshold_points,
        }


@dataclass(frozen=True)
class Contact:
    """How a reader reaches the organisation about the report: to ask for it in an accessible format
    (large print, easy read, audio, braille), or with a question. ``web`` is where each language's web
    page of the report is published (``{year}`` in it is the report's year): the PDF, read away from
    the website, then links to its web version and its tables."""

    email: str | None = None
    phone: str | None = None
    web: dict[str, str] = field(default_factory=dict)  # language -> address of the report's web page

    @property
    def reachable(self) -> bool:
        """Whether a reader has a way to ask: the report's contact section needs an email or a phone."""
        return bool(self.email or self.phone)

    def web_address(self, lang: str, year: int) -> str | None:
        address = self.web.get(lang)
        return address.replace("{year}", str(year)) if address else None

    @property
    def phone_link(self) -> str | None:
        """The number as a ``tel:`` link dials it: digits and a leading +, nothing else (the UK's
        "+44 (0)1633" dials +441633)."""
        if not self.phone:
            return None
        number = self.phone.replace("(0)", "")
        return "tel:" + ("+" if number.strip().startswith("+") else "") + re.sub(r"\D", "", number)


_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?\(?[0-9][0-9 ()-]{5,22}[0-9]")
_WEB = re.compile(r"https://[^\s<>\"']+\.[^\s<>\"']+")


def _contact(org: dict[str, Any], fname: str) -> tuple[Contact, list[Problem]]:
    """The ``[organisation]`` contact keys, each checked for its form (the report prints them as
    links: a wrong one sends a reader who needs another format nowhere)."""
    problems: list[Problem] = []

    def checked(key: str, pattern: re.Pattern[str], allowed: str) -> str | None:
        value = org.get(key)
        if not isinstance(value, str):  # absent, or mistyped (reported as such)
            return None
        value = value.strip()
        if not pattern.fullmatch(value):
            problems.append(Problem("bad_value", fname, column=f"organisation.{key}", found=value,
                                    message=f"{key} is not {allowed.split(',')[0]}", allowed=allowed))
            return None
        return value

    email = checked("contact_email", _EMAIL, "an email address, such as equality@example.org")
    phone = checked("contact_phone", _PHONE, "a phone number, such as 01632 960000 or +44 1632 960000")
    web = {lang: address for lang in ("en", "cy")
           if (address := checked(f"web_address_{lang}", _WEB,
                                  "a web address starting https://, such as https://www.example.org/equality/{year}/"))}
    given = {lang for lang in ("en", "cy") if isinstance(org.get(f"web_address_{lang}"), str)}
    if len(given) == 1:
        missing = ({"en", "cy"} - given).pop()
        problems.append(Problem("missing_key", fname, column=f"organisation.web_address_{missing}",
                                message=f"web_address_{given.pop()} is given without web_address_{missing}: one "
                                        "language's PDF would link to its web page and the other's to none",
                                allowed="both web_address_en and web_address_cy, or neither"))
        web = {}
    return Contact(email, phone, web), problems


@dataclass(frozen=True)
class Organisation:
    code: str
    name_en: str
    name_cy: str
    groups: dict[str, WorkforceGroup]
    grades: dict[str, Grade]
    code_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    community: str | None = None  # census geography code for representation comparisons
    raw: dict[str, Any] = field(default_factory=dict)
    contact: Contact = field(default_factory=Contact)

    @property
    def employee_groups(self) -> tuple[str, ...]:
        return tuple(g for g, v in self.groups.items() if v.employee)

    def grades_of(self, group: str) -> tuple[str, ...]:
        g = self.groups.get(group)
        return g.grades if g else ()


@dataclass(frozen=True)
class ReportingYear:
    """Snapshot 31 March YEAR; reporting period 1 April YEAR-1 to 31 March YEAR (SI 2017/353, SI 2011/1064)."""

    year: int

    @property
    def snapshot(self) -> dt.date:
        return dt.date(self.year, 3, 31)

    @property
    def period_start(self) -> dt.date:
        return dt.date(self.year - 1, 4, 1)

    @property
    def period_end(self) -> dt.date:
        return self.snapshot

    @property
    def bonus_window_start(self) -> dt.date:
        """The 12 months ending with the snapshot date (reg 12)."""
        return dt.date(self.year - 1, 4, 1)


def load_organisation(path: Path) -> tuple[Organisation | None, list[Problem]]:
    """Read and check ``organisation.toml``; return the profile or every problem found."""
    org, problems = read_organisation(path)
    return (None, problems) if problems else (org, [])


def read_organisation(path: Path) -> tuple[Organisation | None, list[Problem]]:
    """The profile as far as it could be read, with every problem found in it; None only when the
    file cannot be read as TOML. A profile with problems is not fit to report with, but its readable
    parts let the extracts be checked in the same run (``run.despite_profile``)."""
    problems: list[Problem] = []
    fname = path.name
    if not path.parent.is_dir():  # --inputs names a folder that is not there (a typo, an unmounted share)
        return None, [Problem("missing_folder", f"{path.parent}/", message="the inputs folder does not exist",
                              allowed="a folder holding organisation.toml and a folder of extracts for each year")]
    if not path.exists():
        return None, [Problem("missing_file", fname, message="organisation.toml is missing",
                              allowed="an organisation profile; see docs/data-contract.md")]
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a byte-order mark (Notepad) is harmless
    except OSError as exc:
        why = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or type(exc).__name__)
        return None, [Problem("cannot_open", fname, message=f"the file cannot be opened ({why})",
                              allowed="a file the user running cydradd can read")]
    except UnicodeDecodeError:
        return None, [Problem("encoding", fname, message="the file is not UTF-8 text", allowed="UTF-8")]
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem("toml_syntax", fname, message=f"not valid TOML: {exc}", allowed="TOML syntax")]
    raw, problems = _tables_as_tables(raw, fname)
    problems += _unknown_or_mistyped(raw, fname)

    org = raw.get("organisation", {})
    for key in ("name_en", "name_cy"):
        if not str(org.get(key, "")).strip():
            problems.append(Problem("missing_key", fname, column=f"organisation.{key}",
                                    message=f"[organisation] needs {key}", allowed="a non-empty name"))
    code = str(org.get("code") or _slug(str(org.get("name_en", "organisation"))))
    contact, contact_problems = _contact(org, fname)
    problems += contact_problems

    grades: dict[str, Grade] = {}
    for gcode, g in (raw.get("grades") or {}).items():
        if not isinstance(g, dict) or not g.get("name_en") or not g.get("name_cy"):
            problems.append(Problem("missing_key", fname, column=f"grades.{gcode}",
                                    message=f"grade {gcode} needs name_en and name_cy (no Welsh name, no report)",
                                    allowed="name_en and name_cy"))
            continue
        if gcode == "total":
            problems.append(Problem("reserved_code", fname, column="grades.total",
                                    message="'total' names the tables' total rows; a grade cannot be called that",
                                    allowed="another code"))
        grades[gcode] = Grade(gcode, str(g["name_en"]), str(g["name_cy"]))

    groups: dict[str, WorkforceGroup] = {}
    wg = raw.get("workforce_groups") or {}
    if not wg:
        problems.append(Problem("missing_key", fname, column="workforce_groups",
                                message="at least one [workforce_groups.<code>] table is needed",
                                allowed="e.g. [workforce_groups.staff]"))
    for gcode, g in wg.items():
        if not isinstance(g, dict):
            problems.append(Problem("missing_key", fname, column=f"workforce_groups.{gcode}",
                                    message="must be a table", allowed="name_en, name_cy, grades"))
            continue
        for key in ("name_en", "name_cy"):
            if not str(g.get(key, "")).strip():
                problems.append(Problem("missing_key", fname, column=f"workforce_groups.{gcode}.{key}",
                                        message=f"workforce group {gcode} needs {key}", allowed="a non-empty name"))
        listed = g.get("grades") or ()
        # a list of grades; anything else (grades = 5, grades = "constable") is reported as mistyped above
        glist = tuple(str(x) for x in listed) if isinstance(listed, list) else ()
        if gcode == "total":
            problems.append(Problem("reserved_code", fname, column=f"workforce_groups.{gcode}",
                                    message="'total' names the tables' total rows; a group cannot be called that",
                                    allowed="another code, e.g. all_staff"))
        for twice in sorted({gr for gr in glist if glist.count(gr) > 1}):
            problems.append(Problem("duplicate_grade", fname, column=f"workforce_groups.{gcode}.grades", found=twice,
                                    message="the grade is listed twice (its rows would be published twice)",
                                    allowed="each grade once, lowest first"))
        if not glist and isinstance(listed, list | tuple):  # a mistyped list is reported once, as mistyped
            problems.append(Problem("missing_key", fname, column=f"workforce_groups.{gcode}.grades",
                                    message=f"workforce group {gcode} lists no grades", allowed="grades, lowest first"))
        for gr in glist:
            if gr not in grades and not any(p.column == f"grades.{gr}" for p in problems):
                problems.append(Problem("unknown_grade", fname, column=f"workforce_groups.{gcode}.grades",
                                        found=gr, message=f"grade {gr} has no [grades.{gr}] table with its names",
                                        allowed="a [grades.<code>] table with name_en and name_cy"))
        groups[gcode] = WorkforceGroup(
            code=gcode,
            name_en=str(g.get("name_en", gcode)),
            name_cy=str(g.get("name_cy", gcode)),
            grades=glist,
            employee=bool(g.get("employee", True)),
            officer_like=bool(g.get("officer", False)),
        )

    code_maps: dict[str, dict[str, str]] = {}
    from pipeline.extracts.contract import EXTRACTS  # contract is data; config checks maps against it

    known_cols = {c.name: c for e in EXTRACTS for c in e.columns}
    for col, mapping in (raw.get("code_maps") or {}).items():
        if not isinstance(mapping, dict):
            problems.append(Problem("bad_value", fname, column=f"code_maps.{col}", message=f"this value is "
                                    f"{_type_name(mapping)}", allowed=f'a table of local codes: [code_maps.{col}] '
                                    'then lines such as PERM = "permanent"'))
            continue
        c = known_cols.get(col)
        if c is None or c.kind != "code":
            near = code_map_column(col)
            problems.append(Problem("bad_code_map", fname, column=f"code_maps.{col}",
                                    message=f"{col} is not a coded column of the contract"
                                    + (f": did you mean {near}?" if near else ""),
                                    allowed=", ".join(sorted(k for k, v in known_cols.items() if v.kind == "code"))))
            continue
        allowed = set(c.codes) | ({c.blank_means} if c.blank_means else set())
        for local, target in (mapping or {}).items():
            if c.codes and str(target) not in allowed:
                problems.append(Problem("bad_code_map", fname, column=f"code_maps.{col}", found=str(target),
                                        message=f"local code {local!s} maps to an unknown contract code",
                                        allowed=", ".join(sorted(allowed))))
        code_maps[col] = {str(k): str(v) for k, v in (mapping or {}).items()}

    s = raw.get("settings") or {}
    # a setting of the wrong type (reported above) is left at its default, and the others are still
    # checked: one mistyped setting had hidden a bad value of every other until the next run
    mistyped = {p.column.removeprefix("settings.") for p in problems if p.column and p.column.startswith("settings.")}
    d = Settings()

    def setting(key: str) -> Any:
        return getattr(d, key) if key in mistyped else s.get(key, getattr(d, key))

    settings = Settings(
        suppression_threshold=setting("suppression_threshold"),
        min_group_size=setting("min_group_size"),
        pay_period_days=setting("pay_period_days"),
        rounding=setting("rounding"),
        change_threshold_points=float(setting("change_threshold_points")),
    )
    if settings.pay_period_days not in DAYS_CONVENTIONS:
        problems.append(Problem("bad_setting", fname, column="settings.pay_period_days",
                                found=settings.pay_period_days, message="unknown days convention",
                                allowed=", ".join(DAYS_CONVENTIONS)))
    if settings.rounding not in ("half_up", "half_even"):
        problems.append(Problem("bad_setting", fname, column="settings.rounding", found=settings.rounding,
                                message="unknown rounding rule", allowed="half_up, half_even"))
    for key in ("suppression_threshold", "min_group_size"):
        if getattr(settings, key) < 1:
            problems.append(Problem("bad_setting", fname, column=f"settings.{key}", message="must be at least 1",
                                    allowed="a whole number, 1 or more"))

    return (
        Organisation(
            code=code,
            name_en=str(org.get("name_en", "")),
            name_cy=str(org.get("name_cy", "")),
            groups=groups,
            grades=grades,
            code_maps=code_maps,
            settings=settings,
            community=org.get("census_geography"),
            raw=raw,
            contact=contact,
        ),
        problems,
    )


def _tables_as_tables(raw: dict[str, Any], fname: str) -> tuple[dict[str, Any], list[Problem]]:
    """``organisation = "Gwent"`` or ``settings = 5`` where a [table] belongs is a problem, and the
    rest of the profile is read as if the table were empty (it had been a traceback)."""
    problems = []
    out = dict(raw)
    for key in _TABLES:
        if key in raw and not isinstance(raw[key], dict):
            problems.append(Problem("bad_value", fname, column=key, message=f"this value is {_type_name(raw[key])}",
                                    allowed=f"a table: a line [{key}] followed by its keys"))
            out[key] = {}
    return out, problems


def code_map_column(name: str) -> str | None:
    """The coded column a ``[code_maps.<name>]`` table is for: ``name`` itself, or the one it is a
    near miss of (``ethnicty``), or None."""
    from difflib import get_close_matches

    from pipeline.extracts.contract import EXTRACTS

    coded = sorted({c.name for e in EXTRACTS for c in e.columns if c.kind == "code"})
    near = get_close_matches(name, coded, n=1, cutoff=0.75)
    return near[0] if near else None


def _unknown_or_mistyped(raw: dict[str, Any], fname: str) -> list[Problem]:
    """Keys organisation.toml does not know (with the nearest known one), and values of the wrong
    type (``employee = "false"`` is text, which read as true)."""
    from difflib import get_close_matches

    problems: list[Problem] = []

    def unknown(where: str, key: str, known: list[str]) -> None:
        near = get_close_matches(key, known, n=1, cutoff=0.75)
        problems.append(Problem("unknown_key", fname, column=f"{where}{key}",
                                message="this key is not one cydradd knows" + (f": did you mean {near[0]}?" if near else ""),
                                allowed=", ".join(known)))

    for key in raw:
        if key not in _TABLES:
            unknown("", key, list(_TABLES))
    tables: list[tuple[str, str, Any]] = [(name, name, raw.get(name)) for name in ("organisation", "settings")]
    for outer in ("workforce_groups", "grades"):
        tables += [(f"{outer}.*", f"{outer}.{code}", t) for code, t in (raw.get(outer) or {}).items()]
    for schema, where, table in tables:
        if not isinstance(table, dict):
            continue  # reported where the table is read
        keys = _KEYS[schema]
        for key, value in table.items():
            if key not in keys:
                unknown(f"{where}.", key, list(keys))
                continue
            wanted = keys[key]
            kinds = wanted if isinstance(wanted, tuple) else (wanted,)
            if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
                problems.append(Problem("bad_value", fname, column=f"{where}.{key}",
                                        found=repr(value) if isinstance(value, (bool, int, float)) else None,
                                        message=f"this value is {_type_name(value)}",
                                        allowed=" or ".join(_TYPE_NAMES[k] for k in kinds)))
    return problems


def _type_name(value: object) -> str:
    for kind, name in ((bool, "true or false"), (int, "a number"), (float, "a number"), (str, "text"),
                       (list, "a list"), (dict, "a table")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _slug(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(p for p in out.split("-") if p) or "organisation"
