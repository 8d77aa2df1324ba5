"""The n-gram drafter of prompt-lookup decoding (the model-level check is in test_speed_model.py)."""

from vibecli.backends.lookup import NgramDrafter


def test_drafts_what_followed_the_last_ngram_before():
    drafter = NgramDrafter([1, 2, 3, 4, 5, 6, 9, 1, 2], n_min=2, draft_max=3)
    assert drafter.draft() == [3, 4, 5]


def test_prefers_the_longest_match_then_the_latest_occurrence():
    drafter = NgramDrafter([7, 2, 3, 8, 1, 2, 3, 9, 5, 2, 3], n_min=2, draft_max=2)
    assert drafter.draft() == [9, 5]  # "2 3" last came before "9 5"
    drafter = NgramDrafter([1, 2, 3, 8, 7, 2, 3, 9, 1, 2, 3], n_min=2, draft_max=2)
    assert drafter.draft() == [8, 7]  # "1 2 3" beats the later "2 3"


def test_copies_from_the_look_alike_that_matches_furthest_back():
    first, second = [10, 1, 2, 3, 4, 5, 50], [20, 1, 2, 3, 4, 5, 60]
    drafter = NgramDrafter([*first, *second, 10, 1, 2, 3, 4, 5], n_min=2, draft_max=1)
    assert drafter.draft() == [50]  # the same 5 tokens end both; only the 6th back tells them apart
    drafter = NgramDrafter([*first, *second, 10, 1, 2, 3, 4, 5], n_min=2, draft_max=1, match_max=4)
    assert drafter.draft() == [60]  # compared only 4 back, both tie: the latest wins


def test_follows_the_text_as_it_grows_and_stops_at_its_end():
    drafter = NgramDrafter([5, 6, 7, 8], n_min=2, draft_max=8)
    assert drafter.draft() == []
    drafter.add(5)
    drafter.add(6)
    assert drafter.draft() == [7, 8, 5, 6]
    drafter.add(1)
    assert drafter.draft() == []


def test_drafts_are_as_long_as_their_odds_pay_for():
    from vibecli.backends.lookup import DRAFT_MAX, draft_length, linear_costs

    assert draft_length(0.3) == 0  # mostly wrong: checking them costs more than they save
    assert draft_length(1.0) == DRAFT_MAX
    lengths = [draft_length(p / 20) for p in range(21)]
    assert lengths == sorted(lengths) and 0 < draft_length(0.8) < DRAFT_MAX
    assert draft_length(0.9, linear_costs(0.0)) == DRAFT_MAX and draft_length(0.99, linear_costs(1.0)) == 0


def test_a_measured_table_steers_drafts_to_the_cheap_batch_sizes():
    from vibecli.backends.lookup import draft_length

    tinyblas = [1.0, 1.76, 3.0, 2.33, 3.54, 2.7, 3.71]  # measured on a stock build: odd sizes cost the next even one
    assert draft_length(0.95, tinyblas) == 5  # a batch of 6, not 7
    assert draft_length(0.8, tinyblas) == 5 and draft_length(0.6, tinyblas) == 0
    assert draft_length(0.99, [1.0, 1.5, 1.8]) == 2  # never past the sizes the table knows


def test_remembered_values_survive_processes_and_bad_files(tmp_path):
    from vibecli.backends.lookup import remembered

    path = tmp_path / "cache" / "known.json"
    calls = []

    def compute():
        calls.append(1)
        return [1.0, 1.5]

    def valid(value):
        return isinstance(value, list)

    assert remembered(path, "k", compute, valid) == [1.0, 1.5] and len(calls) == 1
    assert remembered(path, "k", compute, valid) == [1.0, 1.5] and len(calls) == 1  # read back, not computed
    assert remembered(path, "other", lambda: True, lambda v: isinstance(v, bool)) is True
    assert remembered(path, "k", compute, valid) == [1.0, 1.5] and len(calls) == 1  # both keys kept
    path.write_text("{not json")
    assert remembered(path, "k", compute, valid) == [1.0, 1.5] and len(calls) == 2  # damaged: computed again
    path.write_text('{"k": "garbage"}')
    assert remembered(path, "k", compute, valid) == [1.0, 1.5] and len(calls) == 3
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert remembered(blocked / "known.json", "k", compute, valid) == [1.0, 1.5]  # cannot be written: no error
    assert not list(path.parent.glob("*.tmp"))
