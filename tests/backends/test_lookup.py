"""The n-gram drafter of prompt-lookup decoding (the model-level check is in test_speed_model.py)."""

from vibecli.backends.lookup import NgramDrafter


def test_drafts_what_followed_the_last_ngram_before():
    drafter = NgramDrafter([1, 2, 3, 4, 5, 6, 9, 1, 2], n_max=3, n_min=2, draft_max=3)
    assert drafter.draft() == [3, 4, 5]


def test_prefers_the_longest_ngram_then_the_latest_occurrence():
    drafter = NgramDrafter([7, 2, 3, 8, 1, 2, 3, 9, 5, 2, 3], n_max=3, n_min=2, draft_max=2)
    assert drafter.draft() == [9, 5]  # "2 3" last came before "9 5"
    drafter = NgramDrafter([1, 2, 3, 8, 7, 2, 3, 9, 1, 2, 3], n_max=3, n_min=2, draft_max=2)
    assert drafter.draft() == [8, 7]  # "1 2 3" beats the later "2 3"


def test_follows_the_text_as_it_grows_and_stops_at_its_end():
    drafter = NgramDrafter([5, 6, 7, 8], n_max=2, n_min=2, draft_max=8)
    assert drafter.draft() == []
    drafter.add(5)
    drafter.add(6)
    assert drafter.draft() == [7, 8, 5, 6]
    drafter.add(1)
    assert drafter.draft() == []


def test_drafts_are_as_long_as_their_odds_pay_for():
    from vibecli.backends.lookup import DRAFT_MAX, draft_length

    assert draft_length(0.3) == 0  # mostly wrong: checking them costs more than they save
    assert draft_length(1.0) == DRAFT_MAX
    lengths = [draft_length(p / 20) for p in range(21)]
    assert lengths == sorted(lengths) and 0 < draft_length(0.8) < DRAFT_MAX
    assert draft_length(0.9, cost=0.0) == DRAFT_MAX and draft_length(0.99, cost=1.0) == 0
