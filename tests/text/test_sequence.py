"""Masks and collate: property tests (mask sums = lengths, pad/unpad round trip)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vectab.text import collate, lengths_to_mask, pad_sequences, sequences_to_mask

id_lists = st.lists(st.lists(st.integers(0, 50), max_size=8), min_size=1, max_size=6)
sides = st.sampled_from(["pre", "post"])


def unpad(padded: np.ndarray, mask: np.ndarray) -> list[list[int]]:
    return [row[keep].tolist() for row, keep in zip(padded, mask)]


@settings(max_examples=80, deadline=None)
@given(id_lists, sides)
def test_pad_unpad_round_trip_and_mask_sums(sequences, padding):
    padded = pad_sequences(sequences, padding=padding, value=-1)
    lengths = [len(s) for s in sequences]
    mask = lengths_to_mask(lengths, padded.shape[1], padding=padding)
    assert mask.dtype == bool and mask.shape == padded.shape
    assert mask.sum(axis=1).tolist() == lengths
    assert unpad(padded, mask) == sequences
    # ids are never -1, so the value-based mask agrees with the length-based one
    np.testing.assert_array_equal(sequences_to_mask(padded, padding_value=-1), mask)


@settings(max_examples=80, deadline=None)
@given(id_lists, sides, sides, st.one_of(st.none(), st.integers(1, 5)))
def test_collate_matches_pad_sequences(sequences, padding, truncating, maxlen):
    ids, mask = collate(sequences, padding=padding, truncating=truncating, maxlen=maxlen)
    assert ids.dtype == torch.int64 and mask.dtype == torch.bool
    width = maxlen if maxlen is not None else max(len(s) for s in sequences)
    assert ids.shape == mask.shape == (len(sequences), width)
    kept = [min(len(s), width) for s in sequences]
    assert mask.sum(dim=1).tolist() == kept
    if width:
        expected = pad_sequences(
            sequences, maxlen=width, padding=padding, truncating=truncating, dtype="int64"
        )
        np.testing.assert_array_equal(ids.numpy(), expected)
    # id 0 inside a sequence stays a real token: the mask comes from the lengths
    truncated = [s[-width:] if truncating == "pre" else s[:width] for s in sequences]
    assert unpad(ids.numpy(), mask.numpy()) == [t if width else [] for t in truncated]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 9), max_size=6), st.one_of(st.none(), st.integers(1, 7)), sides)
def test_lengths_to_mask_numpy_and_torch_agree(lengths, maxlen, padding):
    as_numpy = lengths_to_mask(np.array(lengths, dtype=np.int64), maxlen, padding=padding)
    as_torch = lengths_to_mask(torch.tensor(lengths, dtype=torch.int64), maxlen, padding=padding)
    assert isinstance(as_numpy, np.ndarray) and isinstance(as_torch, torch.Tensor)
    assert as_torch.dtype == torch.bool
    np.testing.assert_array_equal(as_torch.numpy(), as_numpy)
    width = maxlen if maxlen is not None else max(lengths, default=0)
    assert as_numpy.shape == (len(lengths), width)
    assert as_numpy.sum(axis=1).tolist() == [min(n, width) for n in lengths]
    if padding == "pre" and width:
        assert all(row[-1] for row, n in zip(as_numpy, lengths) if n)


def test_sequences_to_mask_keeps_the_input_kind():
    padded = torch.tensor([[0, 3, 4], [5, 0, 0]])
    mask = sequences_to_mask(padded)
    assert isinstance(mask, torch.Tensor) and mask.tolist() == [
        [False, True, True],
        [True, False, False],
    ]
    assert sequences_to_mask(padded.numpy()).tolist() == mask.tolist()


def test_collate_in_a_dataloader():
    data = [[1, 2, 3], [4], [5, 6]]
    loader = torch.utils.data.DataLoader(data, batch_size=2, collate_fn=collate)
    (ids, mask), (ids2, mask2) = list(loader)
    assert ids.tolist() == [[1, 2, 3], [4, 0, 0]]
    assert mask2.tolist() == [[True, True]]


def test_collate_accepts_arrays_and_empty_batches():
    ids, mask = collate([np.array([3, 4]), np.array([], dtype=np.int64)], padding="pre")
    assert ids.tolist() == [[3, 4], [0, 0]] and mask.tolist() == [[True, True], [False, False]]
    ids, mask = collate([[], []])
    assert ids.shape == (2, 0) and mask.dtype == torch.bool


@pytest.mark.parametrize("padding", ["pre", "post"])
def test_large_batch_fast_path_equals_row_by_row(padding):
    rng = np.random.default_rng(0)
    sequences = [rng.integers(0, 1000, size=rng.integers(0, 40)).tolist() for _ in range(2000)]
    fast = pad_sequences(sequences, maxlen=20, padding=padding)
    rows = pad_sequences(
        [np.array(s, dtype=np.int64) for s in sequences], maxlen=20, padding=padding
    )
    np.testing.assert_array_equal(fast, rows)
