"""Row-level freezing: frozen rows stay bit-identical under plain torch.optim optimizers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vectab.nn import Embedding, apply_constraints

VOCAB, DIM = 40, 6


def _rows(seed=0):
    rows = torch.rand(VOCAB, generator=torch.Generator().manual_seed(seed)) > 0.5
    rows[0] = False
    return rows


class _Model(nn.Module):
    def __init__(self, embedding):
        super().__init__()
        self.embedding = embedding
        self.head = nn.Linear(DIM, 3)

    def forward(self, ids):
        return self.head(self.embedding(ids).mean(1))


def _train(model, optimizers, steps=100, seed=0):
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        ids = torch.randint(0, VOCAB, (16, 7), generator=gen)
        labels = ids[:, 0] % 3
        for opt in optimizers:
            opt.zero_grad()
        F.cross_entropy(model(ids), labels).backward()
        for opt in optimizers:
            opt.step()


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda params: torch.optim.AdamW(params, lr=0.01, weight_decay=0.01),
        lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=0.01),
    ],
    ids=["adamw", "sgd-momentum"],
)
def test_frozen_rows_bit_identical_through_100_steps(make_optimizer):
    rows = _rows()
    model = _Model(Embedding(VOCAB, DIM, trainable=rows))
    before = model.embedding.weight.detach().clone()
    _train(model, [make_optimizer(model.parameters())])
    after = model.embedding.weight.detach()
    assert torch.equal(after[~rows], before[~rows])
    assert bool((after[rows] != before[rows]).any(dim=1).all())  # every learning row moved


def test_frozen_rows_bit_identical_with_sparse_adam():
    rows = _rows(1)
    model = _Model(Embedding(VOCAB, DIM, trainable=rows, sparse=True))
    before = model.embedding.weight.detach().clone()
    table_opt = torch.optim.SparseAdam(list(model.embedding.parameters()), lr=0.01)
    head_opt = torch.optim.AdamW(model.head.parameters(), lr=0.01, weight_decay=0.01)
    _train(model, [table_opt, head_opt])
    assert model.embedding.weight_trainable.grad.is_sparse
    after = model.embedding.weight.detach()
    assert torch.equal(after[~rows], before[~rows])
    assert bool((after[rows] != before[rows]).any(dim=1).all())


def test_gradient_hooks_alone_would_drift():
    """The reason for the split table: a zero gradient does not stop AdamW's weight decay."""
    table = nn.Embedding(VOCAB, DIM)
    table.weight.register_hook(lambda g: g * _rows().unsqueeze(1))
    before = table.weight.detach().clone()
    opt = torch.optim.AdamW(table.parameters(), lr=0.01, weight_decay=0.01)
    for _ in range(3):
        opt.zero_grad()
        table(torch.arange(VOCAB)).sum().backward()
        opt.step()
    assert not torch.equal(table.weight[~_rows()], before[~_rows()])


def test_partial_layer_matches_torch_output_and_gradient():
    rows = _rows(2)
    table = torch.randn(VOCAB, DIM, dtype=torch.float64)
    ours = Embedding.from_pretrained(table.clone(),
                                     freeze=~rows, padding_idx=int(rows.nonzero()[0]))
    ref = nn.Embedding.from_pretrained(table.clone(), freeze=False, padding_idx=ours.padding_idx)
    ids = torch.randint(0, VOCAB, (5, 8), generator=torch.Generator().manual_seed(4))
    weights = torch.randn(5, 8, DIM, dtype=torch.float64)
    out = ours(ids)
    assert torch.equal(out, ref(ids))
    (out * weights).sum().backward()
    (ref(ids) * weights).sum().backward()
    assert torch.equal(ours.weight_trainable.grad, ref.weight.grad[rows])
    assert torch.equal(ours.weight, table)
    assert torch.equal(ours(ids), F.one_hot(ids, VOCAB).double() @ ours.weight)


def test_partial_max_norm_renorms_learning_rows_in_place_and_frozen_rows_in_output_only():
    rows = torch.tensor([True, False, True, False])
    table = torch.full((4, 2), 3.0)
    layer = Embedding(4, 2, weights=[table], trainable=rows, max_norm=1.0)
    out = layer(torch.tensor([0, 1, 2, 3]))
    assert torch.allclose(out.norm(dim=1), torch.ones(4))
    assert torch.equal(layer.weight[~rows], table[~rows])
    assert torch.allclose(layer.weight[rows].norm(dim=1), torch.ones(2))


def test_freeze_and_unfreeze_rows_then_rebuild_the_optimizer():
    model = _Model(Embedding(VOCAB, DIM))
    param = model.embedding.weight
    model.embedding.freeze_rows([1, 2, 3])
    model.embedding.freeze_rows(torch.tensor([[4, 5]]))
    assert model.embedding.trainable_rows[1:6].tolist() == [False] * 5
    assert "weight" not in dict(model.named_parameters())
    assert torch.equal(model.embedding.weight, param)  # the full table is unchanged
    before = model.embedding.weight.detach().clone()
    _train(model, [torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.01)], steps=20)
    assert torch.equal(model.embedding.weight[1:6], before[1:6])
    model.embedding.unfreeze_rows(np.arange(VOCAB))
    assert isinstance(model.embedding.weight, nn.Parameter) and model.embedding.trainable
    model.embedding.unfreeze_rows(3)  # no-op keeps the Parameter object
    assert model.embedding.weight is model.embedding.weight


def test_state_dict_round_trip_restores_table_and_frozen_set():
    rows = _rows(3)
    layer = Embedding(VOCAB, DIM, trainable=rows, mask_zero=True)
    state = layer.state_dict()
    assert list(state) == ["weight", "trainable_rows"]
    fresh = Embedding(VOCAB, DIM, mask_zero=True)
    fresh.load_state_dict(state)
    assert torch.equal(fresh.weight, layer.weight)
    assert torch.equal(fresh.trainable_rows, rows)
    # a plain torch state_dict (no row mask) keeps the layer's own frozen set
    plain = {"weight": torch.zeros(VOCAB, DIM)}
    fresh.load_state_dict(plain)
    assert torch.equal(fresh.trainable_rows, rows) and torch.equal(fresh.weight, plain["weight"])


def test_load_state_dict_reports_bad_entries():
    layer = Embedding(4, 2)
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        layer.load_state_dict({"weight": torch.zeros(5, 2)})
    with pytest.raises(RuntimeError, match="Missing key"):
        layer.load_state_dict({})
    with pytest.raises(RuntimeError, match="Unexpected key"):
        layer.load_state_dict({"weight": torch.zeros(4, 2), "bias": torch.zeros(2)})
    with pytest.raises(RuntimeError, match="trainable_rows must be a bool tensor"):
        layer.load_state_dict({"weight": torch.zeros(4, 2), "trainable_rows": torch.ones(4)})


def test_load_with_same_layout_keeps_parameter_objects():
    rows = _rows(4)
    layer = Embedding(VOCAB, DIM, trainable=rows)
    param = layer.weight_trainable
    layer.load_state_dict(Embedding(VOCAB, DIM, trainable=rows).state_dict())
    assert layer.weight_trainable is param


@pytest.mark.parametrize("sparse", [False, True])
def test_constraints_are_row_wise_and_leave_frozen_rows(sparse):
    rows = _rows(5)
    table = torch.randn(VOCAB, DIM) * 3
    layer = Embedding(VOCAB, DIM, weights=[table], trainable=rows,
                      embeddings_constraint="unit_norm", sparse=sparse)
    opt = (torch.optim.SparseAdam if sparse else torch.optim.SGD)(list(layer.parameters()), lr=0.1)
    for step in range(3):
        opt.zero_grad()
        layer(torch.randint(0, VOCAB, (4, 5),
                            generator=torch.Generator().manual_seed(step))).sum().backward()
        opt.step()
        apply_constraints(layer)
        norms = layer.weight.norm(dim=1)
        assert torch.allclose(norms[rows], torch.ones(int(rows.sum())), atol=1e-5)
        assert torch.equal(layer.weight[~rows], table[~rows])


@pytest.mark.parametrize("sparse", [False, True])
def test_freeze_rows_with_optimizer_carries_state_of_the_other_rows(sparse):
    """Rows never looked up are frozen mid-training; the others follow the same trajectory."""
    table = torch.randn(VOCAB, DIM)
    unused = torch.arange(30, VOCAB)

    def make(layer):
        cls = torch.optim.SparseAdam if sparse else torch.optim.AdamW
        return cls(list(layer.parameters()), lr=0.01)

    a = Embedding(VOCAB, DIM, weights=[table], sparse=sparse)
    b = Embedding(VOCAB, DIM, weights=[table], sparse=sparse)
    opt_a, opt_b = make(a), make(b)
    gen = torch.Generator().manual_seed(0)
    for step in range(20):
        ids = torch.randint(0, 30, (8, 5), generator=gen)
        if step == 10:
            b.freeze_rows(unused, optimizer=opt_b)
            assert opt_b.param_groups[0]["params"] == [b.weight_trainable]
            at_freeze = b.weight.detach().clone()
        for layer, opt in ((a, opt_a), (b, opt_b)):
            opt.zero_grad()
            (layer(ids) ** 2).sum().backward()
            opt.step()
    assert torch.equal(a.weight[:30], b.weight[:30])  # (AdamW's decay still moves a's rows 30+)
    assert torch.equal(b.weight[unused], at_freeze[unused])
    b.unfreeze_rows(unused[:3], optimizer=opt_b)  # new rows start with zero state and learn
    opt_b.zero_grad()
    b(unused[:3]).sum().backward()
    opt_b.step()
    assert not torch.equal(b.weight[unused[:3]], at_freeze[unused[:3]])
    assert torch.equal(b.weight[unused[3:]], at_freeze[unused[3:]])


def test_unfreeze_a_frozen_layer_adds_the_new_parameter_to_the_optimizer():
    layer = Embedding(6, 2, trainable=False)
    other = nn.Linear(2, 2)
    opt = torch.optim.SGD(other.parameters(), lr=0.1)  # built without the frozen table
    layer.unfreeze_rows([1, 2], optimizer=opt)
    assert any(p is layer.weight_trainable for g in opt.param_groups for p in g["params"])
    with pytest.raises(TypeError, match="`optimizer` must be a torch.optim.Optimizer"):
        layer.freeze_rows([1], optimizer="adam")


def test_unfreeze_every_row_of_a_frozen_layer_registers_it_with_the_optimizer():
    layer = Embedding(5, 2, trainable=False)
    opt = torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)
    layer.unfreeze_rows(range(5), optimizer=opt)
    assert layer.weight.requires_grad
    assert any(p is layer.weight for g in opt.param_groups for p in g["params"])
