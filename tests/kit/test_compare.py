"""The trusted side's rules: how one output is compared, and how the judge turns seeds into a score."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from autograder.boundary import ProbeResult
from autograder.compare import Mismatch, compare
from autograder.config import AccuracyTest, Course, Tolerance
from autograder.judge import SeedRun, judge_seed, judge_test
from autograder.wire import Array, Failed, Outputs, Rejected

ASSIGNMENT = "a1_bow"
RTOL, ATOL = 1e-5, 1e-6
HELDOUT_SIZE = 100


def _array(values: Any, torch_dtype: str) -> Array:
    numpy_dtype = "float32" if torch_dtype == "torch.bfloat16" else torch_dtype.removeprefix("torch.")
    return Array(np.asarray(values, dtype=numpy_dtype), torch_dtype)


def _message(mismatch: Mismatch | None) -> str | None:
    return None if mismatch is None else mismatch.message


def _compare(expected: Any, actual: Any, exact_dtype: bool = False, shape_only: bool = False) -> str | None:
    return _message(compare("out", expected, actual, RTOL, ATOL, exact_dtype=exact_dtype, shape_only=shape_only))


# ---------------------------------------------------------------- compare: arrays


@pytest.mark.parametrize(
    ("expected_shape", "actual_shape"), [((5,), (1,)), ((5,), (5, 1)), ((), (1,)), ((2, 3), (3, 2))]
)
def test_no_broadcasting(expected_shape: tuple[int, ...], actual_shape: tuple[int, ...]) -> None:
    """Shapes must match exactly, even where numpy would broadcast; the message shows both."""
    expected = _array(np.ones(expected_shape), "torch.float32")
    actual = _array(np.ones(actual_shape), "torch.float32")
    message = _compare(expected, actual)
    assert message is not None
    assert str(expected_shape) in message and str(actual_shape) in message, message


def test_dtype_family_mismatch() -> None:
    """An integer tensor where a floating one is expected fails, naming both dtypes."""
    message = _compare(_array([1.0, 2.0], "torch.float32"), _array([1, 2], "torch.int64"))
    assert message is not None
    assert "floating" in message and "torch.float32" in message and "torch.int64" in message, message


def test_family_mode_accepts_other_precision() -> None:
    """By default float64 is accepted for float32 (same family, same values)."""
    assert _compare(_array([1.0, 2.0], "torch.float32"), _array([1.0, 2.0], "torch.float64")) is None


def test_exact_dtype_mode() -> None:
    """With exact dtypes, float64 for float32 fails and names both dtypes."""
    message = _compare(_array([1.0, 2.0], "torch.float32"), _array([1.0, 2.0], "torch.float64"), exact_dtype=True)
    assert message is not None
    assert "torch.float32" in message and "torch.float64" in message, message
    assert _compare(_array([1.0], "torch.float32"), _array([1.0], "torch.float32"), exact_dtype=True) is None


@pytest.mark.parametrize(
    ("values", "index", "count"),
    [([1.0, np.nan, 3.0], (1,), 1), ([[1.0, 2.0], [np.inf, np.nan]], (1, 0), 2), (np.nan, (), 1)],
)
def test_nan_reported_with_index(values: Any, index: tuple[int, ...], count: int) -> None:
    """NaN or infinite values fail with their count and the index of the first."""
    actual = _array(values, "torch.float32")
    expected = _array(np.zeros(actual.values.shape), "torch.float32")
    message = _compare(expected, actual)
    assert message is not None
    assert f"{count} value(s) are NaN or infinite" in message and f"index {index}" in message, message


def test_values_within_tolerance_pass() -> None:
    """Errors just inside atol + rtol * |expected| pass."""
    expected = np.array([[1.0, -200.0, 0.0], [3e3, 0.5, -1e-3]])
    allowed = ATOL + RTOL * np.abs(expected)
    inside = expected + 0.9 * allowed * np.array([[1, -1, 1], [-1, 1, -1]])
    assert _compare(_array(expected, "torch.float64"), _array(inside, "torch.float64")) is None


def test_values_outside_tolerance_fail_with_largest_error() -> None:
    """Errors just outside the tolerance fail; the message names the largest absolute error and its index."""
    expected = np.array([[1.0, -200.0, 0.0], [3e3, 0.5, -1e-3]])
    allowed = ATOL + RTOL * np.abs(expected)
    actual = expected.copy()
    actual[0, 0] += 1.1 * allowed[0, 0]
    actual[1, 0] -= 1.1 * allowed[1, 0]  # the largest absolute error, since |expected| is largest here
    message = _compare(_array(expected, "torch.float64"), _array(actual, "torch.float64"))
    assert message is not None
    largest = abs(actual[1, 0] - expected[1, 0])
    assert "2 of 6 values differ" in message, message
    assert f"largest absolute error {largest:.4g} at index (1, 0)" in message, message


def test_integer_arrays_compare_exactly() -> None:
    """Integer tensors ignore the tolerances: a difference of 1 fails even with huge rtol/atol."""
    expected, actual = _array([[1, 2], [3, 4]], "torch.int64"), _array([[1, 2], [3, 5]], "torch.int64")
    message = _message(compare("ids", expected, actual, rtol=1.0, atol=10.0, exact_dtype=False))
    assert message is not None
    assert "1 of 4 values differ" in message and "index (1, 1)" in message, message
    assert "expected 4, got 5" in message, message
    assert compare("ids", expected, expected, rtol=0.0, atol=0.0, exact_dtype=True) is None


def test_bool_and_int_tensors_are_not_confused() -> None:
    """A bool tensor where an int64 one is expected (or the reverse) fails even with equal values."""
    as_bool, as_int = _array([True, False], "torch.bool"), _array([1, 0], "torch.int64")
    message = _compare(as_int, as_bool)
    assert message is not None and "torch.bool" in message, message
    message = _compare(as_bool, as_int)
    assert message is not None and "boolean" in message and "torch.int64" in message, message


def test_shape_only_ignores_values_not_shapes() -> None:
    """The shape rule accepts other values but not another shape."""
    expected = _array(np.zeros((2, 3)), "torch.float32")
    assert _compare(expected, _array(np.ones((2, 3)), "torch.float32"), shape_only=True) is None
    assert _compare(expected, _array(np.ones((3, 2)), "torch.float32"), shape_only=True) is not None


def test_rejected_actual_reports_reason() -> None:
    """An output the sandbox refused to serialise fails with the sandbox's reason."""
    message = _compare(_array([1.0], "torch.float32"), Rejected("a torch.Tensor subclass"))
    assert message is not None and "a torch.Tensor subclass" in message, message


def test_tensor_expected_but_data_returned() -> None:
    """A list where a tensor is expected fails and says what came instead."""
    message = _compare(_array([1.0, 2.0], "torch.float32"), [1.0, 2.0])
    assert message is not None and "(2,)" in message and "list of 2 items" in message, message


# ---------------------------------------------------------------- compare: plain data


def test_nested_lists_report_path_of_first_difference() -> None:
    """Nested lists fail at the path of their first difference, e.g. tokens[3][2]."""
    expected = [["it", "'s"], ["a"], ["great", "film"], ["do", "n't", "watch"]]
    actual = [list(tokens) for tokens in expected]
    actual[3][2] = "see"
    message = _message(compare("tokens", expected, actual, RTOL, ATOL, exact_dtype=False))
    assert message is not None
    assert message.startswith("tokens[3][2]:"), message
    assert "'watch'" in message and "'see'" in message, message


def test_list_length_and_mapping_paths() -> None:
    """A missing item and a difference inside a mapping are reported at their path."""
    message = _message(compare("tokens", [["a", "b"], ["c"]], [["a", "b"], ["c", "d"]], RTOL, ATOL, False))
    assert message is not None and message.startswith("tokens[1]:") and "1 items, got 2" in message, message
    message = _message(compare("vocab", {"<unk>": 0, "a": [1, 2]}, {"<unk>": 0, "a": [1, 3]}, RTOL, ATOL, False))
    assert message is not None and message.startswith("vocab['a'][1]:"), message


@pytest.mark.parametrize(
    ("expected", "actual"),
    [(True, 1), (1, True), (False, 0), (0, False), (1.0, True), (True, 1.0), (0.0, False), ([1, 0], [True, False])],
)
def test_bool_and_int_data_are_not_confused(expected: Any, actual: Any) -> None:
    """True is not 1 and False is not 0, in either direction."""
    assert _compare(expected, actual) is not None
    assert _compare(expected, expected) is None


def test_numbers_in_data_use_the_tolerance() -> None:
    """Floats in plain data pass within the tolerance and fail outside it or when not finite."""
    assert _compare(100.0, 100.0 + 0.9 * (ATOL + RTOL * 100.0)) is None
    assert _compare(100.0, 100.0 + 1.1 * (ATOL + RTOL * 100.0)) is not None
    assert _compare(0.5, float("nan")) is not None
    assert _compare(0.5, "0.5") is not None


# ---------------------------------------------------------------- the judge


def _ok(outputs: Outputs, printed: str = "") -> ProbeResult:
    return ProbeResult("ok", outputs=outputs, printed=printed)


@pytest.fixture
def tolerance(course: Course) -> Tolerance:
    return course.tolerances["cpu"]


@pytest.fixture
def accuracy_test(course: Course) -> AccuracyTest:
    test = course.assignment(ASSIGNMENT).test("heldout_accuracy")
    assert isinstance(test, AccuracyTest) and test.floor is not None
    return test


def _heldout(correct: int) -> tuple[np.ndarray, Array]:
    """Labels of HELDOUT_SIZE examples, and int64 predictions with exactly ``correct`` of them right."""
    labels = np.random.default_rng(0).integers(0, 2, HELDOUT_SIZE).astype(np.int64)
    predictions = labels.copy()
    predictions[correct:] = 1 - predictions[correct:]
    return labels, Array(predictions, "torch.int64")


def _judge_accuracy(test: AccuracyTest, tolerance: Tolerance, correct: int) -> float:
    labels, predictions = _heldout(correct)
    run = SeedRun(0, None, _ok({test.output: predictions}), {})
    return judge_test(test, [run], tolerance, labels).fraction


def test_accuracy_at_threshold_is_full(accuracy_test: AccuracyTest, tolerance: Tolerance) -> None:
    """Exactly the threshold's accuracy earns full marks, one example fewer does not."""
    correct = round(accuracy_test.threshold * HELDOUT_SIZE)
    assert correct / HELDOUT_SIZE == accuracy_test.threshold  # the threshold is reachable with this many
    assert _judge_accuracy(accuracy_test, tolerance, correct) == 1.0
    assert _judge_accuracy(accuracy_test, tolerance, correct - 1) < 1.0
    assert _judge_accuracy(accuracy_test, tolerance, HELDOUT_SIZE) == 1.0


def test_accuracy_between_floor_and_threshold_is_linear(accuracy_test: AccuracyTest, tolerance: Tolerance) -> None:
    """Between floor and threshold the credit is (accuracy - floor) / (threshold - floor)."""
    floor, threshold = accuracy_test.floor, accuracy_test.threshold
    assert floor is not None
    low, high = int(np.ceil(floor * HELDOUT_SIZE)) + 1, int(np.floor(threshold * HELDOUT_SIZE)) - 1
    assert low < high
    for correct in (low, (low + high) // 2, high):
        expected = (correct / HELDOUT_SIZE - floor) / (threshold - floor)
        assert 0 < expected < 1
        assert _judge_accuracy(accuracy_test, tolerance, correct) == pytest.approx(expected, abs=1e-12)


def test_accuracy_below_floor_is_zero(accuracy_test: AccuracyTest, tolerance: Tolerance) -> None:
    """Below the floor the test scores nothing, and the feedback gives the accuracy."""
    assert accuracy_test.floor is not None
    correct = int(np.floor(accuracy_test.floor * HELDOUT_SIZE)) - 1
    assert _judge_accuracy(accuracy_test, tolerance, correct) == 0.0
    assert _judge_accuracy(accuracy_test, tolerance, 0) == 0.0
    labels, predictions = _heldout(correct)
    verdict = judge_seed(accuracy_test, SeedRun(0, None, _ok({"predictions": predictions}), {}), tolerance, labels)
    assert f"accuracy {correct / HELDOUT_SIZE:.3f}" in verdict.message, verdict.message


@pytest.mark.parametrize(
    ("make_predictions", "fragment"),
    [
        (lambda labels: Array(labels[:-1].copy(), "torch.int64"), "expected a tensor of shape"),
        (lambda labels: Array(labels[None, :].copy(), "torch.int64"), "expected a tensor of shape"),
        (lambda labels: Array(labels.astype(np.float32), "torch.float32"), "expected integer class labels"),
        (lambda labels: labels.tolist(), "expected a tensor of shape"),
        (lambda labels: Rejected("a torch.Tensor subclass"), "expected a tensor of shape"),
    ],
    ids=["too-short", "extra-dimension", "float-dtype", "a-list", "rejected"],
)
def test_accuracy_needs_integer_predictions_of_the_right_shape(
    accuracy_test: AccuracyTest, tolerance: Tolerance, make_predictions: Any, fragment: str
) -> None:
    """Perfect predictions of the wrong shape, type or dtype score 0 with a reason."""
    labels, _ = _heldout(HELDOUT_SIZE)
    run = SeedRun(0, None, _ok({accuracy_test.output: make_predictions(labels)}), {})
    verdict = judge_test(accuracy_test, [run], tolerance, labels)
    assert verdict.fraction == 0.0
    assert fragment in verdict.message, verdict.message


def test_decreasing_property(course: Course, tolerance: Tolerance) -> None:
    """A strictly decreasing series passes; a flat or rising one, or one with NaN, fails (each series
    is its own reference here, so the anchor holds and the check alone decides)."""
    test = course.assignment(ASSIGNMENT).test("loss_decreases")
    assert test.rule == "property" and test.check == "decreasing"
    name = test.outputs[0]

    def fraction(series: Any) -> float:
        return judge_test(test, [SeedRun(0, None, _ok({name: series}), {name: series})], tolerance, None).fraction

    assert fraction([0.9, 0.7, 0.5, 0.4]) == 1.0
    assert fraction(Array(np.array([0.9, 0.7, 0.5], dtype=np.float32), "torch.float32")) == 1.0
    assert fraction([0.5, 0.5, 0.5]) == 0.0
    assert fraction([0.9, 0.7, 0.8]) == 0.0
    assert fraction([0.9, float("nan"), 0.5]) == 0.0
    assert fraction([0.9]) == 0.0
    verdict = judge_test(test, [SeedRun(0, None, _ok({name: [0.5, 0.5]}), {name: [0.5, 0.5]})], tolerance, None)
    assert f"{name} should be decreasing" in verdict.message, verdict.message


def test_weakest_seed_decides(course: Course, tolerance: Tolerance) -> None:
    """Passing the public input but failing hidden input #1 scores 0, and the feedback says which."""
    test = course.assignment(ASSIGNMENT).test("tokenize")
    assert len(test.hidden_seeds) >= 1
    reference = {"tokens": [["a", "great", "film"], ["bad"]]}
    wrong = {"tokens": [["a", "great", "film"], ["good"]]}
    runs = [
        SeedRun(test.seeds[0], None, _ok(reference), reference),
        SeedRun(test.hidden_seeds[0], 1, _ok(wrong, printed="debug line\n"), reference),
    ]
    runs += [SeedRun(seed, i, _ok(reference), reference) for i, seed in enumerate(test.hidden_seeds[1:], start=2)]
    verdict = judge_test(test, runs, tolerance, None)
    assert verdict.fraction == 0.0
    assert verdict.message.startswith("On hidden input #1: tokens[1][0]:"), verdict.message
    assert f"passed {len(runs) - 1} of {len(runs)} inputs" in verdict.message, verdict.message
    assert "Your code printed:\ndebug line" in verdict.message, verdict.message
    passing = judge_test(test, [runs[0], SeedRun(runs[1].seed, 1, _ok(reference), reference)], tolerance, None)
    assert passing.fraction == 1.0 and passing.message.startswith("passed on 1 public input and 1 hidden")


def test_failed_probe_scores_zero_with_its_reason(course: Course, tolerance: Tolerance) -> None:
    """A seed whose test process failed scores 0 with the process's message and traceback."""
    test = course.assignment(ASSIGNMENT).test("tokenize")
    result = ProbeResult("error", "NameError: name 'x' is not defined", '  File "bow_data.py", line 3')
    verdict = judge_test(test, [SeedRun(test.seeds[0], None, result, {"tokens": []})], tolerance, None)
    assert verdict.fraction == 0.0
    assert "NameError" in verdict.message and 'File "bow_data.py", line 3' in verdict.message, verdict.message


def test_gradient_rule_says_gradient(course: Course, tolerance: Tolerance) -> None:
    """A mismatch under the gradient rule is reported as a wrong gradient."""
    test = course.assignment(ASSIGNMENT).test("model_gradients")
    assert test.rule == "gradient"
    reference = {"input_grad": _array([[1.0, 2.0]], "torch.float32")}
    actual = {"input_grad": _array([[1.0, 2.5]], "torch.float32")}
    verdict = judge_test(test, [SeedRun(test.seeds[0], None, _ok(actual), reference)], tolerance, None)
    assert verdict.fraction == 0.0
    assert verdict.message.startswith("wrong gradient: input_grad:"), verdict.message


# ---------------------------------------------------------------- feedback in the probe's own terms


def test_positions_use_the_probe_axis_names() -> None:
    """Where the probe named its axes, a position reads "step 2, b[1]", not "index (1, 5)"."""
    blocks = [("w", [2, 2]), ("b", [2])]  # a flattened axis of 6 values: w (2, 2), then b (2,)
    expected = Array(np.zeros((3, 6), dtype=np.float32), "torch.float32", ("step", blocks))
    wrong = np.zeros((3, 6), dtype=np.float32)
    wrong[1, 5] = 1.0
    message = _compare(expected, _array(wrong, "torch.float32"))
    assert message is not None and "at step 2, b[1]" in message, message
    wrong[1, 5], wrong[2, 2] = 0.0, 1.0
    message = _compare(expected, _array(wrong, "torch.float32"))
    assert message is not None and "at step 3, w[1, 0]" in message, message
    unnamed = _compare(_array(np.zeros((3, 6)), "torch.float32"), _array(wrong, "torch.float32"))
    assert unnamed is not None and "at index (2, 2)" in unnamed, unnamed


def test_relative_error_ignores_expected_zeros() -> None:
    """A relative error against an expected value of (almost) zero is noise: it is not reported there."""
    expected = np.array([0.0, 1e-30, 2.0, 4.0])
    actual = np.array([0.5, 0.5, 2.0, 4.4])
    message = _compare(_array(expected, "torch.float64"), _array(actual, "torch.float64"))
    assert message is not None
    assert "largest relative error 0.1 at index (3,)" in message, message
    only_zeros = _compare(_array(np.zeros(3), "torch.float64"), _array(np.ones(3), "torch.float64"))
    assert only_zeros is not None and "relative" not in only_zeros, only_zeros


def test_failed_output_carries_its_own_error() -> None:
    """An output the probe could not compute reports the student's error and traceback, as data."""
    mismatch = compare("one_hot", _array([1.0], "torch.float32"), Failed("IndexError: out of range", "  line 3"),
                       RTOL, ATOL, exact_dtype=False)
    assert mismatch is not None and mismatch.kind == "failed"
    assert mismatch.message == "one_hot: IndexError: out of range" and mismatch.detail == "  line 3"


def test_list_mismatch_names_the_item() -> None:
    """A list output that differs at item i says i, so the judge can show the probe's input i."""
    mismatch = compare("tokens", [["a"], ["b", "c"]], [["a"], ["b", "d"]], RTOL, ATOL, exact_dtype=False)
    assert mismatch is not None and mismatch.item == 1 and mismatch.message.startswith("tokens[1][1]")


def test_hint_is_shown_on_failure_only(course: Course, tolerance: Tolerance) -> None:
    """A test's hint from grading.yaml follows the feedback of a failing test, never a passing one."""
    test = course.assignment(ASSIGNMENT).test("tokenize").model_copy(update={"hint": "lowercase first"})
    reference = {"tokens": [["a"]]}
    failing = judge_test(test, [SeedRun(0, None, _ok({"tokens": [["A"]]}), reference)], tolerance, None)
    passing = judge_test(test, [SeedRun(0, None, _ok(reference), reference)], tolerance, None)
    assert "\nHint: lowercase first" in failing.message and "Hint" not in passing.message


def test_anchored_property_rejects_forged_self_consistent_outputs(course: Course, tolerance: Tolerance) -> None:
    """Two outputs equal to each other pass `equal` only if the anchored one also equals the reference,
    so outputs forged to agree with each other earn nothing."""
    test = course.assignment(ASSIGNMENT).test("no_test_leak")
    assert test.rule == "property" and test.check == "equal" and test.anchor
    first, second = test.outputs
    reference = {first: ["<unk>", "good", "film"], second: ["<unk>", "good", "film"]}
    forged = {first: ["<unk>", "x"], second: ["<unk>", "x"]}
    leaked = {first: ["<unk>", "good", "film", "bad"], second: ["<unk>", "good", "film"]}

    def verdict(outputs: dict[str, Any]) -> Any:
        return judge_test(test, [SeedRun(0, None, _ok(outputs), reference)], tolerance, None)

    assert verdict(reference).fraction == 1.0
    assert verdict(leaked).fraction == 0.0
    assert verdict(forged).fraction == 0.0 and second in verdict(forged).message
