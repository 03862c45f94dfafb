"""`vectab train word2vec` / `vectab train fasttext`: learn word vectors from text files.

Both commands share their options (the aliases below, with the library's defaults) and one
train-and-save path (:func:`_fit_and_save`); FastText adds its n-gram options and writes a
fastText ``.bin`` (with the n-grams) or a word2vec text ``.vec``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from vectab._fileio import atomic_write
from vectab.cli._common import (
    check_output,
    is_main_process,
    progress_renderer,
    stderr_console,
)

# the options both commands take (the defaults are Word2Vec's and FastText's, the same)
Corpus = Annotated[
    Path, typer.Argument(help="Text file or folder (one sentence per line; .gz/.bz2 ok).")
]
Sg = Annotated[bool, typer.Option("--sg/--cbow", help="Skip-gram or CBOW (the default, as the "
                                  "library's and gensim's sg=0).")]
VectorSize = Annotated[int, typer.Option("--vector-size", min=1, help="Dimension of the vectors.")]
Window = Annotated[int, typer.Option(min=1, help="Maximum context distance.")]
MinCount = Annotated[int, typer.Option("--min-count", min=0, help="Ignore words seen fewer "
                                       "times (0 keeps every word).")]
Sample = Annotated[float, typer.Option(help="Downsampling threshold (0 = off).")]
Alpha = Annotated[float, typer.Option(help="Initial learning rate.")]
Epochs = Annotated[int, typer.Option(min=1, help="Passes over the corpus.")]
Workers = Annotated[int | None, typer.Option(min=1, help="CPU threads (default: all cores).")]
Seed = Annotated[int, typer.Option(help="Random seed.")]
SaveModel = Annotated[
    Path | None,
    typer.Option("--save-model", help="Also save the whole model (to continue training)."),
]


def _check_paths(corpus: Path, out: Path, model_out: Path | None) -> None:
    """Refuse bad paths before the vocabulary scan (not after hours of training)."""
    check_output(out, option="--out", kind="file")
    if model_out is not None:
        check_output(model_out, option="--save-model", kind="file")
    if not corpus.exists():
        raise FileNotFoundError(f"{corpus}: does not exist; pass a text file or a folder of them")


def _fit_and_save(
    model: Any, *, command: str, corpus: Path, out: Path, format: str,
    write: Callable[[], None], model_out: Path | None, settings: dict[str, Any],
) -> None:
    """Scan, train (with the progress bar), write the vectors, the model and ``OUT.json``."""
    model.build_vocab(corpus_file=corpus)
    if is_main_process():
        stderr_console().print(
            f"vocabulary: {len(model.wv):,} words (min_count={model.min_count}) from "
            f"{model.corpus_total_words:,} tokens in {model.corpus_count:,} sentences"
        )
    model.train(
        corpus_file=corpus,
        total_words=model.corpus_total_words,
        epochs=model.epochs,
        progress=progress_renderer(),  # the one renderer; it closes the bar on an abort
    )
    write()
    if model_out is not None:
        model.save(model_out)
    config = {
        "command": command,
        "corpus": str(corpus),
        "out": str(out),
        "format": format,
        "vocab_size": len(model.wv),
        "corpus_words": model.corpus_total_words,
        "epoch_losses": model.epoch_losses,
        "settings": settings | {"workers": model.workers},
    }
    with atomic_write(f"{out}.json") as f:
        f.write(json.dumps(config, indent=2) + "\n")
    typer.echo(f"wrote {len(model.wv):,} vectors x {model.vector_size} dims to {out}")


def register(*, app: typer.Typer, train: typer.Typer, vectors: typer.Typer) -> None:
    """Add this module's commands to the `vectab` command groups."""

    @train.command("word2vec")
    def word2vec(
        corpus: Corpus,
        out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the vectors.")],
        sg: Sg = False,
        vector_size: VectorSize = 100,
        window: Window = 5,
        min_count: MinCount = 5,
        negative: Annotated[int, typer.Option(min=0, help="Noise words per example (0: none, "
                                              "with --hs).")] = 5,
        hs: Annotated[
            bool, typer.Option("--hs/--no-hs", help="Hierarchical softmax over a Huffman tree "
                               "(with --negative 0: hs alone), as gensim's hs=1.")
        ] = False,
        sample: Sample = 1e-3,
        alpha: Alpha = 0.025,
        epochs: Epochs = 5,
        workers: Workers = None,
        seed: Seed = 1,
        device: Annotated[str, typer.Option(help="cpu, cuda or auto.")] = "cpu",
        format: Annotated[
            str | None,
            typer.Option(
                help="word2vec, word2vec-binary, glove, fasttext or vectab (default: "
                "word2vec-binary for .bin, else word2vec text)."
            ),
        ] = None,
        model_out: SaveModel = None,
    ) -> None:
        """Train word2vec (gensim's settings and meanings) on CORPUS and write the vectors to
        --out."""
        from vectab.models.word2vec import Word2Vec
        from vectab.vectors.formats.detect import WRITE_FORMATS
        from vectab.vectors.io import save_vectors

        if format is not None and format not in WRITE_FORMATS:  # before hours of training
            raise ValueError(f"--format must be one of {', '.join(WRITE_FORMATS)}, got {format!r}")
        _check_paths(corpus, out, model_out)
        settings = {"sg": int(sg), "vector_size": vector_size, "window": window,
                    "min_count": min_count, "negative": negative, "hs": int(hs),
                    "sample": sample, "alpha": alpha, "epochs": epochs, "seed": seed}
        model = Word2Vec(**settings, min_alpha=min(0.0001, alpha), workers=workers, device=device)
        fmt = format or ("word2vec-binary" if out.suffix.lower() == ".bin" else "word2vec")
        _fit_and_save(model, command="train word2vec", corpus=corpus, out=out, format=fmt,
                      write=lambda: save_vectors(model.wv, out, format=fmt),
                      model_out=model_out, settings=settings | {"device": device})

    @train.command("fasttext")
    def fasttext(
        corpus: Corpus,
        out: Annotated[Path, typer.Option(
            "--out", "-o", help="Where to write the vectors: a .bin is fastText's model (with "
            "the n-grams: vectors for any word), else word2vec text (.vec).")],
        sg: Sg = False,
        vector_size: VectorSize = 100,
        window: Window = 5,
        min_count: MinCount = 5,
        negative: Annotated[int, typer.Option(min=1, help="Noise words per example.")] = 5,
        min_n: Annotated[int, typer.Option("--min-n", min=1, help="Shortest character "
                                           "n-gram.")] = 3,
        max_n: Annotated[int, typer.Option("--max-n", min=0, help="Longest character n-gram "
                                           "(below --min-n, e.g. 0: no n-grams).")] = 6,
        bucket: Annotated[int, typer.Option(min=0, help="Rows of the hashed n-gram table "
                                            "(0: no n-grams).")] = 2_000_000,
        sample: Sample = 1e-3,
        alpha: Alpha = 0.025,
        epochs: Epochs = 5,
        workers: Workers = None,
        seed: Seed = 1,
        model_out: SaveModel = None,
    ) -> None:
        """Train FastText (word2vec with character n-grams, gensim's settings and meanings) on
        CORPUS and write the vectors to --out."""
        from vectab.models.fasttext import FastText
        from vectab.vectors.io import save_vectors

        _check_paths(corpus, out, model_out)
        settings = {"sg": int(sg), "vector_size": vector_size, "window": window,
                    "min_count": min_count, "negative": negative, "min_n": min_n,
                    "max_n": max_n, "bucket": bucket, "sample": sample, "alpha": alpha,
                    "epochs": epochs, "seed": seed}
        model = FastText(**settings, min_alpha=min(0.0001, alpha), workers=workers)
        binary = out.suffix.lower() == ".bin"
        _fit_and_save(
            model, command="train fasttext", corpus=corpus, out=out,
            format="fasttext-bin" if binary else "word2vec",
            write=(lambda: model.save_facebook_model(out)) if binary
            else (lambda: save_vectors(model.wv, out, format="word2vec")),
            model_out=model_out, settings=settings,
        )
