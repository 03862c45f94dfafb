"""The Embedding never drops a write: every torch / Keras idiom that writes the table takes
effect (or raises a clear error), whether every row learns, none does, or only some do.

Each idiom is applied to our layer and to a ``torch.nn.Embedding`` built from the same matrix;
afterwards both must agree (``weight``, lookup, ``state_dict``), and a few optimizer steps must
keep the frozen rows bit-identical while the learning rows follow torch's.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

from vectab.nn import Embedding

VOCAB, DIM = 12, 4
ROWS = torch.tensor([i % 3 != 0 for i in range(VOCAB)])  # rows 0, 3, 6, 9 frozen
IDS = torch.arange(VOCAB).repeat(2).reshape(4, 6)
MODES = {  # name: (trainable, sparse)
    "trainable": (True, False),
    "frozen": (False, False),
    "partly-frozen": (ROWS, False),
    "trainable-sparse": (True, True),
    "partly-frozen-sparse": (ROWS, True),
}


def _matrix(seed: int) -> torch.Tensor:
    return torch.randn(VOCAB, DIM, generator=torch.Generator().manual_seed(seed))


def _layer(mode: str, seed: int = 0, **options) -> Embedding:
    trainable, sparse = MODES[mode]
    return Embedding(VOCAB, DIM, weights=[_matrix(seed)], trainable=trainable,
                     sparse=sparse, **options)


def _torch_copy(layer: Embedding) -> nn.Embedding:
    """A torch.nn.Embedding holding our layer's current table (every row learns unless frozen)."""
    return nn.Embedding.from_pretrained(
        layer.weight.detach().clone(), freeze=not layer.trainable, sparse=layer.sparse,
        padding_idx=layer.padding_idx,
    )


def _optimizer(params, sparse: bool):
    if sparse:
        return torch.optim.SparseAdam(params, lr=0.05)
    return torch.optim.AdamW(params, lr=0.05, weight_decay=0.1)


def _train(module: nn.Module, sparse: bool, steps: int = 2) -> None:
    params = [p for p in module.parameters() if p.requires_grad]
    if not params:
        return
    opt = _optimizer(params, sparse)
    target = torch.randn(*IDS.shape, DIM, generator=torch.Generator().manual_seed(9))
    for _ in range(steps):
        opt.zero_grad()
        ((module(IDS) - target) ** 2).sum().backward()
        opt.step()


# ---------------------------------------------------------------- the idioms
# Each takes (module, m) and writes through the module's `weight` as a torch user would; a
# seeded idiom reseeds so our layer and torch's draw the same numbers.
def _seeded(fn):
    def run(module, m):
        torch.manual_seed(123)
        fn(module, m)

    return run


def _no_grad(fn):
    def run(module, m):
        with torch.no_grad():
            fn(module, m)

    return run


def _setitem_row(module, m):
    module.weight[3] = m[3]


def _setitem_rows(module, m):
    module.weight[2:7] = m[2:7]


def _data_setitem(module, m):
    module.weight.data[1] = m[1]


def _data_slice_copy(module, m):
    module.weight.data[4:].copy_(m[4:])


def _data_copy(module, m):
    module.weight.data.copy_(m)


def _data_assign(module, m):
    module.weight.data = m.clone()


def _new_parameter(module, m):
    module.weight = nn.Parameter(m.clone())


def _load_torch_state_dict(module, m):
    module.load_state_dict({"weight": m.clone()})


def _load_torch_state_dict_not_strict(module, m):
    module.load_state_dict({"weight": m.clone()}, strict=False)


def _set_weights(module, m):
    if isinstance(module, Embedding):
        module.set_weights([m.numpy()])
    else:  # torch has no set_weights; its equivalent
        module.weight.data.copy_(m)


IDIOMS = {
    "no_grad setitem row": _no_grad(_setitem_row),
    "no_grad setitem slice": _no_grad(_setitem_rows),
    "no_grad setitem negative index": _no_grad(lambda mod, m: mod.weight.__setitem__(-1, m[-1])),
    "no_grad fill_": _no_grad(lambda mod, m: mod.weight.fill_(0.25)),
    "no_grad zero_": _no_grad(lambda mod, m: mod.weight.zero_()),
    "no_grad mul_": _no_grad(lambda mod, m: mod.weight.mul_(m)),
    "no_grad add_": _no_grad(lambda mod, m: mod.weight.add_(m)),
    "no_grad normal_": _seeded(_no_grad(lambda mod, m: mod.weight.normal_())),
    "no_grad uniform_": _seeded(_no_grad(lambda mod, m: mod.weight.uniform_(-1, 1))),
    "no_grad copy_": _no_grad(lambda mod, m: mod.weight.copy_(m)),
    "data setitem": _data_setitem,
    "data slice copy_": _data_slice_copy,
    "data copy_": _data_copy,
    "data = m": _data_assign,
    "init.xavier_uniform_": _seeded(lambda mod, m: nn.init.xavier_uniform_(mod.weight)),
    "init.normal_": _seeded(lambda mod, m: nn.init.normal_(mod.weight)),
    "init.zeros_": lambda mod, m: nn.init.zeros_(mod.weight),
    "init.orthogonal_": _seeded(lambda mod, m: nn.init.orthogonal_(mod.weight)),
    "init.uniform_": _seeded(lambda mod, m: nn.init.uniform_(mod.weight, -0.5, 0.5)),
    "init.constant_": lambda mod, m: nn.init.constant_(mod.weight, 0.3),
    "weight = nn.Parameter(m)": _new_parameter,
    "load_state_dict torch": _load_torch_state_dict,
    "load_state_dict strict=False": _load_torch_state_dict_not_strict,
    "set_weights": _set_weights,
    "no_grad embeddings.copy_ (Keras name)": _no_grad(
        lambda mod, m: (mod.embeddings if isinstance(mod, Embedding) else mod.weight).copy_(m)),
}


def _expected_rows(layer_mode: str, ref: nn.Embedding) -> torch.Tensor:
    trainable, _ = MODES[layer_mode]
    if torch.is_tensor(trainable):
        return ROWS  # the frozen set is kept by every write
    return torch.full((VOCAB,), ref.weight.requires_grad)  # torch's meaning


@pytest.mark.parametrize("idiom", list(IDIOMS))
@pytest.mark.parametrize("mode", list(MODES))
def test_write_takes_effect_everywhere_and_training_keeps_frozen_rows(mode, idiom):
    layer = _layer(mode)
    sparse = MODES[mode][1]
    kept = layer.weight  # a reference taken before training, as user code does
    _train(layer, sparse, steps=1)  # the write comes after some training
    ref = _torch_copy(layer)
    before = ref.weight.detach().clone()
    m = _matrix(1)
    IDIOMS[idiom](layer, m)
    IDIOMS[idiom](ref, m)
    written = ref.weight.detach().clone()
    assert not torch.equal(written, before), "the idiom must change the table"
    assert torch.equal(layer.weight, written)
    assert torch.equal(layer(IDS), ref(IDS))
    assert torch.equal(layer.state_dict()["weight"], written)
    assert np.array_equal(layer.get_weights()[0], written.numpy())
    rows = _expected_rows(mode, ref)
    assert torch.equal(layer.trainable_rows, rows)
    if idiom != "weight = nn.Parameter(m)":
        assert torch.equal(kept, written)  # an older reference shows the write too
    # a fresh torch layer from the written matrix gives the same lookup
    assert torch.equal(layer(IDS), nn.Embedding.from_pretrained(written)(IDS))

    _train(layer, sparse)
    _train(ref, sparse)
    after = layer.weight.detach()
    assert torch.equal(after[~rows], written[~rows])  # frozen rows bit-identical
    if bool(rows.any()):
        assert bool((after[rows] != written[rows]).any(dim=1).all())  # every learning row moved
        torch.testing.assert_close(after[rows], ref.weight.detach()[rows], rtol=1e-5, atol=1e-6)
    assert torch.equal(layer(IDS), nn.Embedding.from_pretrained(after.clone())(IDS))


@pytest.mark.parametrize("mode", ["trainable", "partly-frozen", "partly-frozen-sparse"])
@pytest.mark.parametrize("idiom", ["no_grad setitem row", "data copy_",
                                   "init.normal_", "load_state_dict torch"])
def test_writes_with_padding_idx_and_mask_zero(mode, idiom):
    """The padding row takes writes (as in torch) and then gets no gradient (plain SGD)."""
    layer = _layer(mode, padding_idx=3, mask_zero=True)
    ref = _torch_copy(layer)
    m = _matrix(2)
    IDIOMS[idiom](layer, m)
    IDIOMS[idiom](ref, m)
    written = ref.weight.detach().clone()
    assert torch.equal(layer(IDS), ref(IDS))
    assert layer.compute_mask(IDS).tolist() == (IDS != 0).tolist()
    for module in (layer, ref):
        opt = torch.optim.SGD([p for p in module.parameters() if p.requires_grad], lr=0.1)
        for _ in range(2):
            opt.zero_grad()
            module(IDS).pow(2).sum().backward()
            opt.step()
    after = layer.weight.detach()
    assert torch.equal(after[3], written[3])  # padding row
    rows = layer.trainable_rows
    assert torch.equal(after[~rows], written[~rows])
    torch.testing.assert_close(after[rows], ref.weight.detach()[rows])


def test_own_state_dict_with_a_different_frozen_set_is_loaded_whole():
    source = Embedding(VOCAB, DIM, weights=[_matrix(5)], trainable=~ROWS)
    for mode in MODES:
        layer = _layer(mode)
        _ = layer.weight  # the kept view must follow the load
        layer.load_state_dict(source.state_dict())
        assert torch.equal(layer.weight, _matrix(5)) and torch.equal(layer.trainable_rows, ~ROWS)
        assert torch.equal(layer(IDS), nn.Embedding.from_pretrained(_matrix(5))(IDS))


# ---------------------------------------------------------------- requires_grad_, the torch freeze
@pytest.mark.parametrize("mode", list(MODES))
def test_requires_grad_false_freezes_the_whole_table(mode):
    layer = _layer(mode)
    before = layer.weight.detach().clone()
    layer.weight.requires_grad_(False)
    assert not layer.trainable and not layer.trainable_rows.any()
    assert not layer(IDS).requires_grad
    assert not any(p.requires_grad for p in layer.parameters())
    opt = torch.optim.AdamW(layer.parameters(), lr=0.1, weight_decay=0.1)  # built as users do
    opt.step()
    assert torch.equal(layer.weight, before)
    assert "trainable_rows" not in layer.state_dict()


def test_requires_grad_true_unfreezes_a_frozen_table_as_in_torch():
    layer = _layer("frozen")
    layer.weight.requires_grad_(True)
    assert layer.trainable_rows.all() and layer(IDS).requires_grad


def test_requires_grad_true_keeps_the_frozen_set_of_a_partly_frozen_table():
    layer = _layer("partly-frozen")
    layer.weight.requires_grad_(True)
    assert torch.equal(layer.trainable_rows, ROWS)


@pytest.mark.parametrize("mode", list(MODES))
def test_new_parameter_without_grad_freezes_the_table_and_becomes_weight(mode):
    layer = _layer(mode)
    param = nn.Parameter(_matrix(4), requires_grad=False)
    layer.weight = param
    assert layer.weight is param and not layer.trainable_rows.any()
    assert torch.equal(layer(IDS), nn.Embedding.from_pretrained(_matrix(4))(IDS))
    assert not layer(IDS).requires_grad


# ---------------------------------------------------------------- references kept by users
def test_write_through_a_reference_older_than_an_optimizer_step_is_an_error():
    layer = _layer("partly-frozen")
    stale = layer.weight
    _train(layer, sparse=False, steps=1)  # the optimizer moves the learning rows
    trained = layer.weight_trainable.detach().clone()
    with torch.no_grad():
        stale[0] = 5.0  # written without reading layer.weight after the step
    with pytest.raises(RuntimeError, match="written through a tensor taken before .* the write "
                       "was discarded. Take `layer.weight` again after optimizer.step"):
        layer(IDS)
    assert torch.equal(layer.weight_trainable, trained)  # the update is kept
    assert torch.equal(layer(IDS), nn.Embedding.from_pretrained(layer.weight.detach())(IDS))
    with torch.no_grad():
        layer.weight[0] = 5.0  # taken again: takes effect
    assert torch.equal(layer(torch.tensor([0])), torch.full((1, DIM), 5.0))


def test_reference_written_without_a_step_in_between_takes_effect():
    layer = _layer("partly-frozen")
    kept = layer.weight
    layer(IDS).sum().backward()  # a backward alone does not move the table
    with torch.no_grad():
        kept[[0, 1]] = 2.0
    assert torch.equal(layer(torch.tensor([0, 1])), torch.full((2, DIM), 2.0))


@pytest.mark.parametrize("change", ["unfreeze all", "freeze all", "freeze more rows"])
def test_reference_kept_across_a_change_of_the_frozen_set_still_writes(change):
    layer = _layer("partly-frozen")
    kept = layer.weight
    if change == "unfreeze all":
        layer.trainable = True
    elif change == "freeze all":
        layer.trainable = False
    else:
        layer.freeze_rows([1, 2])
    with torch.no_grad():
        kept[2] = 7.0
    assert torch.equal(layer(torch.tensor([2])), torch.full((1, DIM), 7.0))
    assert torch.equal(layer.state_dict()["weight"][2], torch.full((DIM,), 7.0))


def test_writes_survive_dtype_casts_and_deepcopy():
    layer = _layer("partly-frozen")
    kept = layer.weight
    layer.double()
    assert layer.weight is kept and kept.dtype == torch.float64
    with torch.no_grad():
        kept[4] = 1.5
    clone = copy.deepcopy(layer)
    for module in (layer, clone):
        assert module(IDS).dtype == torch.float64
        assert torch.equal(module(torch.tensor([4])),
                           torch.full((1, DIM), 1.5, dtype=torch.float64))
    with torch.no_grad():
        clone.weight[5] = 2.5  # the copy has its own table
    assert torch.equal(clone(torch.tensor([5]))[0], torch.full((DIM,), 2.5, dtype=torch.float64))
    assert not torch.equal(layer(torch.tensor([5]))[0],
                           torch.full((DIM,), 2.5, dtype=torch.float64))


@pytest.mark.parametrize("sparse", [False, True])
def test_gradient_through_weight_reaches_the_learning_rows_only(sparse):
    """A tied output projection (h @ layer.weight.T) trains the learning rows, as in torch."""
    table = _matrix(3).double()
    layer = Embedding.from_pretrained(table.clone(), freeze=~ROWS, sparse=sparse)
    ref = nn.Embedding.from_pretrained(table.clone(), freeze=False, sparse=sparse)
    h = torch.randn(5, DIM, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    for module in (layer, ref):
        (module(IDS).sum() + (h @ module.weight.T).square().sum()).backward()
    grad = layer.weight_trainable.grad
    expected = ref.weight.grad.to_dense()[ROWS]
    torch.testing.assert_close(grad.to_dense(), expected)
    assert grad.is_sparse == sparse
    assert layer.weight.grad is None  # handed over, not kept on the view


def test_updates_that_bypass_the_version_counter_still_show_in_weight():
    """Optimizers (and DDP's buffer broadcast) that write through ``p.data`` are seen too."""
    layer = _layer("partly-frozen")
    kept = layer.weight.detach().clone()
    layer.weight_trainable.data.add_(1.0)  # an old-style optimizer step
    layer.weight_frozen.data.mul_(2.0)  # a broadcast into the buffer
    expected = kept.clone()
    expected[ROWS] += 1.0
    expected[~ROWS] *= 2.0
    assert torch.equal(layer.weight, expected)
    assert torch.equal(layer.state_dict()["weight"], expected)
    assert torch.equal(layer(IDS), nn.Embedding.from_pretrained(expected)(IDS))


def test_weight_read_twice_before_backward_keeps_the_graph_valid():
    layer = _layer("partly-frozen")
    h = torch.randn(3, DIM, generator=torch.Generator().manual_seed(2))
    loss = (h @ layer.weight.T).sum() + layer(IDS).sum() + layer.weight.square().sum()
    loss.backward()  # no "modified by an inplace operation"
    assert layer.weight_trainable.grad is not None


def test_weight_first_read_in_inference_mode_stays_writable():
    layer = _layer("partly-frozen")
    with torch.inference_mode():
        layer(IDS)
        view = layer.weight
    first = view.detach().clone()
    with torch.no_grad():
        layer.weight[1] = 3.0
    first[1] = 3.0
    assert (torch.equal(layer.weight, first)
            and torch.equal(layer(IDS), nn.Embedding.from_pretrained(first)(IDS)))


# ---------------------------------------------------------------- writes that cannot work
@pytest.mark.parametrize("mode", list(MODES))
def test_assigning_a_plain_tensor_or_a_wrong_shape_is_a_clear_error(mode):
    layer = _layer(mode)
    before = layer.weight.detach().clone()
    with pytest.raises(TypeError, match=r"`layer.weight = ...` takes an nn.Parameter of shape "
                       r"\(12, 4\).*got Tensor.*layer.weight.copy_\(m\)"):
        layer.weight = torch.zeros(VOCAB, DIM)
    with pytest.raises(TypeError, match="got NoneType"):
        layer.weight = None
    for bad in (torch.zeros(VOCAB + 1, DIM), torch.zeros(VOCAB, DIM, dtype=torch.long)):
        with pytest.raises(ValueError, match=r"needs a floating matrix of shape \(12, 4\)"):
            layer.weight = nn.Parameter(bad, requires_grad=False)
    assert torch.equal(layer.weight, before) and torch.equal(layer(IDS), _torch_copy(layer)(IDS))


def test_data_assignment_of_another_shape_is_a_clear_error_with_frozen_rows():
    layer = _layer("partly-frozen")
    with pytest.raises(ValueError, match=r"`layer.weight.data = m` needs a tensor of the table's "
                       r"shape \(12, 4\).*got shape \(13, 4\)"):
        layer.weight.data = torch.zeros(VOCAB + 1, DIM)
    with pytest.raises(ValueError, match="got list"):
        layer.weight.data = [[0.0] * DIM] * VOCAB


# ---------------------------------------------------------------- NaN / inf tables
def _bad(value: float, row: int, column: int = 2, dtype=np.float32) -> np.ndarray:
    matrix = np.random.default_rng(0).standard_normal((VOCAB, DIM)).astype(dtype)
    matrix[row, column] = value
    return matrix


CONSTRUCTORS = {
    "weights=[m]": (lambda m: Embedding(VOCAB, DIM, weights=[m]), "weights"),
    "weights=m": (lambda m: Embedding(VOCAB, DIM, weights=m, trainable=ROWS.numpy()), "weights"),
    "weights=tensor": (lambda m: Embedding(VOCAB, DIM, weights=[torch.from_numpy(m)]), "weights"),
    "embeddings_initializer=m": (
        lambda m: Embedding(VOCAB, DIM, embeddings_initializer=m), "embeddings_initializer"),
    "embeddings_initializer=fn": (
        lambda m: Embedding(VOCAB, DIM, embeddings_initializer=lambda shape: m),
        "embeddings_initializer"),
    "from_pretrained": (lambda m: Embedding.from_pretrained(torch.from_numpy(m)), "embeddings"),
    "from_pretrained numpy": (lambda m: Embedding.from_pretrained(m, freeze=False), "embeddings"),
    "from_pretrained rows": (
        lambda m: Embedding.from_pretrained(m, freeze=~ROWS.numpy()), "embeddings"),
    "set_weights": (lambda m: Embedding(VOCAB, DIM, trainable=ROWS).set_weights([m]), "weights"),
    "load_state_dict": (
        lambda m: Embedding(VOCAB, DIM).load_state_dict({"weight": torch.from_numpy(m)}),
        r"state_dict\['weight'\]"),
    "load_state_dict strict=False": (
        lambda m: Embedding(VOCAB, DIM, trainable=ROWS).load_state_dict(
            {"weight": torch.from_numpy(m)}, strict=False), r"state_dict\['weight'\]"),
}


@pytest.mark.parametrize("path", list(CONSTRUCTORS))
@pytest.mark.parametrize(("value", "row", "dtype"), [
    (np.nan, 0, np.float32), (np.inf, 5, np.float32), (-np.inf, VOCAB - 1, np.float64),
    (np.nan, 7, np.float16),
])
def test_non_finite_table_is_refused_naming_argument_row_and_fix(path, value, row, dtype):
    build, arg = CONSTRUCTORS[path]
    matrix = _bad(value, row, dtype=dtype)
    with pytest.raises(ValueError, match=rf"`{arg}` must hold finite numbers: row {row} has "
                       rf"{value} at column 2 \(1 of {VOCAB} rows.*np.isfinite"):
        build(matrix)


def test_many_bad_rows_are_counted_and_finite_huge_values_pass():
    matrix = _bad(np.nan, 4)
    matrix[9, 0] = np.inf
    with pytest.raises(ValueError, match=rf"row 4 has nan at column 2 \(2 of {VOCAB} rows"):
        Embedding(VOCAB, DIM, weights=[matrix])
    huge = np.full((VOCAB, DIM), np.finfo(np.float64).max / 2)  # the row sums overflow
    assert torch.equal(Embedding.from_pretrained(huge).weight, torch.from_numpy(huge))


def test_non_finite_vectors_name_the_word():
    from vectab.vectors import Vectors

    matrix = np.ones((3, DIM), np.float32)
    matrix[1, 3] = np.nan
    vectors = Vectors(["the", "cat", "dog"], matrix)
    with pytest.raises(ValueError, match=r"`vectors` must hold finite numbers: the vector of "
                       r"'cat' \(id 2\) has nan at column 3"):
        Embedding.from_vectors(vectors, {"the": 1, "cat": 2, "dog": 3})
