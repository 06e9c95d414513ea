"""Validated, typed frames: what the measures receive.

After validation every extract is a polars ``DataFrame`` with the contract's columns typed:

- ``id``/``text`` -> ``pl.String``, except ``employee_id``: ``pl.Categorical``, the key every
  extract joins to employees by (its text is hashed once, at validation; every join then matches
  integers). It is still never printed: no output reads an id.
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
MONEY = pl.Decimal(18, 2)
HOURS = pl.Decimal(18, 4)


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
