"""Numbers and dates as a reader sees them, one function for both languages.

Rounding happens here, once, with ``decimal`` (``ROUND_HALF_UP`` unless the organisation chose
``half_even``), and only then does Babel format the already-rounded number: Babel itself rounds
half-even, which would make 12.25 print as 12.2 in one place and 12.3 in another
(``shared/spec/welsh-and-accessibility.md`` §3.2). Welsh (``cy``) and English (``en_GB``) share the
same digits, decimal point and grouping, so the same figure prints identically in both versions.

Dates are built numerals-first from CLDR month names ("31 Mawrth 2024"), never with
``format_interval`` (which adds a stray comma in Welsh) nor ``format_list`` ("a(c)").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import format_decimal

BABEL_LOCALES = {"cy": "cy_GB", "en": "en_GB"}
ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}

# d3-format locale objects for charts: d3 ships no Welsh locale, so both are given as dicts built
# from the same CLDR symbols Babel uses.


def d3_format_locale(lang: str) -> dict[str, object]:
    loc = Locale.parse(BABEL_LOCALES[lang])
    sym = loc.number_symbols.get("latn", loc.number_symbols) if hasattr(loc, "number_symbols") else {}
    decimal = sym.get("decimal", ".")
    group = sym.get("group", ",")
    return {"decimal": decimal, "thousands": group, "grouping": [3], "currency": ["£", ""], "percent": "%",
            "minus": "-"}


@dataclass(frozen=True)
class Formatter:
    """Formats every number in the report for one language."""

    lang: str
    rounding: str = "half_up"

    @property
    def locale(self) -> str:
        return BABEL_LOCALES[self.lang]

    def _round(self, value: float | int | Decimal, places: int) -> Decimal:
        q = Decimal(1).scaleb(-places)
        d = value if isinstance(value, Decimal) else Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        r = d.quantize(q, rounding=ROUNDING.get(self.rounding, ROUND_HALF_UP))
        if r == 0:
            r = abs(r)  # never print "-0.0"
        return r

    def number(self, value: float | int, places: int = 0, signed: bool = False) -> str:
        r = self._round(value, places)
        pattern = "#,##0" + ("." + "0" * places if places else "")
        if signed:
            pattern = f"+{pattern};-{pattern}"
        text = format_decimal(r, format=pattern, locale=self.locale, decimal_quantization=False)
        if signed and r == 0:
            text = text.lstrip("+")
        return text

    def count(self, value: float | int) -> str:
        return self.number(value, 0)

    def percent(self, value: float | int, places: int = 1) -> str:
        """``value`` is already on the 0-100 scale (the measures' convention)."""
        return self.number(value, places) + "%"

    def points(self, value: float | int, places: int = 1) -> str:
        """A signed change in percentage points ("+1.2", "-0.4", "0.0")."""
        return self.number(value, places, signed=True)

    def ratio(self, value: float | int) -> str:
        return self.number(value, 2)

    def year(self, value: int) -> str:
        return str(int(value))  # years are never grouped ("2024", not "2,024")

    def date(self, iso: str | dt.date) -> str:
        d = dt.date.fromisoformat(iso) if isinstance(iso, str) else iso
        month = Locale.parse(self.locale).months["format"]["wide"][d.month]
        return f"{d.day} {month} {d.year}"
