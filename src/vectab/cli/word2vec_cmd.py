"""`vectab train word2vec`: learn word vectors from text files and save them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from vectab._fileio import atomic_write
from vectab.cli._common import (
    check_output,
    is_main_process,
    progress_renderer,
    stderr_console,
)


def register(*, app: typer.Typer, train: typer.Typer, vectors: typer.Typer) -> None:
    """Add this module's commands to the `vectab` command groups."""

    @train.command("word2vec")
    def word2vec(
        corpus: Annotated[
            Path, typer.Argument(help="Text file or folder (one sentence per line; .gz/.bz2 ok).")
        ],
        out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the vectors.")],
        sg: Annotated[
            bool, typer.Option("--sg/--cbow", help="Skip-gram or CBOW (the default, as "
                               "Word2Vec's and gensim's sg=0).")
        ] = False,
        vector_size: Annotated[
            int, typer.Option("--vector-size", min=1, help="Dimension of the vectors.")
        ] = 100,
        window: Annotated[int, typer.Option(min=1, help="Maximum context distance.")] = 5,
        min_count: Annotated[
            int, typer.Option("--min-count", min=0, help="Ignore words seen fewer times (0 keeps "
                              "every word).")
        ] = 5,
        negative: Annotated[int, typer.Option(min=0, help="Noise words per example (0: none, "
                                              "with --hs).")] = 5,
        hs: Annotated[
            bool, typer.Option("--hs/--no-hs", help="Hierarchical softmax over a Huffman tree "
                               "(with --negative 0: hs alone), as gensim's hs=1.")
        ] = False,
        sample: Annotated[float, typer.Option(help="Downsampling threshold (0 = off).")] = 1e-3,
        alpha: Annotated[float, typer.Option(help="Initial learning rate.")] = 0.025,
        epochs: Annotated[int, typer.Option(min=1, help="Passes over the corpus.")] = 5,
        workers: Annotated[
            int | None, typer.Option(min=1, help="CPU threads (default: all cores).")
        ] = None,
        seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
        device: Annotated[str, typer.Option(help="cpu, cuda or auto.")] = "cpu",
        format: Annotated[
            str | None,
            typer.Option(
                help="word2vec, word2vec-binary, glove, fasttext or vectab (default: "
                "word2vec-binary for .bin, else word2vec text)."
            ),
        ] = None,
        model_out: Annotated[
            Path | None,
            typer.Option("--save-model", help="Also save the whole model (to continue training)."),
        ] = None,
    ) -> None:
        """Train word2vec (gensim's settings and meanings) on CORPUS and write the vectors to
        --out."""
        from vectab.models.word2vec import Word2Vec
        from vectab.vectors.formats.detect import WRITE_FORMATS
        from vectab.vectors.io import save_vectors

        if format is not None and format not in WRITE_FORMATS:  # before hours of training
            raise ValueError(f"--format must be one of {', '.join(WRITE_FORMATS)}, got {format!r}")
        check_output(out, option="--out", kind="file")
        if model_out is not None:
            check_output(model_out, option="--save-model", kind="file")
        if not corpus.exists():
            raise FileNotFoundError(
                f"{corpus}: does not exist; pass a text file or a folder of them"
            )

        model = Word2Vec(
            sg=int(sg), vector_size=vector_size, window=window, min_count=min_count,
            negative=negative, hs=int(hs), sample=sample, alpha=alpha,
            min_alpha=min(0.0001, alpha), epochs=epochs, workers=workers, seed=seed, device=device,
        )
        model.build_vocab(corpus_file=corpus)
        if is_main_process():
            stderr_console().print(
                f"vocabulary: {len(model.wv):,} words (min_count={min_count}) from "
                f"{model.corpus_total_words:,} tokens in {model.corpus_count:,} sentences"
            )
        model.train(
            corpus_file=corpus,
            total_words=model.corpus_total_words,
            epochs=epochs,
            progress=progress_renderer(),  # the one renderer; it closes the bar on an abort
        )
        if format is None:
            format = "word2vec-binary" if out.suffix.lower() == ".bin" else "word2vec"
        save_vectors(model.wv, out, format=format)
        if model_out is not None:
            model.save(model_out)
        config = {
            "command": "train word2vec",
            "corpus": str(corpus),
            "out": str(out),
            "format": format,
            "vocab_size": len(model.wv),
            "corpus_words": model.corpus_total_words,
            "epoch_losses": model.epoch_losses,
            "settings": {
                "sg": int(sg), "vector_size": vector_size, "window": window, "min_count": min_count,
                "negative": negative, "hs": int(hs), "sample": sample, "alpha": alpha,
                "epochs": epochs,
                "workers": model.workers, "seed": seed, "device": device,
            },
        }
        with atomic_write(f"{out}.json") as f:
            f.write(json.dumps(config, indent=2) + "\n")
        typer.echo(f"wrote {len(model.wv):,} vectors x {vector_size} dims to {out}")
