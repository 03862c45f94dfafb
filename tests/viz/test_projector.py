"""vectab.viz.export_projector: the TensorBoard projector's TSV files and config."""

from __future__ import annotations

import numpy as np
import pytest

from vectab.errors import OutOfVocabularyError
from vectab.vectors.store import Vectors
from vectab.viz import export_projector


def store() -> Vectors:
    rng = np.random.default_rng(0)
    return Vectors(
        ["the", "cat", "a\tb", "new\nline", "x"], rng.normal(size=(5, 4)).astype(np.float32)
    )


def test_files_round_trip_exactly(tmp_path):
    vecs = store()
    files = export_projector(vecs, tmp_path / "proj")
    assert [p.name for p in files] == ["tensors.tsv", "metadata.tsv", "projector_config.pbtxt"]
    back = np.loadtxt(files.tensors, delimiter="\t", dtype=np.float64, comments=None)
    np.testing.assert_array_equal(back.astype(np.float32), vecs.vectors)  # every float32 exactly
    lines = files.metadata.read_text(encoding="utf-8").split("\n")
    assert lines == ["the", "cat", "a b", "new line", "x", ""]  # one column: no header
    config = files.config.read_text()
    assert 'tensor_path: "tensors.tsv"' in config and 'metadata_path: "metadata.tsv"' in config
    assert "tensor_shape: 5\n  tensor_shape: 4" in config
    assert list((tmp_path / "proj").iterdir()).__len__() == 3  # no temporary files left


def test_float64_keeps_all_digits(tmp_path):
    m = np.array([[1 / 3, 2 / 3], [np.pi, -1e-300]])
    files = export_projector((["a", "b"], m), tmp_path)
    np.testing.assert_array_equal(np.loadtxt(files.tensors, delimiter="\t"), m)


def test_metadata_columns_get_a_header(tmp_path):
    vecs = store()
    files = export_projector(
        vecs, tmp_path, words=["cat", "the"], metadata={"pos": ["NOUN", "DET"], "count": [3, 10]}
    )
    assert files.metadata.read_text().splitlines() == [
        "word\tpos\tcount",
        "cat\tNOUN\t3",
        "the\tDET\t10",
    ]
    rows = np.loadtxt(files.tensors, delimiter="\t")
    np.testing.assert_array_equal(rows.astype(np.float32), vecs.vectors[[1, 0]])
    # a "word" column given by the user replaces the automatic one; one column: no header
    files = export_projector(vecs, tmp_path, words=2, metadata={"word": ["THE", "CAT"]})
    assert files.metadata.read_text().splitlines() == ["THE", "CAT"]


def test_bad_arguments(tmp_path):
    vecs = store()
    cases = [
        ({"metadata": {"pos": ["NOUN"]}}, ValueError, r"has 1 values but 5 words"),
        ({"metadata": {"pos": "NOUN"}}, TypeError, "must be a list of values"),
        ({"metadata": ["a", "b"]}, TypeError, "must be a dict"),
        ({"words": ["cat", "zebra"]}, OutOfVocabularyError, "zebra"),
        ({"words": 0}, ValueError, "count must be >= 1"),
    ]
    for kwargs, exc, message in cases:
        with pytest.raises(exc, match=message):
            export_projector(vecs, tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
