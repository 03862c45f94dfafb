"""`vectab train word2vec`: learn word vectors from text files and save them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from vectab._fileio import atomic_write
from vectab.cli._common import is_main_process, stderr_console, user_errors


def _progress_bar(epochs: int, total_words: int) -> tuple[Any, Any]:
    """A rich progress bar on stderr and the callback that drives it."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("[bold]word2vec[/] epoch {task.fields[epoch]}/{task.fields[epochs]}"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TextColumn("{task.fields[speed]:>10,.0f} words/s"),
        TextColumn("loss {task.fields[loss]:.4f}"),
        TimeRemainingColumn(),
        console=stderr_console(),
        transient=False,
    )
    task = bar.add_task("train", total=max(total_words * epochs, 1), epoch=1, epochs=epochs, speed=0.0, loss=0.0)

    def update(p: Any) -> None:
        bar.update(
            task,
            completed=p.epoch * total_words + p.words_done,
            epoch=p.epoch + 1,
            speed=p.words_per_sec,
            loss=p.loss,
        )

    return bar, update


def register(*, app: typer.Typer, train: typer.Typer, vectors: typer.Typer) -> None:
    """Add this module's commands to the `vectab` command groups."""

    @train.command("word2vec")
    @user_errors
    def word2vec(
        corpus: Path = typer.Argument(..., help="Text file or folder (one sentence per line; .gz/.bz2 ok)."),
        out: Path = typer.Option(..., "--out", "-o", help="Where to write the vectors."),
        sg: bool = typer.Option(True, "--sg/--cbow", help="Skip-gram (default) or CBOW."),
        vector_size: int = typer.Option(100, "--vector-size", help="Dimension of the vectors."),
        window: int = typer.Option(5, "--window", help="Maximum context distance."),
        min_count: int = typer.Option(5, "--min-count", help="Ignore words seen fewer times."),
        negative: int = typer.Option(5, "--negative", help="Noise words per example."),
        sample: float = typer.Option(1e-3, "--sample", help="Downsampling threshold (0 = off)."),
        alpha: float = typer.Option(0.025, "--alpha", help="Initial learning rate."),
        epochs: int = typer.Option(5, "--epochs", help="Passes over the corpus."),
        workers: int = typer.Option(None, "--workers", help="CPU threads (default: all cores)."),
        seed: int = typer.Option(1, "--seed", help="Random seed."),
        device: str = typer.Option("cpu", "--device", help="cpu, cuda or auto."),
        format: str = typer.Option(None, "--format", help="Vector file format (default: from the extension)."),
        model_out: Path = typer.Option(None, "--save-model", help="Also save the whole model to continue training."),
    ) -> None:
        """Train word2vec (gensim's settings and meanings) on CORPUS and write the vectors to --out."""
        from vectab.models.word2vec import Word2Vec
        from vectab.vectors.io import save_vectors

        model = Word2Vec(
            sg=int(sg), vector_size=vector_size, window=window, min_count=min_count,
            negative=negative, sample=sample, alpha=alpha, min_alpha=min(0.0001, alpha),
            epochs=epochs, workers=workers, seed=seed, device=device,
        )
        model.build_vocab(corpus_file=corpus)
        show = is_main_process()
        if show:
            stderr_console().print(
                f"vocabulary: {len(model.wv):,} words (min_count={min_count}) from "
                f"{model.corpus_total_words:,} tokens in {model.corpus_count:,} sentences"
            )
        bar, update = _progress_bar(epochs, model.corpus_total_words) if show else (None, None)
        if bar is not None:
            bar.start()
        try:
            model.train(corpus_file=corpus, total_words=model.corpus_total_words, epochs=epochs, progress=update)
        finally:
            if bar is not None:
                bar.stop()
        if format is None:
            save_vectors(model.wv, out)
        else:
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
                "negative": negative, "sample": sample, "alpha": alpha, "epochs": epochs,
                "workers": model.workers, "seed": seed, "device": device,
            },
        }
        with atomic_write(f"{out}.json") as f:
            f.write(json.dumps(config, indent=2) + "\n")
        typer.echo(f"wrote {len(model.wv):,} vectors x {vector_size} dims to {out}")
