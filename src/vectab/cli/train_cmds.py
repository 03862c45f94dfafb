"""`vectab train classifier`, `vectab train tagger` and `vectab predict`.

Work under ``torchrun --nproc_per_node=N -m vectab train ...`` too: the Trainer joins the
process group, and only rank 0 shows progress, prints and writes the model directory.
"""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from typing import Annotated, Any

import typer

from vectab.cli._common import check_output, is_main_process, progress_renderer
from vectab.train.run_config import ClassifierRun, TaggerRun, flag_of

# The options of both training commands are generated from the run configs, where each is
# declared once (name, type, default, help, minimum): see vectab.train.run_config.


def _annotation(field: dataclasses.Field) -> Any:
    """``Annotated[type, typer.Option(...)]`` of one run-config field."""
    meta, tp = field.metadata, str(field.type)
    optional = "None" in tp or tp.startswith("tuple")
    if meta["path"]:
        base: Any = Path
    elif tp.startswith("tuple"):
        base = list[int]  # a repeated option
    else:
        base = {"bool": bool, "int": int, "float": float, "str": str}[tp.split(" ")[0]]
    flag = flag_of(field)
    decls = [f"{flag}/--no-{flag[2:]}"] if base is bool else [flag]
    extra = {"min": meta["minimum"]} if base is int and meta["minimum"] is not None else {}
    if optional and base is not str:
        base = base | None
    return Annotated[base, typer.Option(*decls, help=meta["help"], **extra)]


def _cli_default(field: dataclasses.Field) -> Any:
    if field.default is dataclasses.MISSING or field.metadata["cli_required"]:
        return inspect.Parameter.empty  # required
    return None if isinstance(field.default, tuple) else field.default


def _from_cli(run_cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """The CLI's values as the run config's: a repeated option as a tuple, 'none' as None."""
    out = dict(values)
    for field in dataclasses.fields(run_cls):
        value = out[field.name]
        if str(field.type).startswith("tuple"):
            out[field.name] = tuple(value or ())
        elif "None" in str(field.type) and value == "none" and field.type.startswith("str"):
            out[field.name] = None
    return out


def _command(run_cls: type, recipe: str, doc: str) -> Any:
    """A typer command whose options are the fields of ``run_cls``, running ``recipe``."""

    def command(**options: Any) -> None:
        from vectab.train import pipeline

        out = options["out"]
        check_output(out, option="--out", kind="dir")
        values = _from_cli(run_cls, options)
        train = values.pop("train")
        result = getattr(pipeline, recipe)(train, **values, progress=_progress())
        _done(result, out)

    fields = dataclasses.fields(run_cls)
    annotations = {f.name: _annotation(f) for f in fields}
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=_cli_default(f),
                           annotation=annotations[f.name]) for f in fields]
    )
    command.__annotations__ = {**annotations, "return": None}
    command.__doc__ = doc
    command.__name__ = f"{recipe}_cmd"
    return command


def _progress() -> Any:
    return progress_renderer()  # stderr: a bar on a terminal, a full line per epoch in a log


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


train_classifier_cmd = _command(
    ClassifierRun, "train_classifier",
    "Train a text classifier on a labelled file and save it as a model directory.",
)
train_tagger_cmd = _command(
    TaggerRun, "train_tagger",
    "Train a BiLSTM-CRF tagger on a CoNLL/BIO file and save it as a model directory.",
)


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
