"""`vectab train classifier`, `vectab train tagger` and `vectab predict`.

Work under ``torchrun --nproc_per_node=N -m vectab train ...`` too: the Trainer joins the
process group, and only rank 0 shows progress, prints and writes the model directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from vectab.cli._common import check_output, is_main_process

FREEZE_HELP = (
    "Pretrained rows: 'pretrained' = fixed (new words learn), 'all' = whole table fixed, 'none'."
)


# The options both training commands take, written once.
OutOption = Annotated[Path, typer.Option("--out", help="Directory to save the model to.")]
ValidOption = Annotated[
    Path | None, typer.Option("--valid", help="Validation file (early stopping).")
]
VectorsOption = Annotated[Path | None, typer.Option("--vectors", help="Pretrained vectors file.")]
FreezeOption = Annotated[str, typer.Option("--freeze", help=FREEZE_HELP)]
ExtendVocabOption = Annotated[
    bool,
    typer.Option(
        "--extend-vocab",
        help="Also give ids to the vectors' words absent from the training file.",
    ),
]
EmbeddingDimOption = Annotated[
    int, typer.Option("--embedding-dim", min=1, help="Table width without --vectors.")
]
LrOption = Annotated[float, typer.Option("--lr", help="Learning rate.")]
DeviceOption = Annotated[str, typer.Option("--device", help="auto, cpu, cuda, cuda:N.")]


def _progress() -> Any:
    if not is_main_process():
        return None
    from vectab._render import Renderer

    return Renderer()  # stderr: a bar on a terminal, a full line per epoch in a log


def _done(result: Any, out: Path) -> None:
    try:
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()
    except Exception:  # pragma: no cover - shutting down is best effort
        pass
    if not is_main_process():
        return
    if result.coverage is not None:
        typer.echo("coverage of the training words by the vectors:")
        typer.echo("\n".join("  " + line for line in result.coverage.summary().splitlines()))
    scores = "  ".join(f"{k} {v:.4f}" for k, v in result.metrics.items())
    best = result.history.best_epoch
    epochs = len(result.history.epochs)
    typer.echo(f"trained {epochs} epoch(s); best epoch {None if best is None else best + 1}")
    if scores:
        typer.echo(f"validation: {scores}")
    typer.echo(f"saved model to {out}")


def train_classifier_cmd(
    train: Annotated[
        Path, typer.Option("--train", help="Training file: CSV, TSV, JSONL or Parquet.")
    ],
    out: OutOption,
    valid: ValidOption = None,
    text_col: Annotated[str, typer.Option("--text-col", help="Name of the text column.")] = "text",
    label_col: Annotated[
        str, typer.Option("--label-col", help="Name of the label column.")
    ] = "label",
    vectors: VectorsOption = None,
    freeze: FreezeOption = "pretrained",
    extend_vocab: ExtendVocabOption = False,
    encoder: Annotated[
        str, typer.Option("--encoder", help="bilstm, lstm, bigru, gru, cnn, mean, max.")
    ] = "bilstm",
    embedding_dim: EmbeddingDimOption = 100,
    hidden_size: Annotated[
        int, typer.Option("--hidden-size", min=1, help="RNN hidden size per direction.")
    ] = 128,
    projection: Annotated[
        list[int] | None,
        typer.Option(
            "--projection",
            help="Width of a per-word ReLU layer before the encoder (repeat for more).",
        ),
    ] = None,
    dropout: Annotated[
        float, typer.Option("--dropout", help="Dropout before the output layer.")
    ] = 0.5,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="Maximum number of epochs.")] = 5,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Examples per step (per process).")
    ] = 32,
    lr: LrOption = 1e-3,
    ema: Annotated[
        float | None,
        typer.Option(
            "--ema", help="Validate and keep a moving average of the weights (decay, e.g. 0.999)."
        ),
    ] = None,
    max_len: Annotated[
        int | None, typer.Option("--max-len", min=1, help="Keep the first N tokens of a text.")
    ] = None,
    num_words: Annotated[
        int | None, typer.Option("--num-words", min=1, help="Keep the N-1 most frequent words.")
    ] = None,
    patience: Annotated[
        int | None, typer.Option("--patience", min=0, help="Early stopping patience (epochs).")
    ] = 2,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (the same seed repeats a run).")
    ] = 0,
    device: DeviceOption = "auto",
) -> None:
    """Train a text classifier on a labelled file and save it as a model directory."""
    from vectab.train.pipeline import train_classifier

    check_output(out, option="--out", kind="dir")

    result = train_classifier(
        train, valid=valid, text_col=text_col, label_col=label_col, vectors=vectors,
        freeze=freeze, extend_vocab=extend_vocab, encoder=encoder, embedding_dim=embedding_dim,
        hidden_size=hidden_size, projection=tuple(projection or ()), dropout=dropout,
        epochs=epochs, batch_size=batch_size, lr=lr, ema=ema, max_len=max_len,
        num_words=num_words, early_stopping_patience=patience, seed=seed, device=device,
        out=out, progress=_progress(),
    )
    _done(result, out)


def train_tagger_cmd(
    train: Annotated[Path, typer.Option("--train", help="Training file: CoNLL/BIO columns.")],
    out: OutOption,
    valid: ValidOption = None,
    token_col: Annotated[
        int, typer.Option("--token-col", help="Column of the tokens (0-based).")
    ] = 0,
    tag_col: Annotated[int, typer.Option("--tag-col", help="Column of the tags (-1 = last).")] = -1,
    vectors: VectorsOption = None,
    freeze: FreezeOption = "pretrained",
    extend_vocab: ExtendVocabOption = False,
    embedding_dim: EmbeddingDimOption = 100,
    hidden_size: Annotated[
        int, typer.Option("--hidden-size", min=1, help="LSTM hidden size per direction.")
    ] = 128,
    dropout: Annotated[float, typer.Option("--dropout", help="Dropout.")] = 0.5,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="Maximum number of epochs.")] = 10,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Sentences per step (per process).")
    ] = 32,
    lr: LrOption = 1e-3,
    num_words: Annotated[
        int | None, typer.Option("--num-words", min=1, help="Keep the N-1 most frequent tokens.")
    ] = None,
    lower: Annotated[bool, typer.Option("--lower/--no-lower", help="Lower-case tokens.")] = False,
    patience: Annotated[
        int | None, typer.Option("--patience", min=0, help="Early stopping patience (epochs).")
    ] = 3,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    device: DeviceOption = "auto",
) -> None:
    """Train a BiLSTM-CRF tagger on a CoNLL/BIO file and save it as a model directory."""
    from vectab.train.pipeline import train_tagger

    check_output(out, option="--out", kind="dir")

    result = train_tagger(
        train, valid=valid, token_col=token_col, tag_col=tag_col, vectors=vectors,
        freeze=freeze, extend_vocab=extend_vocab, embedding_dim=embedding_dim,
        hidden_size=hidden_size, dropout=dropout,
        epochs=epochs, batch_size=batch_size, lr=lr, num_words=num_words, lower=lower,
        early_stopping_patience=patience, seed=seed, device=device, out=out,
        progress=_progress(),
    )
    _done(result, out)


def _write_lines(lines: list[str], out: Path | None) -> None:
    if out is None:
        for line in lines:
            typer.echo(line)
        return
    from vectab._fileio import atomic_write

    with atomic_write(out) as f:
        f.write("".join(line + "\n" for line in lines))
PREDICT_HELP = """Predict labels (classifier) or tags (tagger) for a file with a saved model.

Output stays aligned with the input, nothing is dropped. For a .txt file (one text per line,
no header) line i of the output is line i of the input: "prediction<TAB>text". For
CSV/TSV/JSONL/Parquet the output starts with the header "prediction<TAB>text" and row i
follows row i of the input (in a one-column CSV/TSV a blank line is an empty text). An empty
(or blank) text gets an empty prediction: the line is "<TAB>text". CRLF line ends read as LF;
a final newline adds no text. A file with no text at all is refused. For a tagger, FILE is
CoNLL (one token per line, a blank line between sentences) and line i of the output is line i
of the input: "token<TAB>tag" for a token line, blank and -DOCSTART- lines as they are.
"""


def predict_cmd(
    model_dir: Annotated[Path, typer.Argument(help="A model directory saved by `vectab train`.")],
    file: Annotated[
        Path,
        typer.Argument(
            help="Texts: .txt (one per line), CSV/TSV/JSONL/Parquet; or CoNLL tokens for a tagger."
        ),
    ],
    text_col: Annotated[
        str | None, typer.Option("--text-col", help="Text column (default: training's).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write predictions here instead of stdout.")
    ] = None,
) -> None:
    from vectab.train.readers import read_conll, read_lines, read_table
    from vectab.train.saving import load_model

    if out is not None:
        check_output(out, option="--out", kind="file")
    if file.is_dir():
        raise IsADirectoryError(f"{file}: is a directory; pass the file of texts to predict")
    if not file.exists():
        raise FileNotFoundError(f"{file}: file not found")
    loaded = load_model(model_dir)
    pre = loaded.config.get("preprocessing") or {}
    if loaded.task == "tagging":
        sents, _ = read_conll(file, token_col=int(pre.get("token_col", 0)), tag_col=None)
        if not sents:
            raise ValueError(f"{file}: no tokens to tag (expected one token per line)")
        tokens = iter([tok for sent in sents for tok in sent])
        tags = iter([tag for sent in loaded.predict(sents) for tag in sent])
        lines = []
        for line in read_lines(file):  # read_conll's rules: blank, -DOCSTART- or a token line
            if not line.strip():
                lines.append("")
            elif line.startswith("-DOCSTART-"):
                lines.append(line)
            else:
                lines.append(f"{next(tokens)}\t{next(tags)}")
        _write_lines(lines, out)
        return
    plain = file.suffix.lower() == ".txt"
    col = text_col or pre.get("text_col") or "text"
    texts = read_lines(file) if plain else read_table(file, text_col=col, label_col=None)[0]
    filled = [i for i, t in enumerate(texts) if t.strip()]
    if not filled:
        what = f"{len(texts)} blank line(s)" if texts else "no text"
        raise ValueError(f"{file}: {what}, nothing to predict; give one text per line (or row)")
    preds: list = [""] * len(texts)
    for i, p in zip(filled, loaded.predict([texts[i] for i in filled])):
        preds[i] = p
    header = [] if plain else ["prediction\ttext"]
    _write_lines(header + [f"{p}\t{_one_line(t)}" for p, t in zip(preds, texts)], out)
    label_col = pre.get("label_col")
    if label_col and not plain:
        try:
            _, gold = read_table(file, text_col=col, label_col=label_col)
        except ValueError:
            return
        right = sum(str(preds[i]) == str(gold[i]) for i in filled)
        skipped = len(texts) - len(filled)
        note = f" ({skipped} empty text(s) not scored)" if skipped else ""
        typer.echo(f"accuracy {right / len(filled):.4f} on {len(filled)} texts{note}", err=True)


predict_cmd.__doc__ = PREDICT_HELP


def _one_line(text: str) -> str:
    """A text as one output field: its newlines and tabs (possible inside CSV quotes) as spaces."""
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")


def register(*, app: typer.Typer, train: typer.Typer, vectors: typer.Typer) -> None:
    """Add this module's commands to the `vectab` command groups."""
    train.command("classifier")(train_classifier_cmd)
    train.command("tagger")(train_tagger_cmd)
    app.command("predict")(predict_cmd)
