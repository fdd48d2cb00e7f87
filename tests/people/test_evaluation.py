"""The matching quality measure: precision and recall computed right on a tiny hand-labelled set,
and the synthetic set holding what it claims to."""

from __future__ import annotations

from datetime import date

import pytest

from caselink.people import evaluation
from caselink.people.evaluation import LabelledPair, LabelledSet, Prediction, Record


def test_precision_and_recall_on_a_hand_labelled_set() -> None:
    truth = {(1, 2), (3, 4), (5, 6), (7, 8)}
    predictions = [
        Prediction((1, 2), 0.99, "auto_link"),  # right
        Prediction((3, 4), 0.97, "auto_link"),  # right
        Prediction((9, 10), 0.96, "auto_link"),  # wrong: twins
        Prediction((5, 6), 0.7, "review"),  # right, in the review band
        Prediction((11, 12), 0.65, "review"),  # wrong
    ]  # (7, 8) missed

    report = evaluation.measure("hand", predictions, truth, pairs_compared=20, kinds={(7, 8): ("missing_dob",)})

    assert report.auto_link.precision == pytest.approx(2 / 3)
    assert report.auto_link.recall == pytest.approx(2 / 4)
    assert report.with_review.precision == pytest.approx(3 / 5)
    assert report.with_review.recall == pytest.approx(3 / 4)
    assert report.review_band.precision == pytest.approx(1 / 2)
    assert [p.pair for p in report.false_links] == [(9, 10)]
    assert report.missed == [(7, 8)]
    assert report.recall_by_kind == {"missing_dob": (0, 1)}
    assert not report.meets_targets
    text = evaluation.format_report(report)
    assert "precision 0.6667 (2/3)" in text and "MISSES TARGET" in text and "9 / 10" in text


def test_nothing_predicted_counts_as_full_precision_and_no_recall() -> None:
    report = evaluation.measure("empty", [], {(1, 2)}, pairs_compared=1)
    assert (report.auto_link.precision, report.with_review.recall) == (1.0, 0.0)


def test_the_online_matcher_scores_a_tiny_labelled_set() -> None:
    records = {
        1: Record(1, "William", "Hargreaves", date(1984, 3, 7), "MALE", ("M1 1AE",)),
        2: Record(2, "Bill", "Hargreaves", date(1984, 3, 7), "MALE", ("M1 1AE",)),
        3: Record(3, "Jordan", "Okafor", date(2001, 1, 15), "MALE", ("SE15 4QL",)),
        4: Record(4, "Jayden", "Okafor", date(2001, 1, 15), "MALE", ("SE15 4QL",)),
    }
    labelled = LabelledSet(records, [LabelledPair(1, 2, True, ("nickname",)), LabelledPair(3, 4, False, ("twin",))])
    report = evaluation.evaluate_online(labelled)
    assert report.auto_link.correct == 1 and report.auto_link.precision == 1.0
    assert report.with_review.recall == 1.0


def test_the_synthetic_set_plants_what_it_says() -> None:
    labelled = evaluation.build_set(people=300, duplicates=100, hard_negatives=40, seed=3)
    assert len(labelled.records) == 440
    assert len(labelled.true_pairs) == 100
    negatives = [p for p in labelled.pairs if not p.same_person]
    assert len(negatives) == 40
    for pair in negatives:
        a, b = labelled.records[pair.earlier], labelled.records[pair.later]
        assert a.family_name == b.family_name and a.postcodes[:1] == b.postcodes[:1]
        if pair.kinds == ("twin",):
            assert a.date_of_birth == b.date_of_birth and a.given_name != b.given_name
    kinds = {kind for p in labelled.pairs for kind in p.kinds}
    assert {"typo_family", "missing_dob", "swapped_names", "different_address"} <= kinds
    # The same seed gives the same set.
    again = evaluation.build_set(people=300, duplicates=100, hard_negatives=40, seed=3)
    assert again.pairs == labelled.pairs


def test_the_batch_linkage_is_measured_on_the_set() -> None:
    labelled = evaluation.build_set(people=300, duplicates=60, hard_negatives=30, seed=5)
    report = evaluation.evaluate_batch(labelled)
    assert report.pairs_compared > 0
    assert report.with_review.truth == 60
    assert report.auto_link.predicted >= 1
    assert report.auto_link.correct <= report.auto_link.predicted
