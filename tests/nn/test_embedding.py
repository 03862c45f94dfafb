"""Embedding: Keras calls, torch.nn.Embedding parity, masks, sparse training, state_dict."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vectab.nn import Embedding
from vectab.testing import run_module_test


def _ids(shape, vocab, seed=0):
    return torch.randint(0, vocab, shape, generator=torch.Generator().manual_seed(seed))


def test_keras_tutorial_calls_run_as_written():
    layer = Embedding(5, 2, input_length=5)
    assert layer(torch.tensor([[0, 1, 2, 3, 4]])).shape == (1, 5, 2)
    matrix = np.random.default_rng(0).normal(size=(5000, 200))
    layer = Embedding(input_dim=5000, output_dim=200, weights=[matrix], trainable=True)
    assert torch.allclose(layer.weight, torch.as_tensor(matrix, dtype=torch.float32))
    assert layer.weight.requires_grad
    num_words = 300
    embedding_matrix = np.zeros((num_words, 300))
    layer = Embedding(num_words, 300, weights=[embedding_matrix], input_length=10, trainable=False)
    assert not layer.weight.requires_grad and layer.trainable is False
    assert layer(np.zeros((2, 10), dtype="int32")).shape == (2, 10, 300)
    assert Embedding(10, 8, name="word_embedding").name == "word_embedding"


def test_keras_style_dtype_names():
    assert Embedding(3, 2, dtype="float64").weight.dtype == torch.float64
    assert Embedding(3, 2, dtype=torch.bfloat16).weight.dtype == torch.bfloat16


def test_keras_default_initializer_is_uniform_005():
    table = Embedding(2000, 50).weight
    assert table.abs().max() <= 0.05 and table.std() > 0.02
    assert table.dtype == torch.float32


def test_torch_attributes_and_repr():
    layer = Embedding(10, 4, mask_zero=True, padding_idx=-1, max_norm=1.5, sparse=True)
    assert (layer.num_embeddings, layer.embedding_dim, layer.padding_idx) == (10, 4, 9)
    assert layer.max_norm == 1.5 and layer.sparse and layer.mask_zero
    assert isinstance(layer, nn.Module) and isinstance(layer.weight, nn.Parameter)
    assert torch.equal(layer.weight[9], torch.zeros(4))
    assert repr(layer) == ("Embedding(10, 4, mask_zero=True, padding_idx=9, max_norm=1.5, "
                           "sparse=True)")
    assert layer.count_params() == 40
    assert layer.embeddings is layer.weight  # Keras' name


@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4), ()])
def test_lookup_equals_one_hot_times_table_exactly(shape):
    layer = Embedding(11, 6, dtype=torch.float64)
    ids = _ids(shape, 11)
    one_hot = F.one_hot(ids, 11).to(torch.float64)
    assert torch.equal(layer(ids), one_hot @ layer.weight)


def test_harness_dense_sparse_partial_and_masked():
    ids = torch.tensor([[1, 2, 3, 0], [4, 4, 0, 0]])
    mask = ids != 0
    run_module_test(lambda: Embedding(6, 3, mask_zero=True), ids,
                    expected_output_shape=(2, 4, 3), expected_mask=mask,
                    expected_output_dtype=torch.float32)
    run_module_test(lambda: Embedding(6, 3, sparse=True, padding_idx=0), ids)
    rows = torch.tensor([True, False, True, False, True, True])
    run_module_test(lambda: Embedding(6, 3, trainable=rows, max_norm=0.04), ids)
    run_module_test(lambda: Embedding(6, 3, trainable=False), ids)


@pytest.mark.parametrize(
    "options",
    [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"max_norm": 0.5}, {"sparse": True},
     {"scale_grad_by_freq": True}, {"sparse": True, "padding_idx": 0, "max_norm": 0.7}],
)
def test_same_output_and_gradients_as_torch(options):
    table = torch.randn(20, 5, dtype=torch.float64)
    ours = Embedding.from_pretrained(table.clone(), freeze=False, **options)
    ref = nn.Embedding.from_pretrained(table.clone(), freeze=False, **options)
    ids = _ids((4, 9), 20, seed=1)
    weights = torch.randn(4, 9, 5, dtype=torch.float64)
    out_ours, out_ref = ours(ids), ref(ids)
    assert torch.equal(out_ours, out_ref)
    (out_ours * weights).sum().backward()
    (out_ref * weights).sum().backward()
    g_ours, g_ref = ours.weight.grad, ref.weight.grad
    assert g_ours.is_sparse == g_ref.is_sparse == options.get("sparse", False)
    assert torch.equal(g_ours.to_dense(), g_ref.to_dense())
    assert torch.equal(ours.weight, ref.weight)  # max_norm renormalized the same rows in place
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["weight"]


def test_state_dict_loads_into_torch_embedding_and_back():
    ours = Embedding(8, 3)
    ref = nn.Embedding(8, 3)
    ref.load_state_dict(ours.state_dict())
    assert torch.equal(ref.weight, ours.weight)
    back = Embedding(8, 3)
    back.load_state_dict(ref.state_dict())
    assert torch.equal(back.weight, ours.weight)


def test_only_looked_up_rows_get_gradient():
    layer = Embedding(30, 4)
    ids = torch.tensor([[3, 7, 7], [29, 0, 3]])
    layer(ids).sum().backward()
    touched = layer.weight.grad.abs().sum(1) > 0
    assert touched.nonzero().squeeze(1).tolist() == [0, 3, 7, 29]


def test_padding_idx_row_gets_no_gradient_and_mask_zero_keeps_keras_gradient():
    ids = torch.tensor([[0, 1, 0, 2]])
    padded = Embedding(5, 3, padding_idx=0)
    padded(ids).sum().backward()
    assert torch.equal(padded.weight.grad[0], torch.zeros(3))
    keras_like = Embedding(5, 3, mask_zero=True)
    keras_like(ids).sum().backward()
    assert torch.equal(keras_like.weight.grad[0], torch.full((3,), 2.0))
    assert keras_like.padding_idx is None


def test_compute_mask_only_with_mask_zero():
    ids = torch.tensor([[5, 0, 3]])
    assert Embedding(6, 2).compute_mask(ids) is None
    assert Embedding(6, 2, mask_zero=True).compute_mask(ids).tolist() == [[True, False, True]]


def test_sparse_true_trains_with_sparse_adam():
    torch.manual_seed(0)
    layer = Embedding(100, 8, sparse=True)
    head = nn.Linear(8, 2)
    opt_table = torch.optim.SparseAdam(list(layer.parameters()), lr=0.05)
    opt_head = torch.optim.Adam(head.parameters(), lr=0.05)
    ids = _ids((32, 5), 100, seed=3)
    labels = (ids[:, 0] % 2).long()
    losses = []
    for _ in range(60):
        opt_table.zero_grad()
        opt_head.zero_grad()
        loss = F.cross_entropy(head(layer(ids)[:, 0]), labels)
        loss.backward()
        assert layer.weight.grad.is_sparse
        opt_table.step()
        opt_head.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]


def test_from_pretrained_follows_torch_signature():
    table = torch.randn(6, 2)
    frozen = Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad and torch.equal(frozen.weight, table)
    learning = Embedding.from_pretrained(table, False, 1)
    assert learning.weight.requires_grad and learning.padding_idx == 1
    rows = Embedding.from_pretrained(table.double(), freeze=np.array([1, 1, 0, 0, 1, 1], bool))
    assert rows.trainable_rows.tolist() == [False, False, True, True, False, False]
    assert rows.weight.dtype == torch.float64
    shared = torch.randn(5, 3)
    assert Embedding.from_pretrained(shared, freeze=False).weight.data_ptr() == shared.data_ptr()
    matrix = np.ones((5, 3), np.float32)
    copied = Embedding(5, 3, weights=[matrix])  # Keras copies
    matrix[0] = 7
    assert torch.equal(copied.weight, torch.ones(5, 3))


def test_frozen_whole_table_is_not_renormed_in_place():
    table = torch.full((4, 2), 3.0)
    layer = Embedding.from_pretrained(table.clone(), max_norm=1.0)
    out = layer(torch.tensor([1, 2]))
    assert torch.allclose(out.norm(dim=1), torch.ones(2))
    assert torch.equal(layer.weight, table)


def test_keras_get_and_set_weights_and_trainable_setter():
    layer = Embedding(4, 2)
    matrix = np.arange(8, dtype=np.float32).reshape(4, 2)
    layer.set_weights([matrix])
    assert np.array_equal(layer.get_weights()[0], matrix)
    param = layer.weight
    layer.trainable = False
    assert layer.weight is param and not param.requires_grad
    layer.trainable = np.array([True, False, True, True])
    assert layer.trainable_rows.tolist() == [True, False, True, True]
    assert np.array_equal(layer.get_weights()[0], matrix)


def test_activity_regularizer_from_last_forward():
    from vectab.nn import regularization_loss

    layer = Embedding(4, 2, embeddings_initializer="ones", activity_regularizer="l1")
    model = nn.Sequential(layer)
    assert float(regularization_loss(model)) == 0.0
    model(torch.tensor([[1, 2, 3]]))  # batch 1: 0.01 * 6
    assert regularization_loss(model).item() == pytest.approx(0.06)
    model(torch.tensor([[1], [2]]))  # batch 2: 0.01 * 4 / 2
    assert regularization_loss(model).item() == pytest.approx(0.02)


def test_regularizer_matches_hand_computation_and_skips_frozen_rows():
    from vectab.nn import regularization_loss

    table = torch.tensor([[1.0, -2.0], [3.0, 0.5], [-1.0, 1.0]])
    layer = Embedding(3, 2, weights=[table], embeddings_regularizer="l1_l2")
    expected = 0.01 * table.abs().sum() + 0.01 * table.square().sum()
    assert regularization_loss(layer).item() == pytest.approx(expected.item())
    layer.freeze_rows([1])
    kept = table[[0, 2]]
    expected = 0.01 * kept.abs().sum() + 0.01 * kept.square().sum()
    assert regularization_loss(layer).item() == pytest.approx(expected.item())
    regularization_loss(layer).backward()
    assert layer.weight_trainable.grad is not None
    layer.trainable = False
    assert regularization_loss(layer).item() == 0.0


def test_from_vectors_keeps_coverage_and_freezes_pretrained_rows():
    from vectab.text import Tokenizer
    from vectab.vectors import Vectors

    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["the cat sat", "the Dog ran"])
    vectors = Vectors(["the", "cat", "dog"], np.arange(9, dtype=np.float32).reshape(3, 3))
    layer = Embedding.from_vectors(vectors, tokenizer)
    index = tokenizer.word_index
    assert (layer.num_embeddings, layer.embedding_dim) == (len(index) + 1, 3)
    assert layer.mask_zero and layer.coverage.pretrained_mask.sum() == 3
    assert torch.equal(layer.weight[index["cat"]], torch.tensor([3.0, 4.0, 5.0]))
    learning = layer.trainable_rows
    assert not learning[index["the"]] and not learning[index["dog"]] and learning[index["sat"]]
    assert Embedding.from_vectors(vectors, index, freeze=False).trainable_rows.all()
    assert not Embedding.from_vectors(vectors, tokenizer, freeze=True).trainable


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_same_results_and_bad_ids_raise_on_the_host():
    rows = torch.arange(50) % 3 != 0
    for trainable in (True, rows):
        cpu = Embedding(50, 8, trainable=trainable, padding_idx=3)
        gpu = Embedding(50, 8, trainable=trainable, padding_idx=3, device="cuda")
        gpu.load_state_dict(cpu.state_dict())
        ids = _ids((4, 6), 50)
        assert torch.allclose(gpu(ids.cuda()).cpu(), cpu(ids))
        gpu(ids.cuda()).sum().backward()
        with pytest.raises(ValueError, match="found 50"):
            gpu(torch.tensor([[1, 50]], device="cuda"))
        assert torch.allclose(gpu(ids.cuda()).cpu(), cpu(ids))  # the device is still usable


def test_partial_layer_moves_and_casts_like_any_module():
    layer = Embedding(10, 3, trainable=np.arange(10) < 4, padding_idx=2).double()
    assert layer.weight_trainable.dtype == layer.weight_frozen.dtype == torch.float64
    assert layer(torch.tensor([1, 7])).dtype == torch.float64
    assert layer._slot.dtype == torch.long
    clone = copy.deepcopy(layer)
    assert torch.equal(clone.weight, layer.weight)
