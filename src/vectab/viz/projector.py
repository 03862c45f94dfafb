"""Files for the TensorBoard Embedding Projector (TSV + config), written without TensorFlow.

The three files are written all or nothing. A folder of their own (new, empty, or holding only
an earlier export) is built beside its target and swapped in whole
(:func:`vectab._fileio.atomic_dir`): after a kill it holds the complete old export or the
complete new one (vectab's readers follow :func:`vectab._fileio.committed_dir`; for another
reader the folder is absent for the instant between the two renames, and after a kill right
then the next export restores the old one first). A folder shared with other files (a TensorBoard
log dir with event files) cannot be replaced whole; there ``projector_config.pbtxt``, which
TensorBoard reads first, is removed, the two TSV files are replaced one by one (each atomically) and
the config is written last, so a config never describes TSV files of another export.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from vectab._fileio import atomic_dir, atomic_write
from vectab.viz._inputs import WordsArg, _as_words_and_matrix, select

__all__ = ["export_projector", "ProjectorFiles"]

_BAD_TSV = str.maketrans({"\t": " ", "\n": " ", "\r": " "})
FILE_NAMES = ("tensors.tsv", "metadata.tsv", "projector_config.pbtxt")


class ProjectorFiles(NamedTuple):
    """The three files `export_projector` wrote."""

    tensors: Path
    metadata: Path
    config: Path


def _cell(value: Any) -> str:
    """One TSV cell: tabs and line breaks would split rows and columns, so they become spaces."""
    return str(value).translate(_BAD_TSV)


def _metadata_rows(words: list[str], metadata: Mapping[str, Sequence[Any]] | None) -> list[str]:
    if metadata is None:
        return [_cell(w) for w in words]
    if not isinstance(metadata, Mapping):
        raise TypeError(
            "`metadata` must be a dict {column name: values, one per word}, e.g. "
            f"{{'group': ['animal', 'animal', 'number']}}, got {type(metadata).__name__}"
        )
    columns: dict[str, list[Any]] = {} if "word" in metadata else {"word": list(words)}
    for name, values in metadata.items():
        if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray):
            raise TypeError(
                f"`metadata[{name!r}]` must be a list of values, one per word, got {values!r}"
            )
        if len(values) != len(words):
            raise ValueError(
                f"`metadata[{name!r}]` has {len(values)} values but {len(words)} words are "
                "exported; give one value per word"
            )
        columns[str(name)] = list(values)
    names = list(columns)
    if len(names) == 1:  # TensorBoard: a single column has no header line
        return [_cell(v) for v in columns[names[0]]]
    header = "\t".join(_cell(n) for n in names)
    return [header] + ["\t".join(_cell(columns[n][i]) for n in names) for i in range(len(words))]


def export_projector(
    vectors: Any,
    out_dir: str | os.PathLike[str],
    *,
    words: WordsArg = None,
    metadata: Mapping[str, Sequence[Any]] | None = None,
    tensor_name: str = "vectab",
) -> ProjectorFiles:
    """Write ``tensors.tsv``, ``metadata.tsv`` and ``projector_config.pbtxt`` into ``out_dir``.

    Open them at https://projector.tensorflow.org ("Load": the two TSV files) or point
    TensorBoard at ``out_dir`` (``tensorboard --logdir out_dir``, Projector tab). This replaces
    ``torch.utils.tensorboard.SummaryWriter.add_embedding`` (which fails when TensorFlow is
    installed, pytorch/pytorch#30966) and gensim's ``word2vec2tensor`` script. Every file is
    written atomically.

    Args:
        vectors: a `vectab.vectors.Vectors`, or a ``(words, matrix)`` pair.
        out_dir: the folder (created when missing).
        words: a list of words, an int N (the first N rows) or None for every word.
        metadata: extra columns, ``{name: values}`` with one value per exported word. Without
            it ``metadata.tsv`` is one column of words and no header (TensorBoard's rule for a
            single column); with it the file starts with a header line, ``word`` first. Tabs
            and line breaks inside words and values become spaces.
        tensor_name: the name shown in the projector.

    Returns:
        A `ProjectorFiles` ``(tensors, metadata, config)`` of paths.

    Raises:
        ValueError: ``metadata`` columns of the wrong length.
        TypeError: ``metadata`` not a dict of lists.
        vectab.errors.OutOfVocabularyError: a requested word is not in the vectors.

    Example:
        >>> import numpy as np, tempfile
        >>> files = export_projector((["cat", "dog"], np.eye(2)), tempfile.mkdtemp())
        >>> files.metadata.read_text().splitlines()
        ['cat', 'dog']
        >>> files.tensors.read_text().splitlines()[0]
        '1\\t0'
    """
    all_words, matrix, _ = _as_words_and_matrix(vectors)
    if words is None:  # every row, streamed from the stored matrix (no float64 copy)
        chosen, rows = all_words, matrix
    else:
        chosen, rows = select(vectors, words)
    lines = _metadata_rows(chosen, metadata)
    out = Path(out_dir)
    # enough digits to read back the stored numbers exactly
    fmt = {2: "%.5g", 4: "%.9g"}.get(matrix.dtype.itemsize, "%.17g")
    shared = out.is_dir() and any(p.name not in FILE_NAMES for p in out.iterdir())
    if shared:  # other files live here: the config is the commit point (module docstring)
        (out / FILE_NAMES[2]).unlink(missing_ok=True)
        _write_files(out, rows, lines, fmt, tensor_name)
    else:
        with atomic_dir(out, owned=FILE_NAMES, manifest=False) as tmp:
            _write_files(tmp, rows, lines, fmt, tensor_name)
    return ProjectorFiles(*(out / name for name in FILE_NAMES))


def _write_files(out: Path, rows: Any, lines: list[str], fmt: str, tensor_name: str) -> None:
    """Write the three files into ``out``, the config last."""
    files = ProjectorFiles(*(out / name for name in FILE_NAMES))
    with atomic_write(files.tensors, "w", newline="\n") as f:
        for start in range(0, len(rows), 4096):
            block = np.asarray(rows[start : start + 4096], dtype=np.float64)
            np.savetxt(f, block, fmt=fmt, delimiter="\t")
    with atomic_write(files.metadata, "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    name = tensor_name.replace("\\", "\\\\").replace('"', '\\"')
    config = (
        "embeddings {\n"
        f'  tensor_name: "{name}"\n'
        f"  tensor_shape: {rows.shape[0]}\n"
        f"  tensor_shape: {rows.shape[1]}\n"
        '  tensor_path: "tensors.tsv"\n'
        '  metadata_path: "metadata.tsv"\n'
        "}\n"
    )
    with atomic_write(files.config, "w", newline="\n") as f:
        f.write(config)
