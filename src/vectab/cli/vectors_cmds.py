"""`vectab vectors info|convert|neighbors|analogy|evaluate|coverage`: look at word vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from vectab.cli._common import check_output, progress_renderer

FORMAT_HELP = (
    "Input format: auto (from the content), word2vec, word2vec-binary, glove, fasttext, ..."
)


def _load(path: Path, fmt: str) -> Any:
    from vectab.vectors.io import load_vectors

    return load_vectors(path, format=fmt, progress=progress_renderer())


def _rows(rows: list[tuple[str, float]]) -> str:
    width = max((len(w) for w, _ in rows), default=0)
    return "\n".join(f"  {w:<{width}}  {s:.4f}" for w, s in rows)


def info(
    file: Annotated[Path, typer.Argument(help="Word-vector file.")],
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "auto",
) -> None:
    """Show the size, dimension and first words of a vector file."""
    import numpy as np

    kv = _load(file, fmt)
    norms = kv.norms
    typer.echo(f"file: {file}")
    typer.echo(f"words: {len(kv)}")
    typer.echo(f"dimensions: {kv.vector_size}")
    typer.echo(f"dtype: {kv.vectors.dtype}")
    typer.echo(f"subwords: {'yes' if kv.subwords is not None else 'no'}")
    if len(kv):
        typer.echo(
            f"norms: min {norms.min():.4f}, mean {norms.mean():.4f}, max {norms.max():.4f}, "
            f"zero rows {int(np.sum(norms == 0))}"
        )
        typer.echo("first words: " + " ".join(kv.index_to_key[:10]))


def convert(
    source: Annotated[Path, typer.Argument(help="Vector file to read.")],
    target: Annotated[Path, typer.Argument(help="File to write.")],
    to: Annotated[
        str, typer.Option("--to", help="word2vec, word2vec-binary, glove, fasttext or vectab.")
    ],
    fmt: Annotated[str, typer.Option("--from", help=FORMAT_HELP)] = "auto",
) -> None:
    """Convert a vector file to another format."""
    from vectab.vectors.formats.detect import READ_FORMATS, WRITE_FORMATS

    if to not in WRITE_FORMATS:  # before reading a large file
        raise ValueError(
            f"--to (the output format) must be one of {', '.join(WRITE_FORMATS)}, got {to!r}"
        )
    if fmt not in READ_FORMATS:
        raise ValueError(
            f"--from (the input format) must be one of {', '.join(READ_FORMATS)}, got {fmt!r}"
        )
    check_output(target, option="TARGET", kind="file")
    kv = _load(source, fmt)
    written = kv.save(target, format=to)
    typer.echo(f"wrote {len(kv)} x {kv.vector_size} vectors to {written or target} ({to})")


def neighbors(
    file: Annotated[Path, typer.Argument(help="Word-vector file.")],
    words: Annotated[list[str], typer.Argument(help="Words to look up.")],
    k: Annotated[int, typer.Option("-k", "--topn", min=1, help="Neighbours per word.")] = 10,
    fast: Annotated[
        bool, typer.Option("--fast", help="Low-precision scoring, exact re-ranking.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "auto",
) -> None:
    """Print the nearest neighbours (cosine) of each word."""
    if k < 1:
        raise ValueError(f"-k must be >= 1, got {k}")
    kv = _load(file, fmt)
    for word, rows in zip(words, kv.most_similar_batch(words, topn=k, fast=fast)):
        typer.echo(f"{word}:")
        typer.echo(_rows(rows))


def analogy(
    file: Annotated[Path, typer.Argument(help="Word-vector file.")],
    a: Annotated[str, typer.Argument(help="a (is to b)")],
    b: Annotated[str, typer.Argument(help="b")],
    c: Annotated[str, typer.Argument(help="c (is to ?)")],
    k: Annotated[int, typer.Option("-k", "--topn", min=1, help="Answers to show.")] = 5,
    cosmul: Annotated[bool, typer.Option("--cosmul", help="3CosMul instead of 3CosAdd.")] = False,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "auto",
) -> None:
    """Solve "a is to b as c is to ?" (b - a + c)."""
    if k < 1:
        raise ValueError(f"-k must be >= 1, got {k}")
    kv = _load(file, fmt)
    solve = kv.most_similar_cosmul if cosmul else kv.most_similar
    typer.echo(f"{a} : {b} :: {c} : ?")
    typer.echo(_rows(solve(positive=[b, c], negative=[a], topn=k)))


def evaluate(
    file: Annotated[Path, typer.Argument(help="Word-vector file.")],
    pairs: Annotated[
        list[Path] | None, typer.Option("--pairs", help="Word-similarity file (repeatable).")
    ] = None,
    analogies: Annotated[
        list[Path] | None, typer.Option("--analogies", help="Analogy file (repeatable).")
    ] = None,
    restrict_vocab: Annotated[
        int, typer.Option("--restrict-vocab", min=1, help="Use the first N words.")
    ] = 300000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "auto",
) -> None:
    """Word-similarity correlations and analogy accuracy (gensim's numbers)."""
    from vectab.vectors.evaluate import evaluate_word_analogies, evaluate_word_pairs

    if not pairs and not analogies:  # before loading a large file
        raise ValueError("nothing to evaluate: pass --pairs FILE and/or --analogies FILE")
    kv = _load(file, fmt)
    out: dict[str, Any] = {}
    pairs, analogies = pairs or [], analogies or []
    for path in pairs:
        r = evaluate_word_pairs(
            kv, path, restrict_vocab=restrict_vocab, progress=progress_renderer()
        )
        out[str(path)] = r.to_dict()
        if not as_json:
            typer.echo(
                f"{path.name}: pearson {r.pearson:.4f}  spearman {r.spearman:.4f}  "
                f"pairs {r.pairs}  oov {r.oov_ratio:.1f}%"
            )
    for path in analogies:
        r = evaluate_word_analogies(
            kv, path, restrict_vocab=restrict_vocab, progress=progress_renderer()
        )
        out[str(path)] = r.to_dict()
        if not as_json:
            typer.echo(
                f"{path.name}: 3CosAdd {r.accuracy:.4f}  3CosMul {r.accuracy_cosmul:.4f}  "
                f"questions {r.questions}  oov {r.oov_ratio:.1f}%"
            )
            for s in r.sections[:-1]:
                typer.echo(f"  {s.name:<32} {s.accuracy:.4f}  {s.accuracy_cosmul:.4f}  ({s.total})")
    if as_json:
        typer.echo(json.dumps(out, indent=2))


def coverage(
    file: Annotated[Path, typer.Argument(help="Word-vector file.")],
    texts: Annotated[
        Path,
        typer.Option("--texts", help="Texts: .txt (one per line) or a CSV/TSV/JSONL/Parquet "
                     "table (its --text-col only; the header row is not text)."),
    ],
    text_col: Annotated[
        str, typer.Option("--text-col", help="Text column of a table given as --texts.")
    ] = "text",
    num_words: Annotated[
        int | None, typer.Option("--num-words", min=1, help="Keep the N-1 most frequent words.")
    ] = None,
    lower: Annotated[bool, typer.Option("--lower/--no-lower", help="Lower-case the texts.")] = True,
    n_missing: Annotated[
        int, typer.Option("--show-missing", min=0, help="Missing words to list.")
    ] = 10,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "auto",
) -> None:
    """How much of a corpus's vocabulary the vectors cover (types and tokens)."""
    from vectab.text import Tokenizer
    from vectab.train.readers import TABLE_FORMATS, read_lines, read_table
    from vectab.vectors.align import build_embedding_matrix

    if texts.suffix.lower() in TABLE_FORMATS:  # the text column only, as `train` reads it
        lines = read_table(texts, text_col=text_col, label_col=None)[0]
    else:
        lines = read_lines(texts)
    tokenizer = Tokenizer(num_words=num_words, lower=lower)
    tokenizer.fit_on_texts(lines)
    if not tokenizer.word_index:
        raise ValueError(f"{texts}: no words found in the texts")
    kv = _load(file, fmt)
    _, report = build_embedding_matrix(tokenizer, kv, oov_init="zeros")
    typer.echo(report.summary(n_missing=n_missing))


def register(*, app: typer.Typer, train: typer.Typer, vectors: typer.Typer) -> None:
    """Add this module's commands to the `vectab` command groups."""
    for fn in (info, convert, neighbors, analogy, evaluate, coverage):
        vectors.command(fn.__name__)(fn)
