"""Property-based tests of the filter-logic parser against Python's own boolean evaluation."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.criteria import CriteriaError, Node, parse_logic

MAX_N = 6


def _expressions(n: int):
    """Random, well-formed filter logic over criteria 1..n, parenthesised wherever AND meets OR."""
    leaves = st.integers(min_value=1, max_value=n).map(str)

    def extend(children):
        binary = st.tuples(st.sampled_from(["AND", "OR"]), st.lists(children, min_size=2, max_size=3)).map(
            lambda t: "(" + f" {t[0]} ".join(t[1]) + ")"
        )
        negated = children.map(lambda c: f"NOT {c}")
        return binary | negated

    return st.recursive(leaves, extend, max_leaves=12)


def _reference(expression: str, values: tuple[bool, ...]) -> bool:
    """Translate to Python (numbers -> v[i-1], AND/OR/NOT -> and/or/not) and let Python decide."""
    python = []
    for token in expression.replace("(", " ( ").replace(")", " ) ").split():
        python.append(f"v[{int(token) - 1}]" if token.isdigit() else token.lower())
    return eval(" ".join(python), {"__builtins__": {}}, {"v": values})  # noqa: S307 - generated input only


@settings(max_examples=300, deadline=None)
@given(data=st.data(), n=st.integers(min_value=1, max_value=MAX_N))
def test_parsed_logic_agrees_with_python_on_every_assignment(data, n):
    # given a random expression over criteria 1..n
    expression = data.draw(_expressions(n))
    used = {int(t) for t in expression.replace("(", " ").replace(")", " ").split() if t.isdigit()}
    count = max(used)
    # when it is parsed
    if used != set(range(1, count + 1)):
        # then logic that leaves a criterion unused is refused with a message
        with pytest.raises(CriteriaError, match="not used"):
            parse_logic(expression, count)
        return
    node = parse_logic(expression, count)
    # then it agrees with Python's evaluation for every combination of criterion outcomes
    for values in itertools.product([False, True], repeat=count):
        assert node.evaluate(lambda i, v=values: v[i - 1]) == _reference(expression, values)
    # and its normalised text parses back to the same truth table
    again = parse_logic(str(node), count)
    for values in itertools.product([False, True], repeat=count):
        assert again.evaluate(lambda i, v=values: v[i - 1]) == node.evaluate(lambda i, v=values: v[i - 1])


def _parse_or_message(text: str, count: int):
    """The parsed node, or the CriteriaError message; any other exception fails the test."""
    try:
        return parse_logic(text, count)
    except CriteriaError as exc:
        return str(exc)


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=80), count=st.integers(min_value=0, max_value=10))
def test_any_text_either_parses_or_is_refused_with_a_criteria_error(text, count):
    # given arbitrary text, when parsed, then it answers a node or raises CriteriaError only
    outcome = _parse_or_message(text, count)
    assert isinstance(outcome, Node) or (isinstance(outcome, str) and outcome)


@settings(max_examples=500, deadline=None)
@given(
    tokens=st.lists(
        st.sampled_from(["1", "2", "3", "4", "AND", "OR", "NOT", "and", "or", "(", ")", " ", "0", "99", "x"]),
        max_size=25,
    )
)
def test_random_token_soup_never_raises_anything_but_criteria_error(tokens):
    # given logic-looking token sequences, many malformed
    text = " ".join(tokens)
    # when parsed, then either a node comes back or a CriteriaError with a message
    outcome = _parse_or_message(text, 4)
    assert isinstance(outcome, Node) or (isinstance(outcome, str) and outcome)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 AND 2 OR 3", "parentheses"),
        ("(1 AND 2", "not closed"),
        ("1 AND 2)", "Unexpected"),
        ("1 AND", "ends too early"),
        ("1 2 3", "AND or OR is missing"),
        ("1 AND 4", "only 1 to 3"),
        ("1 AND 2", "3 is defined but not used"),
        ("1 XOR 2", "not allowed"),
        ("1 & 2 | 3", "not allowed"),
        ("(" * 200 + "1" + ")" * 200, "nested too deeply"),
        ("1 AND " * 300 + "1", "too long"),
    ],
)
def test_malformed_logic_is_refused_with_a_clear_message(text, message):
    with pytest.raises(CriteriaError, match=message):
        parse_logic(text, 3)


def test_blank_logic_joins_all_criteria_with_and():
    node = parse_logic("  ", 3)
    assert str(node) == "1 AND 2 AND 3"
    assert node.evaluate(lambda i: True)
    assert not node.evaluate(lambda i: i != 2)


def test_logic_words_are_case_insensitive_and_normalised():
    node = parse_logic("(1 and 2) or not 3", 3)
    assert str(node) == "(1 AND 2) OR NOT 3"
    assert node.evaluate(lambda i: False)
