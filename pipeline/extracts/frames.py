"""Validated, typed frames: what the measures receive.

After validation every extract is a polars ``DataFrame`` with the contract's columns typed:

- ``id``/``text`` -> ``pl.String``, except ``employee_id``: ``pl.Int128``, a 128-bit key made from
  the id's text at validation (``employee_key``), which every extract joins to employees by. The
  text itself is dropped: no output reads an id, and an integer key is both cheaper to make than a
  category (a million distinct ids filled polars' global table of categories: a third of a second of
  one core per file) and cheaper to join than text.
- ``code`` -> ``pl.Categorical`` (one global set of categories, so codes compare, join and group as
  small integers across every frame; already translated by ``[code_maps]``; a blank monitoring cell
  is ``"not_stated"``; ``sex`` in applications may be ``"not_stated"``)
- ``date`` -> ``pl.Date``; ``boolean`` -> ``pl.Boolean``; ``integer`` -> ``pl.Int64``
- ``money`` -> ``pl.Decimal(18, 2)`` (exact pounds and pence)
- ``weekly_hours`` -> ``pl.Decimal(18, 4)``; ``fte`` -> ``pl.Float64``

and these derived columns:

``employees``
  ``age_band`` (String): band at the snapshot date from ``date_of_birth``, or ``not_stated``;
  ``in_post`` (Boolean): employed on the snapshot date (start <= 31 March and no leave date before it);
  ``is_employee`` (Boolean): the person's workforce group is employment, not volunteering;
  ``leaver`` (Boolean): left during the reporting period.
``pay``
  ``days_in_period`` (Int64): period_end - period_start + 1.

Optional extracts that were not supplied are empty frames with the same schema, so measures never
need to ask whether a file existed (the report says so from ``supplied``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipeline.config import Organisation, ReportingYear

EMPLOYEE_ID = "employee_id"
EMPLOYEE_KEY = pl.Int128()
MONEY = pl.Decimal(18, 2)
HOURS = pl.Decimal(18, 4)


def employee_key(text: pl.Expr) -> pl.Expr:
    """The join key of an id: its text hashed twice with two fixed seeds (polars' xxh3), the two
    64-bit halves side by side in one ``Int128``; null stays null.

    Why a hash is safe here: two different ids sharing a key would merge two people, and with 128
    bits the chance of that among even ten million ids is about 10^-25, far below the chance of the
    machine miscounting. Keys live only inside one run (never stored), so polars may change its hash
    between versions without harm. ``h1 - 2^63`` keeps the product inside ``Int128``'s range.
    """
    high = text.hash(0x43594452).cast(pl.Int128) - pl.lit(2**63, pl.Int128)
    low = text.hash(0x41444431).cast(pl.Int128)
    return pl.when(text.is_not_null()).then(high * pl.lit(2**64, pl.Int128) + low)


@dataclass(frozen=True)
class Extracts:
    year: ReportingYear
    organisation: Organisation
    employees: pl.DataFrame
    pay: pl.DataFrame
    applications: pl.DataFrame
    training: pl.DataFrame
    grievances: pl.DataFrame
    disciplinary: pl.DataFrame
    supplied: tuple[str, ...] = ()  # names of the extracts actually present
    source_files: dict[str, str] = field(default_factory=dict)  # extract name -> file name read
