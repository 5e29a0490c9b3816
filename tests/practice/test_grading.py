"""Grading a knowledge check (practice.grading): plain rules, no database."""

import pytest

from practice.grading import AnswerError, chosen_parse, grade

OPTIONS = [
    {"text": "A", "correct": False, "explanation": "Not A."},
    {"text": "B", "correct": True, "explanation": "B it is."},
    {"text": "C", "correct": True, "explanation": ""},
]


def test_right_means_exactly_the_right_options():
    assert grade(OPTIONS, [1, 2]).correct
    assert not grade(OPTIONS, [1]).correct  # one of two right ones is not enough
    assert not grade(OPTIONS, [0, 1, 2]).correct  # nor is everything


def test_the_result_names_the_right_options_and_explains_those_involved():
    result = grade(OPTIONS, [0]).as_data()
    assert result == {
        "correct": False,
        "chosen": [0],
        "right": [1, 2],
        "explanations": {"0": "Not A.", "1": "B it is."},
    }


@pytest.mark.parametrize(
    ("values", "multiple", "message"),
    [
        ([], True, "Choose an answer first."),
        (["7"], True, "Choose one of the answers shown."),
        (["-1"], True, "Choose one of the answers shown."),
        (["x"], True, "Choose one of the answers shown."),
        ([True], True, "Choose one of the answers shown."),
        ([None], True, "Choose one of the answers shown."),
        (["0", "1"], False, "This question has one answer: choose only one."),
    ],
)
def test_answers_a_check_cannot_take_are_refused_in_words(values, multiple, message):
    with pytest.raises(AnswerError, match=message):
        chosen_parse(values, options=3, multiple=multiple)


def test_repeated_and_unordered_choices_read_as_one_set():
    assert chosen_parse(["2", 1, "2"], options=3, multiple=True) == (1, 2)
