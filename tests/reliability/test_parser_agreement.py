"""Differential test: every generated file gives the same outcome on the compiled (numba) and
the pure (pyarrow + Python) parsing paths: the same words and bit-identical vectors and skip
counts, or the same exception type and message. Valid files also match gensim."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from vectab.vectors.formats import _kernels, binary, text
from vectab.vectors.io import load_vectors


def _corpus():
    """tests/reliability/_corpus.py (tests are imported with --import-mode=importlib)."""
    name = "vectab_tests_reliability_corpus"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("_corpus.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


Case = _corpus().Case
CASES = _corpus().cases()


def _outcome(path, case: Case):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = load_vectors(path, format=case.format, cache=False, **case.options)
    except Exception as error:  # noqa: BLE001 - the outcome is what is compared
        return ("error", type(error).__name__, str(error))
    m = np.asarray(v.vectors)
    return ("ok", list(v.index_to_key), m.dtype.str, m.shape,
            m.tobytes(), dict(v.load_report.skipped))


def _pure(monkeypatch):
    monkeypatch.setattr(text, "kernels_ready", lambda wait=True: False)
    monkeypatch.setattr(binary, "kernels_ready", lambda wait=True: False)


def test_corpus_is_large_and_varied():
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)
    assert {c.format for c in CASES} >= {"auto", "glove", "word2vec", "word2vec-binary"}


@pytest.mark.skipif(not _kernels.kernels_ready(),
                    reason="numba kernels unavailable: only one path exists")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_compiled_and_pure_paths_agree(tmp_path, monkeypatch, case):
    path = tmp_path / f"v{case.suffix}"
    path.write_bytes(case.data)
    compiled = _outcome(path, case)
    with monkeypatch.context() as m:
        _pure(m)
        pure = _outcome(path, case)
    assert compiled[:2] == pure[:2], (compiled[:3], pure[:3])
    assert compiled == pure
    if compiled[0] == "error":  # a user error is a clear VectorFormatError naming the file
        assert compiled[1] in ("VectorFormatError", "ValueError"), compiled
        assert str(path) in compiled[2] or compiled[1] == "ValueError", compiled


@pytest.mark.parametrize("case",
                         [c for c in CASES if c.gensim], ids=[c.name for c in CASES if c.gensim])
def test_valid_cases_match_gensim(tmp_path, case):
    keyedvectors = pytest.importorskip("gensim.models.keyedvectors")
    path = tmp_path / f"v{case.suffix}"
    path.write_bytes(case.data)
    ours = load_vectors(path, format=case.format, cache=False, **case.options)
    theirs = keyedvectors.KeyedVectors.load_word2vec_format(
        str(path),
        binary=case.format == "word2vec-binary",
        no_header=case.format == "glove",
        datatype=np.dtype(case.options.get("dtype", "float32")).type,
    )
    assert ours.index_to_key == theirs.index_to_key
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
