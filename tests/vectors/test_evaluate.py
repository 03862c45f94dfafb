"""Word-pair and analogy evaluation: the same numbers as gensim on the same vectors and files."""

from __future__ import annotations

import numpy as np
import pytest

from vectab.errors import VectorFormatError
from vectab.vectors.evaluate import evaluate_word_analogies, evaluate_word_pairs
from vectab.vectors.store import Vectors

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def test_data():
    utils = pytest.importorskip("gensim.test.utils")
    return utils.datapath


@pytest.fixture(scope="module")
def questions(test_data, tmp_path_factory):
    """The first 25 questions of every section of questions-words.txt, plus a malformed line."""
    out = tmp_path_factory.mktemp("q") / "questions.txt"
    lines, kept = [], 0
    with open(test_data("questions-words.txt"), encoding="utf8") as fin:
        for line in fin:
            if line.startswith(": "):
                lines.append(line)
                kept = 0
            elif kept < 25:
                lines.append(line)
                kept += 1
    lines.insert(3, "only three words\n")
    out.write_text("".join(lines), encoding="utf8")
    return out


def structured_vectors(path, dim=24, seed=0):
    """Vectors where b - a is roughly a per-section offset, so some analogies are solved.

    Lower-case words come first; an upper-case variant of some words follows (case handling),
    and distractors fill the rest.
    """
    rng = np.random.default_rng(seed)
    vecs: dict[str, np.ndarray] = {}
    offset = None
    with open(path, encoding="utf8") as fin:
        for line in fin:
            if line.startswith(": "):
                offset = rng.standard_normal(dim)
                continue
            parts = line.lower().split()
            if len(parts) != 4:
                continue
            for x, y in ((parts[0], parts[1]), (parts[2], parts[3])):
                vecs.setdefault(x, rng.standard_normal(dim))
                vecs.setdefault(y, vecs[x] + offset + 0.9 * rng.standard_normal(dim))
    words = list(vecs)
    words += [w.upper() for w in words[::7]]  # later case variants: never used when folding case
    words += [f"distractor{i}" for i in range(200)]
    matrix = np.asarray(
        [
            vecs.get(w.lower(), None)
            if w.lower() in vecs and w == w.lower()
            else rng.standard_normal(dim)
            for w in words
        ],
        dtype=np.float32,
    )
    return words, matrix


@pytest.fixture(scope="module")
def pair(questions):
    gensim = pytest.importorskip("gensim.models")
    words, matrix = structured_vectors(questions)
    gkv = gensim.KeyedVectors(matrix.shape[1])
    gkv.add_vectors(words, matrix)
    return Vectors(words, matrix), gkv


def sections_of(gensim_sections):
    return [
        (s["section"], len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
        for s in gensim_sections
    ]


@pytest.mark.parametrize(
    "options",
    [{}, {"restrict_vocab": 400}, {"case_insensitive": False}, {"dummy4unknown": True}],
)
def test_analogies_match_gensim(pair, questions, options):
    kv, gkv = pair
    ours = evaluate_word_analogies(kv, questions, **options)
    score, sections = gkv.evaluate_word_analogies(str(questions), **options)
    assert ours.accuracy == score
    assert [(s.name, s.correct, s.total) for s in ours.sections] == sections_of(sections)
    assert 0 < ours.accuracy < 1  # the comparison is not trivial


def test_cosmul_matches_gensim_cosmul(pair, questions, monkeypatch):
    kv, gkv = pair
    cls = type(gkv)

    def cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        return cls.most_similar_cosmul(self, positive, negative, topn)

    monkeypatch.setattr(cls, "most_similar", cosmul)
    score, sections = gkv.evaluate_word_analogies(str(questions))
    ours = evaluate_word_analogies(kv, questions)
    assert ours.accuracy_cosmul == score
    assert [(s.name, s.correct_cosmul, s.total) for s in ours.sections] == sections_of(sections)


@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.txt"])
@pytest.mark.parametrize(
    "options", [{}, {"dummy4unknown": True}, {"case_insensitive": False}, {"restrict_vocab": 300}]
)
def test_word_pairs_match_gensim(test_data, name, options):
    gensim = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(0)
    with open(test_data(name), encoding="utf8") as fin:
        words = sorted(
            {w for line in fin if not line.startswith("#") for w in line.split("\t")[:2]}
        )
    words = words[::3] + [w.title() for w in words[1::3]] + words[2::5]  # some missing, some cased
    words = list(dict.fromkeys(words))
    matrix = rng.standard_normal((len(words), 20)).astype(np.float32)
    gkv = gensim.KeyedVectors(20)
    gkv.add_vectors(words, matrix)
    ours = evaluate_word_pairs(Vectors(words, matrix), test_data(name), **options)
    pearson, spearman, oov = gkv.evaluate_word_pairs(test_data(name), **options)
    assert ours.pearson == pytest.approx(pearson[0], abs=1e-6)
    assert ours.spearman == pytest.approx(spearman[0], abs=1e-6)
    assert ours.oov_ratio == pytest.approx(oov, abs=1e-9)


def test_word_pairs_from_tuples_and_ties():
    kv = Vectors(["a", "b", "c", "d"], np.array([[1, 0], [1, 1], [0, 1], [1, 0]], "float32"))
    result = evaluate_word_pairs(kv, [("a", "b", 2), ("a", "d", 3), ("b", "c", 2), ("x", "a", 1)])
    assert result.pairs == 3 and result.oov == 1 and result.oov_ratio == 25.0
    scipy_stats = pytest.importorskip("scipy.stats")
    model = [np.cos(np.pi / 4), 1.0, np.cos(np.pi / 4)]
    assert result.spearman == pytest.approx(scipy_stats.spearmanr([2, 3, 2], model)[0])
    assert result.pearson == pytest.approx(scipy_stats.pearsonr([2, 3, 2], model)[0])
    assert set(result.to_dict()) == {
        "pearson", "spearman", "oov_ratio", "pairs", "oov", "pearson_pvalue", "spearman_pvalue"
    }


def test_analogy_result_to_dict(tmp_path):
    kv = Vectors(["a", "b", "c", "d"], np.array([[1, 0], [1, 1], [0, 1], [0, 2]], "float32"))
    path = tmp_path / "q.txt"
    path.write_text(": one\na b c d\n: empty\n", encoding="utf8")
    result = evaluate_word_analogies(kv, path)
    d = result.to_dict()
    assert [s["name"] for s in d["sections"]] == ["one", "empty", "Total accuracy"]
    assert d["sections"][1]["accuracy"] == 0.0 and result.questions == 1


# ----- bad input -------------------------------------------------------------------------
def test_analogies_need_a_section_header(tmp_path):
    kv = Vectors(["a", "b"], np.eye(2, dtype="float32"))
    path = tmp_path / "q.txt"
    path.write_text("a b a b\n", encoding="utf8")
    with pytest.raises(VectorFormatError, match=r"q.txt:1: expected a ': section' header"):
        evaluate_word_analogies(kv, path)


@pytest.mark.parametrize(("restrict_vocab", "error"), [
    (0, ValueError), (-5, ValueError), (2.5, TypeError), (None, TypeError), (True, TypeError),
])
def test_bad_restrict_vocab(restrict_vocab, error):
    kv = Vectors(["a", "b"], np.eye(2, dtype="float32"))
    with pytest.raises(error, match="`restrict_vocab` must be an int >= 1"):
        evaluate_word_pairs(kv, [("a", "b", 1.0)], restrict_vocab=restrict_vocab)


@pytest.mark.parametrize("flag", ["case_insensitive", "dummy4unknown"])
def test_evaluation_flags_are_bools(flag):
    # 'no' used to be truthy: it upper-cased / counted unknown pairs.
    kv = Vectors(["a", "b"], np.eye(2, dtype="float32"))
    with pytest.raises(TypeError, match=f"`{flag}` must be True or False"):
        evaluate_word_pairs(kv, [("a", "b", 1.0)], **{flag: "no"})


@pytest.mark.parametrize("pairs", [[], [("x", "y", 1.0)], [("a", "b")], [("a", "b", "high")]])
def test_no_valid_pairs(pairs):
    kv = Vectors(["a", "b"], np.eye(2, dtype="float32"))
    with pytest.raises(ValueError, match="no valid pair"):
        evaluate_word_pairs(kv, pairs)


@pytest.mark.slow
def test_real_glove_matches_gensim(shared_data):
    gensim = pytest.importorskip("gensim.models")
    utils = pytest.importorskip("gensim.test.utils")
    path = shared_data / "glove-6b-50d-top20k" / "glove.6B.50d.top20k.w2v.txt"
    gkv = gensim.KeyedVectors.load_word2vec_format(str(path))
    kv = Vectors(gkv.index_to_key, gkv.vectors)
    ws = shared_data / "word-similarity" / "EN-WS-353-ALL.txt"
    ours = evaluate_word_pairs(kv, ws)
    pearson, spearman, oov = gkv.evaluate_word_pairs(str(ws))
    assert (ours.pearson, ours.spearman) == pytest.approx((pearson[0], spearman[0]), abs=1e-6)
    assert ours.oov_ratio == pytest.approx(oov)
    questions = utils.datapath("questions-words.txt")
    ours = evaluate_word_analogies(kv, questions)
    score, sections = gkv.evaluate_word_analogies(questions)
    assert ours.accuracy == score
    assert [(s.name, s.correct, s.total) for s in ours.sections] == sections_of(sections)
