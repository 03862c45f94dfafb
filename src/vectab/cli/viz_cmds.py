"""`vectab vectors plot` and `vectab vectors projector`: draw word vectors, export them for
TensorBoard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from vectab.cli._common import check_output, progress_renderer

IMAGE_SUFFIXES = (".png", ".svg", ".pdf")
PAGE_SUFFIXES = (".html", ".htm")
DEFAULT_TOP = {"image": 100, "page": 1000}


def _words_and_groups(
    words: str | None, words_file: Path | None, top: int | None
) -> tuple[list[str] | None, dict[str, str]]:
    """Read --words / --words-file (``word`` or ``word<TAB>group`` per line) / --top."""
    given = [
        name
        for name, v in (("--words", words), ("--words-file", words_file), ("--top", top))
        if v is not None
    ]
    if len(given) > 1:
        raise ValueError(
            f"give only one of --words, --words-file and --top, got {' and '.join(given)}"
        )
    if words is not None:
        chosen = [w.strip() for w in words.split(",") if w.strip()]
        if not chosen:
            raise ValueError(
                f"--words must be a comma-separated list such as king,queen,man; got {words!r}"
            )
        return chosen, {}
    if words_file is not None:
        chosen, groups = [], {}
        for line in words_file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            word, _, group = line.partition("\t")
            word = word.strip()
            chosen.append(word)
            if group.strip():
                groups[word] = group.strip()
        if not chosen:
            raise ValueError(f"--words-file {str(words_file)!r} holds no words (one word per line)")
        return chosen, groups
    if top is not None and top < 2:
        raise ValueError(f"--top must be at least 2, got {top}")
    return None, {}


def _analogies(values: list[str] | None) -> list[tuple[str, str, str, str]]:
    quads = []
    for value in values or []:
        parts = [p.strip() for p in value.split(",")]
        if len(parts) != 4 or not all(parts):
            raise ValueError(
                "--analogy takes four comma-separated words a,b,c,d (e.g. man,king,woman,queen); "
                f"got {value!r}"
            )
        quads.append((parts[0], parts[1], parts[2], parts[3]))
    return quads


def _load(path: Path, fmt: str, *, limit: int | None = None, vocab: Any = None) -> Any:
    from vectab.vectors.io import load_vectors

    return load_vectors(path, format=fmt, limit=limit, vocab=vocab, progress=progress_renderer())


def register(*, app: typer.Typer, train: typer.Typer, vectors: typer.Typer) -> None:
    """Add this module's commands to the `vectab` command groups."""

    @vectors.command("plot")
    def plot_cmd(
        vectors_path: Annotated[
            Path, typer.Argument(metavar="VECTORS", help="Word vectors file (any format).")
        ],
        out: Annotated[
            Path,
            typer.Option(
                "--out", "-o", help="plot.png / .svg / .pdf, or plot.html for an interactive page."
            ),
        ],
        words: Annotated[str | None, typer.Option(help="Comma-separated words to draw.")] = None,
        words_file: Annotated[
            Path | None,
            typer.Option(
                "--words-file", help="One word per line; 'word<TAB>group' colours groups."
            ),
        ] = None,
        top: Annotated[
            int | None,
            typer.Option(
                help="Draw the N first (most frequent) words, stop words skipped (default 100; "
                "1000 for .html)."
            ),
        ] = None,
        method: Annotated[str, typer.Option(help="pca, tsne or umap.")] = "pca",
        analogy: Annotated[
            list[str] | None,
            typer.Option(help="a,b,c,d: arrows a->b and c->d (repeatable; images only)."),
        ] = None,
        title: Annotated[str | None, typer.Option(help="Title of the picture.")] = None,
        neighbors: Annotated[
            int, typer.Option(min=1, help="Neighbours the page's search shows (.html only).")
        ] = 10,
        seed: Annotated[int, typer.Option(help="Random seed of t-SNE / UMAP.")] = 0,
        perplexity: Annotated[
            float | None, typer.Option(help="t-SNE perplexity (default 30, clipped for few words).")
        ] = None,
        format: Annotated[
            str, typer.Option(help="Format of VECTORS (default: detected).")
        ] = "auto",
        stopwords: Annotated[
            bool,
            typer.Option(
                "--stopwords/--no-stopwords",
                help="Skip English stop words and punctuation in labels and --top (default); "
                "--no-stopwords keeps them.",
            ),
        ] = True,
        clusters: Annotated[
            int | None,
            typer.Option(
                min=0,
                help="Without groups, colour N k-means clusters (default: sqrt(words / 10), "
                "2 to 12, from 50 words on; 0: one colour).",
            ),
        ] = None,
    ) -> None:
        """Draw words in 2-D (PCA, t-SNE or UMAP) as an image or an interactive HTML page."""
        suffix = out.suffix.lower()
        if suffix not in IMAGE_SUFFIXES + PAGE_SUFFIXES:
            raise ValueError(
                "-o must end in .png, .svg, .pdf or .html (the format comes from it), got "
                f"{str(out)!r}"
            )
        kind = "page" if suffix in PAGE_SUFFIXES else "image"
        check_output(out, option="--out", kind="file")
        chosen, groups = _words_and_groups(words, words_file, top)
        quads = _analogies(analogy)
        if quads and kind == "page":
            raise ValueError("--analogy arrows are drawn in images only; use -o plot.png")
        if chosen is None:
            n = top or DEFAULT_TOP[kind]
            # stop words are skipped: read enough lines to keep n others
            vecs = _load(vectors_path, format, limit=2 * n + 200 if stopwords else n)
            chosen_arg: Any = n
        else:
            needed = set(chosen) | {w for q in quads for w in q}
            vecs = _load(vectors_path, format, vocab=needed)
            chosen_arg = chosen
        common = {
            "method": method,
            "groups": groups or None,
            "title": title,
            "seed": seed,
            "perplexity": perplexity,
            "stopwords": None if stopwords else False,
            "clusters": clusters,
            "progress": progress_renderer(),  # t-SNE / UMAP can take a while: say so
        }
        if kind == "page":
            from vectab.viz import to_html

            to_html(vecs, chosen_arg, neighbors=neighbors, out=out, **common)
        else:
            from vectab.viz import plot

            plot(vecs, chosen_arg, analogies=quads or None, out=out, **common)
        typer.echo(f"wrote {out}")

    @vectors.command("projector")
    def projector_cmd(
        vectors_path: Annotated[
            Path, typer.Argument(metavar="VECTORS", help="Word vectors file (any format).")
        ],
        out_dir: Annotated[
            Path,
            typer.Argument(help="Folder for tensors.tsv, metadata.tsv, projector_config.pbtxt."),
        ],
        top: Annotated[
            int | None, typer.Option(help="Export only the N first (most frequent) words.")
        ] = None,
        format: Annotated[
            str, typer.Option(help="Format of VECTORS (default: detected).")
        ] = "auto",
    ) -> None:
        """Export vectors for the TensorBoard Embedding Projector (no TensorFlow needed)."""
        from vectab.viz import export_projector

        if top is not None and top < 1:
            raise ValueError(f"--top must be at least 1, got {top}")
        check_output(out_dir, option="OUT_DIR", kind="dir")
        vecs = _load(vectors_path, format, limit=top)
        files = export_projector(vecs, out_dir)
        for path in files:
            typer.echo(f"wrote {path}")
        typer.echo(
            "open https://projector.tensorflow.org and load the two .tsv files, or: tensorboard "
            f"--logdir {out_dir}"
        )
