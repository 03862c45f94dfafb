"""CRF: forward algorithm and Viterbi against brute-force enumeration, gradcheck, constraints."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch.func import functional_call

from vectab.nn.crf import CRF, allowed_transitions, infer_scheme

TAGS = {
    None: ["a", "b", "c"],
    "BIO": ["O", "B-X", "I-X", "B-Y", "I-Y"],
    "BIOES": ["O", "B-X", "I-X", "E-X", "S-X"],
}


def _paths(crf: CRF, emissions: torch.Tensor, mask: torch.Tensor):
    """Yield, per row, a dict {path over real positions: score} by enumerating every path."""
    start, trans, end = crf._scores()
    for b in range(emissions.shape[0]):
        positions = mask[b].nonzero().squeeze(1).tolist()
        scores = {}
        for path in itertools.product(range(crf.num_tags), repeat=len(positions)):
            if not path:
                scores[path] = torch.tensor(0.0, dtype=emissions.dtype)
                continue
            s = start[path[0]] + end[path[-1]]
            s = s + sum(emissions[b, p, y] for p, y in zip(positions, path))
            s = s + sum((trans[i, j] for i, j in zip(path, path[1:])), torch.tensor(0.0))
            scores[path] = s
        yield positions, scores


def _random_case(constraints, seed, batch=6, seq=4):
    torch.manual_seed(seed)
    crf = CRF(len(TAGS[constraints]), constraints=constraints, tags=TAGS[constraints])
    with torch.no_grad():
        for p in crf.parameters():
            p.normal_()
    emissions = torch.randn(batch, seq, crf.num_tags)
    mask = torch.rand(batch, seq) > 0.35
    pre = torch.arange(seq) >= seq // 2
    rows = [torch.ones(seq, dtype=torch.bool), torch.zeros(seq, dtype=torch.bool), pre, pre.flip(0)]
    for i, row in enumerate(rows[:batch]):  # full, empty, pre-padded, post-padded
        mask[i] = row
    return crf, emissions, mask


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("constraints", [None, "BIO", "BIOES"])
def test_partition_score_and_viterbi_equal_brute_force(constraints, seed):
    crf, emissions, mask = _random_case(constraints, seed)
    tags = torch.randint(0, crf.num_tags, mask.shape)
    log_z = crf.log_partition(emissions, mask)
    gold = crf.score(emissions, tags, mask)
    decoded = crf.decode(emissions, mask)
    for b, (positions, scores) in enumerate(_paths(crf, emissions, mask)):
        expected = torch.logsumexp(torch.stack(list(scores.values())), 0)
        torch.testing.assert_close(log_z[b], expected, atol=1e-4, rtol=1e-5)
        gold_path = tuple(tags[b, positions].tolist())
        torch.testing.assert_close(gold[b], scores[gold_path], atol=1e-4, rtol=1e-5)
        best = max(scores, key=lambda path: float(scores[path].detach()))
        assert tuple(decoded[b, positions].tolist()) == best
        assert bool((decoded[b][~mask[b]] == -100).all())


def test_marginals_equal_brute_force_and_sum_to_one():
    crf, emissions, mask = _random_case("BIO", 3)
    marginals = crf.marginals(emissions, mask)
    for b, (positions, scores) in enumerate(_paths(crf, emissions, mask)):
        log_z = torch.logsumexp(torch.stack(list(scores.values())), 0)
        for i, p in enumerate(positions):
            for k in range(crf.num_tags):
                picked = [s for path, s in scores.items() if path[i] == k]
                expected = torch.exp(torch.logsumexp(torch.stack(picked), 0) - log_z)
                torch.testing.assert_close(marginals[b, p, k], expected, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(marginals.sum(-1), mask.float())


@pytest.mark.parametrize("constraints", [None, "BIOES"])
def test_gradcheck_float64(constraints):
    crf, emissions, mask = _random_case(constraints, 4, batch=3, seq=3)
    crf = crf.double()
    tags = torch.randint(0, crf.num_tags, mask.shape)
    if constraints:  # a gold path that respects the scheme keeps the loss finite
        tags = crf.decode(emissions.double(), mask).clamp(min=0)
    names = ["start_transitions", "transitions", "end_transitions"]
    params = [getattr(crf, n).detach().clone().requires_grad_(True) for n in names]
    em = emissions.double().requires_grad_(True)

    def loss(em, *values):
        return functional_call(
            crf, dict(zip(names, values)), (em, tags, mask), {"reduction": "none"}
        )

    assert torch.autograd.gradcheck(loss, (em, *params))


@pytest.mark.parametrize("constraints", ["BIO", "BIOES"])
def test_decoded_paths_never_break_the_constraints(constraints):
    tags = ["O", "B-X", "I-X", "E-X", "S-X", "B-Y", "I-Y", "E-Y", "S-Y"]
    if constraints == "BIO":
        tags = ["O", "B-X", "I-X", "B-Y", "I-Y"]
    crf = CRF(len(tags), constraints=constraints, tags=tags)
    start, trans, end = allowed_transitions(tags, constraints)
    torch.manual_seed(0)
    emissions = 5 * torch.randn(64, 9, len(tags))
    mask = torch.rand(64, 9) > 0.2
    for b, row in enumerate(crf.decode(emissions, mask)):
        path = row[mask[b]].tolist()
        if path:
            assert start[path[0]] and end[path[-1]]
            assert all(trans[i, j] for i, j in zip(path, path[1:]))


def test_pre_and_post_padding_decode_and_score_alike():
    crf, emissions, _ = _random_case("BIO", 5, batch=1, seq=3)
    tags = torch.tensor([[1, 2, 0]])
    pad = torch.zeros(1, 2, crf.num_tags)
    pre = torch.cat([pad, emissions], 1), torch.tensor([[False, False, True, True, True]])
    post = torch.cat([emissions, pad], 1), torch.tensor([[True, True, True, False, False]])
    pre_tags = torch.cat([torch.full((1, 2), -100), tags], 1)
    post_tags = torch.cat([tags, torch.full((1, 2), -100)], 1)
    loss = crf(emissions, tags)
    torch.testing.assert_close(crf(*pre[:1], pre_tags, pre[1]), loss)
    torch.testing.assert_close(crf(post[0], post_tags, post[1]), loss)
    assert crf.decode(*pre)[0, 2:].tolist() == crf.decode(emissions)[0].tolist()


def test_nll_reductions_and_non_negative():
    crf, emissions, mask = _random_case(None, 6)
    tags = torch.randint(0, crf.num_tags, mask.shape)
    per_row = crf.nll(emissions, tags, mask, reduction="none")
    assert bool((per_row >= -1e-5).all()) and per_row[1] == 0  # row 1 is empty
    torch.testing.assert_close(crf.nll(emissions, tags, mask, reduction="sum"), per_row.sum())
    torch.testing.assert_close(crf(emissions, tags, mask), per_row.mean())
    token_mean = crf.nll(emissions, tags, mask, reduction="token_mean")
    torch.testing.assert_close(token_mean, per_row.sum() / mask.sum())


def test_allowed_transitions_bio_and_bioes():
    start, trans, end = allowed_transitions(["O", "B-X", "I-X", "B-Y", "I-Y"], "BIO")
    assert start.tolist() == [True, True, False, True, False]
    assert trans[:, 2].tolist() == [False, True, True, False, False]  # into I-X
    assert bool(end.all())
    start, trans, end = allowed_transitions(["O", "B-X", "M-X", "E-X", "S-X"], "BIOES")
    assert start.tolist() == [True, True, False, False, True]
    assert end.tolist() == [True, False, False, True, True]
    assert trans[1].tolist() == [False, False, True, True, False]  # B-X -> I/E-X only
    assert trans[3].tolist() == [True, True, False, False, True]  # E-X -> O, B, S


def test_infer_scheme():
    assert infer_scheme(["O", "B-A", "I-A"]) == "BIO"
    assert infer_scheme(["O", "B-A", "I-A", "E-A", "S-A"]) == "BIOES"
    assert infer_scheme(["O", "B-A", "U-A", "L-A"]) == "BIOES"
    assert infer_scheme(["NOUN", "VERB"]) is None


@pytest.mark.parametrize(
    "args, options",
    [
        ((0,), {}),
        ((3,), {"tags": ["O", "B-X"]}),
        ((3,), {"constraints": "BIO"}),
        ((3,), {"constraints": "BILOU", "tags": ["O", "B-X", "I-X"]}),
        ((3,), {"constraints": "BIO", "tags": ["O", "B-X", "E-X"]}),
        ((2,), {"constraints": "BIO", "tags": ["O", "PER"]}),
    ],
)
def test_bad_construction_raises(args, options):
    with pytest.raises(ValueError):
        CRF(*args, **options)


@pytest.mark.parametrize("num_tags", [True, 2.0, "3"])
def test_num_tags_of_the_wrong_type_is_a_type_error(num_tags):
    with pytest.raises(TypeError, match="`num_tags` must be an int >= 1"):
        CRF(num_tags)


def test_bad_inputs_raise():
    crf = CRF(3)
    emissions = torch.randn(2, 4, 3)
    tags = torch.zeros(2, 4, dtype=torch.long)
    with pytest.raises(ValueError, match="emissions"):
        crf.decode(torch.randn(2, 4, 5))
    with pytest.raises(ValueError, match="emissions"):
        crf.log_partition(torch.randn(4, 3))
    with pytest.raises(TypeError, match="mask"):
        crf(emissions, tags, torch.ones(2, 4))
    with pytest.raises(ValueError, match="mask"):
        crf(emissions, tags, torch.ones(2, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match="tags"):
        crf(emissions, tags[:, :3])
    with pytest.raises(ValueError, match="reduction"):
        crf(emissions, tags, reduction="avg")


def test_half_precision_emissions_are_summed_in_float32():
    crf, emissions, mask = _random_case("BIO", 7)
    tags = crf.decode(emissions, mask).clamp(min=0)
    low = emissions.to(torch.bfloat16)
    loss = crf(low, tags, mask)
    assert loss.dtype == torch.float32
    torch.testing.assert_close(loss, crf(low.float(), tags, mask))
    assert torch.equal(crf.decode(low, mask), crf.decode(low.float(), mask))
