"""pipeline.lp: which unknown counts a system of constraints pins to one whole number, on systems
small enough to solve by hand."""

from __future__ import annotations

import math

from pipeline.lp import pinned

INF = math.inf


def test_counts_held_between_their_bounds_and_a_total_are_pinned():
    # x + y = 10 with x at most 4 and y at most 6: only 4 + 6 makes 10
    assert pinned([0, 0], [4, 6], [({0: 1, 1: 1}, 10, 10)], [0, 1]) == {0: 4, 1: 6}


def test_a_count_free_to_move_is_not_pinned():
    # x + y = 10, each at most 8: x runs from 2 to 8
    assert pinned([0, 0], [8, 8], [({0: 1, 1: 1}, 10, 10)], [0, 1]) == {}


def test_a_count_pinned_to_zero_is_not_reported():
    # x + y = 4 with x at most 0: x is 0 (it describes nobody) and y is 4
    assert pinned([0, 0], [0, INF], [({0: 1, 1: 1}, 4, 4)], [0, 1]) == {1: 4}


def test_a_count_with_no_bound_above_is_not_pinned():
    # x - y = 0: both can be anything, however large
    assert pinned([1, 1], [INF, INF], [({0: 1, 1: -1}, 0, 0)], [0, 1]) == {}


def test_a_range_holding_one_whole_number_pins_it():
    # x + y = 3 and x <= y <= x + 1: x runs from 1 to 1.5 and y from 1.5 to 2 over real values, but
    # counts are whole: x is 1 and y is 2
    rows = [({0: 1, 1: 1}, 3, 3), ({0: 1, 1: -1}, -INF, 0), ({1: 1, 0: -1}, -INF, 1)]
    assert pinned([0, 0], [INF, INF], rows, [0, 1]) == {0: 1, 1: 2}


def test_a_range_holding_no_whole_number_claims_nothing():
    # x + y = 7 and x = y: 3.5 each, which no count is (the figures and the model disagree)
    rows = [({0: 1, 1: 1}, 7, 7), ({0: 1, 1: -1}, 0, 0)]
    assert pinned([0, 0], [INF, INF], rows, [0, 1]) == {}


def test_constraints_with_no_solution_claim_nothing():
    assert pinned([5, 5], [INF, INF], [({0: 1, 1: 1}, 4, 4)], [0, 1]) is None


def test_sums_across_lines_pin_what_no_one_line_does():
    # approved a + b + c = 8; completed a + c = 7 (the total 8 less b's 1 shown); each completed count
    # at most the approved one of its row: so a + c approved are at least 7, b approved at most 1, and
    # at least its 1 completed. Unknowns: approved a, b, c, completed a, c
    rows = [({0: 1, 1: 1, 2: 1}, 8, 8), ({3: 1, 4: 1}, 7, 7), ({3: 1, 0: -1}, -INF, 0), ({4: 1, 2: -1}, -INF, 0)]
    lower = [0, 1, 0, 0, 0]  # b approved: at least its 1 completed
    assert pinned(lower, [INF] * 5, rows, [0, 1, 2, 3, 4]) == {1: 1}


def test_the_true_values_change_nothing_but_the_work():
    rows = [({0: 1, 1: 1, 2: 1}, 8, 8), ({3: 1, 4: 1}, 7, 7), ({3: 1, 0: -1}, -INF, 0), ({4: 1, 2: -1}, -INF, 0)]
    lower = [0, 1, 0, 0, 0]
    assert pinned(lower, [INF] * 5, rows, [0, 1, 2, 3, 4], truth=[2, 1, 5, 2, 5]) == {1: 1}


def test_the_solver_prints_nothing(capfd):
    # a scheduled run's log carries our words only (highspy.Highs prints a banner when made)
    pinned([0, 0], [4, 6], [({0: 1, 1: 1}, 10, 10)], [0, 1])
    out, err = capfd.readouterr()
    assert out == "" and err == ""
