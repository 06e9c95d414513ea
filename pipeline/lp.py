"""Which unknown counts a system of linear constraints pins to one whole number: a reader's linear
programming attack on withheld counts.

Disclosure control (``pipeline.measures.disclosure``) and the audit (``pipeline.audit``) narrow each
withheld count's interval one constraint at a time. That misses bounds a reader gets by adding
inequalities across many lines at once. The case that showed it (a red team's LP attack on a
60-person organisation): the training table's approved requests (total) were withheld, yet they
lie between the completed plus, over the religions shown, approved less completed, and the
requested less, over the same religions, requested less approved. Both sums were 52. No single
line narrows the total; only their sum does.

The linear programming relaxation of the whole system gives each unknown its exact range over real
values. A count whose range holds one whole number is pinned (a reader knows counts are whole).
This is the check a statistical office's audit runs (tau-ARGUS's audit solves the same two LPs per
cell); like it, it does not try integer programming, which could pin a little more.

Solving two LPs for each of a thousand withheld counts costs seconds, so feasible points are
gathered first: the true values, when the caller knows them, and the least and the greatest sum
of the counts not yet seen to move.
A count seen at two whole numbers, or at 0, is open without an LP of its own (a withheld zero
describes nobody, and a range that holds 0 and any other whole number holds two). Only the rest are
minimised and maximised, each solve starting from the last one's basis, and each optimum found is
one more feasible point. The sample's audit takes about 15 solves.

The solver is HiGHS (``highspy``, pinned in ``constraints.txt``), used through its core class:
``highspy.Highs``, the wrapper around it, prints a banner to the process's standard output when it
is made, which a scheduled run's log should not carry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

# A point of the constraints is the solver's, feasible to within its tolerances (1e-7): a value
# within this of a whole number is that number.
_TOLERANCE = 1e-5

Row = tuple[Mapping[int, int], float, float]  # coefficients by unknown, and the least and greatest sum


def pinned(lower: Sequence[float], upper: Sequence[float], rows: Sequence[Row], ask: Sequence[int],
           truth: Sequence[float] | None = None) -> dict[int, int] | None:
    """Each unknown of ``ask`` that the constraints pin to one whole number other than 0, with that
    number; None when the constraints have no solution (the caller's model and the figures disagree,
    so nothing can be claimed from it).

    ``lower`` and ``upper`` bound each unknown (``math.inf`` for none); each row says
    ``low <= sum(coef * x) <= high`` (equal for an equation). ``truth``, when given, is a solution
    (disclosure control knows the true counts): it saves solves, nothing more.
    """
    n = len(lower)
    if not ask:
        return {}
    solver = _Solver(lower, upper, rows)
    seen_lo = np.full(n, math.inf)
    seen_hi = np.full(n, -math.inf)

    def saw(x: np.ndarray) -> None:
        np.minimum(seen_lo, x, out=seen_lo)
        np.maximum(seen_hi, x, out=seen_hi)

    def is_open(j: int) -> bool:
        """Seen at 0, or at two whole numbers (not yet seen at all: not open)."""
        if seen_lo[j] > seen_hi[j]:
            return False
        return (seen_lo[j] <= _TOLERANCE
                or math.floor(seen_hi[j] + _TOLERANCE) - math.ceil(seen_lo[j] - _TOLERANCE) >= 1)

    if truth is not None:
        saw(np.asarray(truth, dtype=float))
    # Points first, with every unknown capped far above any count so that no objective is unbounded
    # (a capped solution is a solution): the most and the least of all the counts not yet seen at
    # two whole numbers, taken together; each round opens most of them, and it stops when one opens
    # none. (Random objectives instead left a hundred of the sample's thousand to solve one by one.)
    cap = 10.0 * (1.0 + max([abs(b) for _, lo, hi in rows for b in (lo, hi) if math.isfinite(b)]
                            + [abs(b) for b in (*lower, *upper, *(truth or ())) if math.isfinite(b)] + [0.0]))
    solver.cap(cap)
    closed = [j for j in ask if not is_open(j)]
    while closed:
        for sign in (-1.0, 1.0):
            cost = np.zeros(n)
            cost[closed] = sign
            point = solver.optimum(cost)
            if point is None:
                break  # infeasible, or every solution has a count above the cap: the solves below tell
            saw(point)
        still = [j for j in closed if not is_open(j)]
        if len(still) == len(closed):
            break
        closed = still
    solver.cap(math.inf)
    found: dict[int, int] = {}
    for j in closed:
        if is_open(j):
            continue
        least = solver.optimum(_unit(n, j, 1.0))
        if least is None:
            return None  # bounded below by its own bound: the system has no solution
        saw(least)
        most = solver.optimum(_unit(n, j, -1.0))
        if most is None:
            continue  # unbounded above
        saw(most)
        whole = math.ceil(seen_lo[j] - _TOLERANCE)
        if not is_open(j) and whole <= seen_hi[j] + _TOLERANCE:  # (no whole number at all: claim nothing)
            found[j] = whole
    return found


def extents(lower: Sequence[float], upper: Sequence[float], rows: Sequence[Row],
            costs: Sequence[Mapping[int, float]]) -> list[tuple[float, float]] | None:
    """The least and the greatest of each ``sum(cost[j] * x[j])`` over the solutions of the
    constraints (``-math.inf`` or ``math.inf`` where there is no bound), from one model; None when
    there is no solution."""
    solver = _Solver(lower, upper, rows)
    out = []
    for cost in costs:
        objective = np.zeros(len(lower))
        for j, c in cost.items():
            objective[j] = c
        least = solver.value(objective)
        if least is None:
            return None
        most = solver.value(-objective)
        out.append((least, math.inf if most is None else -most))
    return out


def _unit(n: int, j: int, sign: float) -> np.ndarray:
    cost = np.zeros(n)
    cost[j] = sign
    return cost


class _Solver:
    """One HiGHS model, solved again for each objective from the last basis (a few iterations
    where a fresh solve takes the whole model's)."""

    def __init__(self, lower: Sequence[float], upper: Sequence[float], rows: Sequence[Row]) -> None:
        import highspy

        self._highspy = highspy
        self._h = highspy._Highs()  # see the module's docstring: the wrapper prints a banner
        self._h.setOptionValue("output_flag", False)
        inf = highspy.kHighsInf
        self._n = n = len(lower)
        self._lower = np.asarray(lower, dtype=float)
        self._upper = np.where(np.isinf(np.asarray(upper, dtype=float)), inf, np.asarray(upper, dtype=float))
        self._h.addVars(n, self._lower, self._upper)
        starts, index, value, low, high = [], [], [], [], []
        for coefs, lo, hi in rows:
            starts.append(len(index))
            index += list(coefs)
            value += list(coefs.values())
            low.append(lo if math.isfinite(lo) else -inf)
            high.append(hi if math.isfinite(hi) else inf)
        if rows:
            self._h.addRows(len(rows), np.array(low, dtype=float), np.array(high, dtype=float), len(index),
                            np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32),
                            np.array(value, dtype=float))
        self._all = np.arange(n, dtype=np.int32)

    def cap(self, at: float) -> None:
        """Bound every unknown above by ``at`` too (``math.inf``: by its own bound only)."""
        upper = self._upper if math.isinf(at) else np.minimum(self._upper, at)
        self._h.changeColsBounds(self._n, self._all, self._lower, upper)

    def _minimise(self, cost: np.ndarray) -> object:
        """Solve for the least ``cost``; the model's status."""
        self._h.changeColsCost(self._n, self._all, cost)
        self._h.run()
        return self._h.getModelStatus()

    def optimum(self, cost: np.ndarray) -> np.ndarray | None:
        """The values at a minimum of ``cost``; None when there is none (unbounded or infeasible)."""
        if self._minimise(cost) != self._highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self._h.getSolution().col_value, dtype=float)

    def value(self, cost: np.ndarray) -> float | None:
        """The least value of ``cost``: ``-math.inf`` when it has none, None when there is no solution."""
        status = self._minimise(cost)
        if status == self._highspy.HighsModelStatus.kOptimal:
            return float(self._h.getInfo().objective_function_value)
        if status == self._highspy.HighsModelStatus.kUnbounded:
            return -math.inf
        return None  # infeasible (or unbounded or infeasible, which a feasible model is not)
