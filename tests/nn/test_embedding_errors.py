"""Every user mistake with the Embedding layer raises a clear TypeError / ValueError."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vectab.nn import Embedding

BAD_CONSTRUCTOR_ARGS = [
    ({"input_dim": 0}, ValueError, "`input_dim` must be an int >= 1, got 0"),
    ({"input_dim": 5.0}, TypeError, "`input_dim` must be an int >= 1, got float: 5.0"),
    ({"input_dim": "10"}, TypeError, "`input_dim` must be an int >= 1, got str: '10'"),
    ({"input_dim": True}, TypeError, "`input_dim`"),
    ({"output_dim": -3}, ValueError, "`output_dim` must be an int >= 1, got -3"),
    ({"input_length": 0}, ValueError, "`input_length` must be an int >= 1"),
    ({"mask_zero": "no"}, TypeError, "`mask_zero` must be True or False, got str: 'no'"),
    ({"padding_idx": 10}, ValueError, r"`padding_idx` must be an int in \[-10, 9\], got 10"),
    ({"padding_idx": -11}, ValueError, "`padding_idx`"),
    ({"padding_idx": 1.5}, TypeError, "`padding_idx`"),
    ({"max_norm": 0}, ValueError, "`max_norm` must be a number > 0 or None, got 0"),
    ({"max_norm": -1.0}, ValueError, "`max_norm`"),
    ({"max_norm": "2"}, TypeError, "`max_norm`"),
    ({"norm_type": float("nan")}, ValueError, "`norm_type`"),
    ({"sparse": "no"}, TypeError, "`sparse` must be True or False"),
    ({"scale_grad_by_freq": 0}, TypeError, "`scale_grad_by_freq` must be True or False"),
    ({"embeddings_initializer": "unifrom"}, ValueError, "Did you mean 'uniform'"),
    ({"embeddings_initializer": 3}, TypeError, "`embeddings_initializer` must be a name"),
    ({"embeddings_initializer": np.zeros((9, 4))},
     ValueError, r"produced a table of shape \(9, 4\)"),
    ({"embeddings_initializer": lambda shape: np.zeros((2, 2))}, ValueError, "produced a table"),
    ({"embeddings_regularizer": "l3"}, ValueError, "`embeddings_regularizer` must be 'l1'"),
    ({"embeddings_regularizer": 0.01}, TypeError, "`embeddings_regularizer` must be None"),
    ({"activity_regularizer": "L_2"}, ValueError, "`activity_regularizer`"),
    ({"embeddings_constraint": "maxnorm"}, ValueError, "Did you mean 'max_norm'"),
    ({"embeddings_constraint": 2.0}, TypeError, "`embeddings_constraint` must be None"),
    ({"weights": [np.zeros((9, 4))]},
     ValueError, r"`weights` has shape \(9, 4\) but the layer is \(10, 4\)"),
    ({"weights": [np.zeros((10, 4)), np.zeros(4)]},
     ValueError, "one \\(input_dim, output_dim\\) matrix"),
    ({"weights": [np.array([["a"] * 4] * 10)]}, TypeError, "`weights` must"),
    ({"trainable": np.ones(9, bool)}, ValueError, r"length input_dim=10 .* shape \(9,\)"),
    ({"trainable": np.ones(10, int)}, ValueError, "mask.astype\\(bool\\)"),
    ({"trainable": "yes"}, TypeError, "`trainable` must be True, False or a bool array"),
    ({"sparse": True, "embeddings_regularizer": "l2"}, ValueError, "sparse=True cannot hold"),
    ({"dtype": "int64"}, TypeError, "`dtype` must be None, a floating torch dtype"),
    ({"dtype": "mixed_float16"}, TypeError, "got 'mixed_float16'"),
    ({"dtype": torch.long}, TypeError, "`dtype`"),
    ({"name": 3}, TypeError, "`name` must be a str or None; got int 3"),
]


@pytest.mark.parametrize(("changes", "error", "message"), BAD_CONSTRUCTOR_ARGS)
def test_bad_constructor_arguments(changes, error, message):
    args = {"input_dim": 10, "output_dim": 4} | changes
    with pytest.raises(error, match=message):
        Embedding(**args)


def test_weights_off_by_one_hints_at_len_word_index_plus_one():
    with pytest.raises(ValueError, match=r"mask_zero=True\): both the matrix and input_dim need "
                       r"len\(word_index\) \+ 1 rows"):
        Embedding(5001, 100, weights=[np.zeros((5000, 100))], mask_zero=True)


BAD_IDS = [
    (torch.tensor([[1, 10]]), ValueError, r"\[0, 10\); found 10 at position \(0, 1\)"),
    (torch.tensor([3, -1]), ValueError, r"found -1 at position \(1,\)"),
    (torch.tensor([[1.0, 2.0]]), TypeError, "integer token ids .* torch.float32"),
    (torch.tensor([True, False]), TypeError, "torch.bool"),
    (np.array([[1.0, 2.0]]), TypeError, "dtype float64"),
    ([[1, 2], [3]], ValueError, "ragged"),
    (np.array([[1, 2, 99]]), ValueError, "found 99"),
]


@pytest.mark.parametrize(("ids", "error", "message"), BAD_IDS)
def test_bad_ids_raise_before_the_kernel(ids, error, message):
    for layer in (Embedding(10, 2), Embedding(10, 2, trainable=np.arange(10) % 2 == 0)):
        with pytest.raises(error, match=message):
            layer(ids)


def test_small_int_ids_and_lists_are_accepted():
    layer = Embedding(10, 2)
    for ids in (torch.tensor([1, 2], dtype=torch.uint8), [1, 2], np.array([1, 2], np.int16),
                torch.tensor([1, 2], dtype=torch.int32)):
        assert torch.equal(layer(ids), layer.weight[[1, 2]])


def test_input_length_mismatch():
    layer = Embedding(10, 2, input_length=5)
    for ids in (torch.zeros(2, 4, dtype=torch.long),
                torch.tensor(3), torch.zeros(5, 2, dtype=torch.long)):
        with pytest.raises(ValueError, match="`input_length` is 5 but the ids have"):
            layer(ids)


def test_bad_rows_to_freeze():
    layer = Embedding(10, 2)
    for ids, error in (([10], ValueError), ([-1], ValueError), ([1.5], TypeError)):
        with pytest.raises(error, match="`ids`"):
            layer.freeze_rows(ids)
        with pytest.raises(error, match="`ids`"):
            layer.unfreeze_rows(ids)


def test_bad_from_pretrained_and_from_vectors_arguments():
    with pytest.raises(ValueError, match="`embeddings` must be a 2-D"):
        Embedding.from_pretrained(torch.zeros(3))
    with pytest.raises(ValueError, match=r"`freeze` must be .* \(True = the row stays fixed\)"):
        Embedding.from_pretrained(torch.zeros(3, 2), freeze=np.ones(4, bool))
    with pytest.raises(ValueError, match="`freeze` must be 'pretrained', True or False"):
        Embedding.from_vectors(None, {"a": 1}, freeze="yes")
    for freeze in (1, None):
        with pytest.raises(TypeError, match="`freeze` must be 'pretrained', True or False"):
            Embedding.from_vectors(None, {"a": 1}, freeze=freeze)
    with pytest.raises(TypeError, match="`tokenizer` must be a fitted Tokenizer"):
        Embedding.from_vectors(None, ["a", "b"])


def test_bad_model_for_collectors():
    from vectab.nn import apply_constraints, regularization_loss

    for fn in (apply_constraints, regularization_loss):
        with pytest.raises(TypeError, match="`model` must be a torch.nn.Module"):
            fn([Embedding(2, 2)])
