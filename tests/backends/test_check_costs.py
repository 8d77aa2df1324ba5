"""What the draft-check timings say: the cost of a further checked row and the ceiling on prompt lookup."""

from vibecli.backends.bench import ceiling, row_cost


def test_a_row_that_costs_a_whole_decode_leaves_nothing_to_gain():
    assert row_cost([1.0, 2.0, 3.0]) == 1.0
    assert ceiling([1.0, 2.0, 3.0]) == 1.0


def test_the_ceiling_is_the_best_batch_size_not_the_largest():
    costs = [0.03, 0.06, 0.09, 0.076, 0.11, 0.088]  # even batches cheaper, as with tinyBLAS
    assert ceiling(costs) == 6 * 0.03 / 0.088
    assert abs(row_cost(costs) - (0.088 - 0.03) / 5 / 0.03) < 1e-12


def test_cheap_rows_approach_one_over_their_cost():
    costs = [1.0 + 0.5 * k for k in range(7)]
    assert abs(row_cost(costs) - 0.5) < 1e-12
    assert ceiling(costs) == 7 / 4.0  # 7 tokens for 4 decodes: below 1 / 0.5 however long the drafts
