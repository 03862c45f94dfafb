"""vectab.text's hashing_trick, one_hot, skipgrams and make_sampling_table give exactly what
keras_preprocessing's give (Keras 2's tf.keras.preprocessing), and Keras 3's legacy copies."""

from __future__ import annotations

import random
import warnings
from hashlib import md5

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vectab.text import hashing_trick, make_sampling_table, one_hot, skipgrams

kp_text = pytest.importorskip(
    "keras_preprocessing.text", reason="keras-preprocessing (the parity oracle) is not installed"
)
kp_sequence = pytest.importorskip("keras_preprocessing.sequence")

# letters whose lower-casing is special, punctuation, every kind of whitespace
ALPHABET = "aAbBzZ ΣσΑΟİiıǅǆßﬁé'.,!?-_\t\n\x0b\x0c\r\x1c\u3000\xa0\u2028\x00"
WORDS = ["the", "The", "THE", "a", "Σ", "ΑΣ", "οδοσ", "İ", "x.y", "don't", "ß", "", "<OOV>"]
token = st.one_of(st.sampled_from(WORDS), st.text(alphabet=ALPHABET, max_size=5), st.text())
separator = st.sampled_from([" ", "  ", ", ", ". ", "\t", "\n", "", "!"])
text = st.lists(st.tuples(token, separator), max_size=8).map(
    lambda parts: "".join(t + s for t, s in parts)
)
text_options = st.fixed_dictionaries(
    {
        "lower": st.booleans(),
        "filters": st.sampled_from(['!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n', "", " aeΣ", "\u3000x"]),
        "split": st.sampled_from([" ", "a", "\t", "xy", "Σ"]),
    }
)
HASHES = [
    None,
    "md5",
    len,
    lambda w: sum(map(ord, w)) * 7919,
    lambda w: -int(md5(w.encode()).hexdigest(), 16),  # negative: Python's % stays >= 0
    hash,
]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text, st.integers(2, 2**70), st.sampled_from(HASHES), text_options)
def test_hashing_trick_matches_keras(sample, n, hash_function, kwargs):
    # hash=None is Python's salted hash: equal within one process, which this is
    ours = hashing_trick(sample, n, hash_function=hash_function, **kwargs)
    assert ours == kp_text.hashing_trick(sample, n, hash_function=hash_function, **kwargs)
    assert all(type(i) is int and 1 <= i <= n - 1 for i in ours)


@SETTINGS
@given(text, st.integers(2, 1000), text_options)
def test_one_hot_matches_keras(sample, n, kwargs):
    assert one_hot(sample, n, **kwargs) == kp_text.one_hot(sample, n, **kwargs)


def test_md5_ids_are_stable_across_processes():
    """md5 is the stable choice: these ids are fixed forever (Keras gives the same)."""
    sample = "The quick brown fox, the lazy dog!"
    expected = [int(md5(w.encode()).hexdigest(), 16) % 99 + 1
                for w in ["the", "quick", "brown", "fox", "the", "lazy", "dog"]]
    assert hashing_trick(sample, 100, hash_function="md5") == expected
    assert hashing_trick(sample, 100, hash_function="md5")[:2] == [51, 13]


def test_numpy_n_gives_python_ints():
    ids = hashing_trick("a b c", np.int64(7), hash_function="md5")
    assert ids == kp_text.hashing_trick("a b c", 7, hash_function="md5")
    assert all(type(i) is int for i in ids)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 3000), st.floats(1e-9, 10.0))
def test_make_sampling_table_matches_keras_bit_for_bit(size, sampling_factor):
    ours = make_sampling_table(size, sampling_factor)
    expected = kp_sequence.make_sampling_table(size, sampling_factor)
    assert ours.dtype == np.float64 and ours.shape == (size,)
    np.testing.assert_array_equal(ours, expected)
    np.testing.assert_array_equal(make_sampling_table(size), kp_sequence.make_sampling_table(size))


def keras_skipgrams(*args, **kwargs):
    with warnings.catch_warnings():  # its seed=None path calls randint(0, 10e6): deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        return kp_sequence.skipgrams(*args, **kwargs)


skipgram_case = st.integers(2, 30).flatmap(
    lambda vocab: st.tuples(
        st.just(vocab),
        st.lists(st.integers(0, vocab - 1), max_size=40),
        st.fixed_dictionaries(
            {
                "window_size": st.integers(0, 6),
                "negative_samples": st.sampled_from([0, 0.0, 1, 1.0, 2.5, 0.3, 4]),
                "shuffle": st.booleans(),
                "categorical": st.booleans(),
                "seed": st.one_of(st.none(), st.integers(-(2**40), 2**40)),
                "sampling_table": st.one_of(
                    st.none(),
                    st.floats(1e-4, 2.0).map(lambda f, v=vocab: make_sampling_table(v, f)),
                    st.lists(st.floats(0, 1), min_size=vocab, max_size=vocab).map(np.array),
                ),
            }
        ),
        st.integers(0, 2**32),
    )
)


@SETTINGS
@given(skipgram_case)
def test_skipgrams_match_keras_for_the_same_generator_state(case):
    """Same global `random` state and seed -> the same couples, labels and state after."""
    vocab, sequence, kwargs, state_seed = case
    random.seed(state_seed)
    expected = keras_skipgrams(sequence, vocab, **kwargs)
    after_keras = random.getstate()
    random.seed(state_seed)
    got = skipgrams(sequence, vocab, **kwargs)
    assert random.getstate() == after_keras  # the next caller draws what it would after Keras
    assert got == expected
    assert isinstance(got, tuple)
    # a private generator in the same state draws exactly what the global one did
    random.seed(state_seed + 1)
    assert skipgrams(sequence, vocab, **kwargs, rng=random.Random(state_seed)) == expected


@SETTINGS
@given(skipgram_case)
def test_skipgram_pairs_follow_keras_rules(case):
    """What the pairs are, checked directly: positives are in-window nonzero neighbours."""
    vocab, sequence, kwargs, state_seed = case
    kwargs = {**kwargs, "shuffle": False, "sampling_table": None, "categorical": False}
    couples, labels = skipgrams(sequence, vocab, **kwargs, rng=random.Random(state_seed))
    w = kwargs["window_size"]
    positives = [
        [a, sequence[j]]
        for i, a in enumerate(sequence)
        if a
        for j in range(max(0, i - w), min(len(sequence), i + w + 1))
        if j != i and sequence[j]
    ]
    assert couples[: len(positives)] == positives
    negatives = couples[len(positives):]
    assert len(negatives) == int(len(positives) * kwargs["negative_samples"])
    assert labels == [1] * len(positives) + [0] * len(negatives)
    centres = {a for a, _ in positives}
    assert all(a in centres and 1 <= b < vocab for a, b in negatives)


def test_skipgrams_large_sequence_with_table_matches_keras():
    rng = np.random.default_rng(0)
    vocab = 5000
    sequence = (rng.zipf(1.3, size=4000) % vocab).tolist()
    table = make_sampling_table(vocab)
    for kwargs in (
        {"sampling_table": table, "seed": 3},
        {"negative_samples": 2.5, "categorical": True, "seed": 11},
        {"window_size": 1, "shuffle": False},
    ):
        random.seed(7)
        expected = keras_skipgrams(sequence, vocab, **kwargs)
        random.seed(7)
        assert skipgrams(sequence, vocab, **kwargs) == expected
    # numpy input: the same pairs, as Python ints
    random.seed(7)
    expected = keras_skipgrams(np.array(sequence), vocab, seed=5)
    random.seed(7)
    got = skipgrams(np.array(sequence, dtype=np.int32), vocab, seed=5)
    assert got == expected and type(got[0][0][0]) is int


def test_keras3_legacy_helpers_agree():
    """Keras 3 keeps these functions in keras.src.legacy.preprocessing (not public any more)."""
    legacy_text = pytest.importorskip("keras.src.legacy.preprocessing.text")
    legacy_sequence = pytest.importorskip("keras.src.legacy.preprocessing.sequence")
    sample = "Hello, World! the ΣΑΣ cat\tsat. ß"
    for hash_function in (None, "md5", len):
        assert hashing_trick(sample, 37, hash_function=hash_function) == (
            legacy_text.hashing_trick(sample, 37, hash_function=hash_function)
        )
    assert one_hot(sample, 11, lower=False) == legacy_text.one_hot(sample, 11, lower=False)
    np.testing.assert_array_equal(
        make_sampling_table(500, 1e-3), legacy_sequence.make_sampling_table(500, 1e-3)
    )
    sequence = [0, 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 0, 8, 9, 7]
    table = make_sampling_table(10, 0.05)
    for kwargs in ({"seed": 1}, {"sampling_table": table, "categorical": True, "seed": 2}):
        random.seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            expected = legacy_sequence.skipgrams(sequence, 10, **kwargs)
        random.seed(0)
        assert skipgrams(sequence, 10, **kwargs) == expected


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"text": None}, TypeError, "`text`"),
        ({"text": b"a b"}, TypeError, "`text`"),
        ({"n": 1}, ValueError, "`n`"),
        ({"n": 0}, ValueError, "`n`"),
        ({"n": 2.0}, TypeError, "`n`"),
        ({"n": True}, TypeError, "`n`"),
        ({"n": "10"}, TypeError, "`n`"),
        ({"hash_function": "sha1"}, ValueError, "`hash_function`"),
        ({"hash_function": 5}, TypeError, "`hash_function`"),
        ({"split": ""}, ValueError, "`split`"),
        ({"split": None}, TypeError, "`split`"),
        ({"filters": None}, TypeError, "`filters`"),
        ({"lower": "yes"}, TypeError, "`lower`"),
    ],
)
def test_hashing_trick_errors_name_the_argument(kwargs, error, needle):
    args = {"text": "a b c", "n": 10, **kwargs}
    with pytest.raises(error, match=needle) as info:
        hashing_trick(**args)
    assert "got" in str(info.value)
    if "hash_function" not in kwargs:
        with pytest.raises(error, match=needle):
            one_hot(**args)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "needle"),
    [
        (([1, 2], 1), {}, ValueError, "`vocabulary_size`"),
        (([1, 2], 5.0), {}, TypeError, "`vocabulary_size`"),
        (([1, 2], None), {}, TypeError, "`vocabulary_size`"),
        (("12", 5), {}, TypeError, "`sequence`"),
        ((None, 5), {}, TypeError, "`sequence`"),
        (([1, 2.0], 5), {}, TypeError, "`sequence`"),
        (([1, True], 5), {}, TypeError, "`sequence`"),
        (([[1, 2]], 5), {}, TypeError, "`sequence`"),
        (([1, 5], 5), {}, ValueError, "`sequence`"),
        (([1, -1], 5), {}, ValueError, "`sequence`"),
        (([1, 2], 5), {"window_size": -1}, ValueError, "`window_size`"),
        (([1, 2], 5), {"window_size": 1.5}, TypeError, "`window_size`"),
        (([1, 2], 5), {"negative_samples": -0.5}, ValueError, "`negative_samples`"),
        (([1, 2], 5), {"negative_samples": float("inf")}, ValueError, "`negative_samples`"),
        (([1, 2], 5), {"negative_samples": float("nan")}, ValueError, "`negative_samples`"),
        (([1, 2], 5), {"negative_samples": "1"}, TypeError, "`negative_samples`"),
        (([1, 2], 5), {"shuffle": 1}, TypeError, "`shuffle`"),
        (([1, 2], 5), {"categorical": None}, TypeError, "`categorical`"),
        (([1, 2], 5), {"seed": 1.5}, TypeError, "`seed`"),
        (([1, 2], 5), {"seed": "1"}, TypeError, "`seed`"),
        (([1, 2], 5), {"sampling_table": [0.5] * 4}, ValueError, "`sampling_table`"),
        (([1, 2], 5), {"sampling_table": "abcde"}, TypeError, "`sampling_table`"),
        (([1, 2], 5), {"sampling_table": [[0.5] * 5]}, TypeError, "`sampling_table`"),
        (([1, 2], 5), {"rng": 3}, TypeError, "`rng`"),
    ],
)
def test_skipgrams_errors_name_the_argument(args, kwargs, error, needle):
    with pytest.raises(error, match=needle) as info:
        skipgrams(*args, **kwargs)
    assert "got" in str(info.value)


@pytest.mark.parametrize(
    ("args", "error", "needle"),
    [
        ((0,), ValueError, "`size`"),
        ((3.0,), TypeError, "`size`"),
        ((5, 0.0), ValueError, "`sampling_factor`"),
        ((5, -1e-5), ValueError, "`sampling_factor`"),
        ((5, float("nan")), ValueError, "`sampling_factor`"),
        ((5, "1e-5"), TypeError, "`sampling_factor`"),
        ((5, True), TypeError, "`sampling_factor`"),
    ],
)
def test_make_sampling_table_errors_name_the_argument(args, error, needle):
    with pytest.raises(error, match=needle) as info:
        make_sampling_table(*args)
    assert "got" in str(info.value)
