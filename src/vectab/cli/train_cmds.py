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
        if field.name not in out:
            continue
        value = out[field.name]
        if str(field.type).startswith("tuple"):
            out[field.name] = tuple(value or ())
        elif "None" in str(field.type) and value == "none" and field.type.startswith("str"):
            out[field.name] = None
    return out


def _given(ctx: typer.Context, options: dict[str, Any]) -> dict[str, Any]:
    """The options typed on the command line (or set by the environment), not the defaults.

    The pipeline fills the rest: from ``--preset`` when given (an option typed always wins, even
    one typed with its default value), else from the run config's defaults, which are the CLI's.
    """
    sources = {name: ctx.get_parameter_source(name) for name in options}
    return {name: value for name, value in options.items()
            if getattr(sources[name], "name", None) != "DEFAULT"}


def _command(run_cls: type, recipe: str, doc: str) -> Any:
    """A typer command whose options are the fields of ``run_cls``, running ``recipe``."""

    def command(ctx: typer.Context, **options: Any) -> None:
        from vectab.train import pipeline

        out = options["out"]
        check_output(out, option="--out", kind="dir")
        values = _from_cli(run_cls, _given(ctx, options))
        train = values.pop("train")
        result = getattr(pipeline, recipe)(train, **values, progress=_progress(),
                                           on_coverage=_print_coverage)
        _done(result, out)

    fields = dataclasses.fields(run_cls)
    annotations = {f.name: _annotation(f) for f in fields}
    # ctx: typer passes the click context (where each value came from: typed or a default)
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                           annotation=typer.Context)]
        + [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=_cli_default(f),
                             annotation=annotations[f.name]) for f in fields]
    )
    command.__annotations__ = {"ctx": typer.Context, **annotations, "return": None}
    command.__doc__ = doc
    command.__name__ = f"{recipe}_cmd"
    return command


def _progress() -> Any:
    return progress_renderer()  # stderr: a bar on a terminal, a full line per epoch in a log


def _print_coverage(report: Any) -> None:
    """The coverage of the training words, printed before the first epoch (pipeline callback)."""
    if not is_main_process():
        return
    typer.echo("coverage of the training words by the vectors:")
    typer.echo("\n".join("  " + line for line in report.summary().splitlines()))


def _done(result: Any, out: Path) -> None:
    try:
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()
    except Exception:  # pragma: no cover - shutting down is best effort
        pass
    if not is_main_process():
        return
    scores = "  ".join(f"{k} {v:.4f}" for k, v in result.metrics.items())
    best = result.history.best_epoch
    epochs = len(result.history.epochs)
    typer.echo(f"trained {epochs} epoch(s); best epoch {None if best is None else best + 1}")
    if scores:
        typer.echo(f"validation: {scores}")
    if result.refit_epochs is not None:
        typer.echo(f"refit on train + valid: {result.refit_epochs} epoch(s); the saved model is "
                   "the refit (the validation numbers above are the first run's)")
    typer.echo(f"saved model to {out}")


train_classifier_cmd = _command(
    ClassifierRun, "train_classifier",
    "Train a text classifier on a labelled file and save it as a model directory.",
)
train_tagger_cmd = _command(
    TaggerRun, "train_tagger",
    "Train a BiLSTM-CRF tagger on a CoNLL/BIO file and save it as a model directory.",
)


PREDICT_FORMATS = ("txt", "csv", "tsv", "jsonl", "parquet", "conll")
_SUFFIXES = {".txt": "txt", ".text": "txt", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv",
             ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet",
             ".conll": "conll", ".conllu": "conll", ".bio": "conll", ".iob": "conll"}
STDIN = "<stdin>"

PREDICT_HELP = """Predict labels (classifier) or tags (tagger) for FILE or stdin with a saved model.

FILE is .txt (one text per line), .csv/.tsv (text column --text-col, default: training's),
.jsonl, .parquet, or CoNLL for a tagger (one token per line, a blank line between sentences);
--format forces the format. FILE - (or no FILE with texts piped in) reads stdin (txt for a
classifier, CoNLL for a tagger, unless --format says otherwise).

Output lines align with input lines: line i of the output is about line i of the input
("prediction<TAB>text"; for CSV/TSV the header line becomes "prediction<TAB>text"); a blank
input line (an empty text, a line between JSONL records) is a blank output line. Parquet:
the header, then one line per row. Tagger: "token<TAB>tag" for each token line, blank and
-DOCSTART- lines as they are.

When the input holds the gold answers (the training's label column, or a tag column in the
CoNLL file) the scores go to stderr: accuracy and macro-F1 for a classifier, entity
precision, recall and F1 for a tagger. Predictions go to stdout, or to --out (written
atomically).
"""


def _format_for(file: Path | None, fmt: str | None, task: str) -> str:
    """The input format: --format, else the extension, else (stdin) the task's usual one."""
    if fmt is None:
        if file is None:
            fmt = "conll" if task == "tagging" else "txt"
        elif task == "tagging":
            fmt = "conll"  # a tagger reads CoNLL whatever the extension
        else:
            fmt = _SUFFIXES.get(file.suffix.lower())
            if fmt is None or fmt == "conll":
                raise ValueError(
                    f"{file}: cannot tell the format of a classifier's input from the extension "
                    f"{file.suffix!r}; name it .txt/.csv/.tsv/.jsonl/.parquet or pass --format "
                    "txt|csv|tsv|jsonl|parquet"
                )
    if task == "tagging" and fmt != "conll":
        raise ValueError(f"a tagger reads CoNLL tokens (--format conll), got --format {fmt}")
    if task != "tagging" and fmt == "conll":
        raise ValueError("--format conll is for a tagger; this model is a classifier: pass "
                         "--format txt|csv|tsv|jsonl|parquet")
    return fmt


def _stdin_names(exc: BaseException, tmp: str) -> BaseException:
    """``exc`` with the temporary copy of stdin named ``<stdin>`` in its message."""
    exc.args = tuple(a.replace(tmp, STDIN) if isinstance(a, str) else a for a in exc.args)
    for attr in ("path", "filename"):
        value = getattr(exc, attr, None)
        if isinstance(value, str) and tmp in value:
            try:
                setattr(exc, attr, value.replace(tmp, STDIN))
            except AttributeError:  # pragma: no cover - read-only attribute
                pass
    return exc


def _label(value: Any) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _predict_classifier(loaded: Any, path: Path, fmt: str, text_col: str | None,
                        shown: str) -> tuple[list[str], str | None]:
    """(output lines, scores line or None) of a classifier on a txt/table file."""
    from vectab.engine.metrics import accuracy, macro_f1
    from vectab.errors import VectorFormatError
    from vectab.train.readers import read_lines, read_table_lines

    pre = loaded.config.get("preprocessing") or {}
    col = text_col or pre.get("text_col") or "text"
    label_col = pre.get("label_col")
    gold, note = None, ""
    if fmt == "txt":
        texts = read_lines(path)
        rows, header, n_lines = list(range(1, len(texts) + 1)), None, len(texts)
    else:
        texts, _, rows = read_table_lines(path, text_col=col, label_col=None, format=fmt)
        if label_col and label_col != col:
            try:
                gold = read_table_lines(path, text_col=col, label_col=label_col, format=fmt)[1]
            except VectorFormatError as exc:  # an empty label: predict, do not score
                note = f"not scored: {exc}"
            except ValueError:  # no label column: nothing to score
                gold = None
        header = None if fmt == "jsonl" else "prediction\ttext"
        n_lines = len(read_lines(path)) if rows is not None else None
    filled = [i for i, t in enumerate(texts) if t.strip()]
    if not filled:
        what = f"{len(texts)} blank line(s)" if texts else "no text"
        raise ValueError(f"{shown}: {what}, nothing to predict; give one text per line (or row)")
    preds: list[Any] = [None] * len(texts)
    for i, p in zip(filled, loaded.predict([texts[i] for i in filled])):
        preds[i] = p
    body = [f"{_label(p)}\t{_one_line(t)}" if p is not None else "" for p, t in zip(preds, texts)]
    if rows is None or n_lines is None:  # Parquet: no lines to align with
        lines = ([header] if header else []) + body
    else:
        lines = [""] * max(n_lines, max(rows, default=0))
        if header:
            lines[0] = header
        for line_no, text_line in zip(rows, body):
            lines[line_no - 1] = text_line
    scores = note or None
    if gold is not None and not any(isinstance(p, list) for p in preds):
        y_true = [str(gold[i]) for i in filled]
        y_pred = [str(preds[i]) for i in filled]
        skipped = len(texts) - len(filled)
        extra = f" ({skipped} empty text(s) not scored)" if skipped else ""
        scores = (f"accuracy {accuracy(y_true, y_pred):.4f}  macro-F1 "
                  f"{macro_f1(y_true, y_pred):.4f} on {len(filled)} texts{extra}")
    return lines, scores


def _predict_tagger(loaded: Any, path: Path, shown: str) -> tuple[list[str], str | None]:
    """(output lines, scores line or None) of a tagger on a CoNLL file."""
    from vectab.engine.metrics import entity_f1
    from vectab.train.readers import read_conll, read_lines

    pre = loaded.config.get("preprocessing") or {}
    token_col, tag_col = int(pre.get("token_col", 0)), int(pre.get("tag_col", -1))
    sents, _ = read_conll(path, token_col=token_col, tag_col=None)
    if not sents:
        raise ValueError(f"{shown}: no tokens to tag (expected one token per line)")
    raw = read_lines(path)
    token_lines = [ln.split() for ln in raw if ln.strip() and not ln.startswith("-DOCSTART-")]
    labelled = all(len(c) >= 2 and token_col % len(c) != tag_col % len(c) for c in token_lines)
    predicted = loaded.predict(sents)
    tokens = iter([tok for sent in sents for tok in sent])
    tags = iter([tag for sent in predicted for tag in sent])
    lines = []
    for line in raw:  # read_conll's rules: blank, -DOCSTART- or a token line
        if not line.strip():
            lines.append("")
        elif line.startswith("-DOCSTART-"):
            lines.append(line)
        else:
            lines.append(f"{next(tokens)}\t{next(tags)}")
    scores = None
    if labelled:
        gold = read_conll(path, token_col=token_col, tag_col=tag_col)[1] or []
        m = entity_f1(gold, predicted)
        scores = (f"entity precision {m['precision']:.4f}  recall {m['recall']:.4f}  F1 "
                  f"{m['f1']:.4f} on {len(sents)} sentences ({int(m['support'])} entities)")
    return lines, scores


def predict_cmd(
    model_dir: Annotated[Path, typer.Argument(help="A model directory saved by `vectab train`.")],
    file: Annotated[
        Path | None,
        typer.Argument(help="Texts (.txt, .csv, .tsv, .jsonl, .parquet) or CoNLL tokens; - or "
                       "nothing: stdin."),
    ] = None,
    text_col: Annotated[
        str | None, typer.Option("--text-col", help="Text column (default: training's).")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="Input format: txt, csv, tsv, jsonl, parquet or conll "
                     "(default: from the extension)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write predictions here instead of stdout.")
    ] = None,
) -> None:
    import sys
    import tempfile

    from vectab.train.saving import load_model

    if fmt is not None and fmt not in PREDICT_FORMATS:  # before loading the model
        raise ValueError(f"--format must be one of {', '.join(PREDICT_FORMATS)}, got {fmt!r}")
    if out is not None:
        check_output(out, option="--out", kind="file")
    from_stdin = file is None or str(file) == "-"
    if file is None and sys.stdin.isatty():
        raise ValueError("no FILE given and nothing piped into stdin; pass FILE, or - and pipe "
                         "the texts in (`cat texts.txt | vectab predict MODEL -`)")
    if not from_stdin:
        if file.is_dir():
            raise IsADirectoryError(f"{file}: is a directory; pass the file of texts to predict")
        if not file.exists():
            raise FileNotFoundError(f"{file}: file not found")
    loaded = load_model(model_dir)
    kind = _format_for(None if from_stdin else file, fmt, loaded.task)
    with tempfile.TemporaryDirectory(prefix="vectab-stdin-") as tmp:
        path = file
        if from_stdin:
            path = Path(tmp) / f"stdin.{kind}"
            path.write_bytes(sys.stdin.buffer.read())
        shown = STDIN if from_stdin else str(file)
        try:
            if loaded.task == "tagging":
                lines, scores = _predict_tagger(loaded, path, shown)
            else:
                lines, scores = _predict_classifier(loaded, path, kind, text_col, shown)
        except Exception as exc:
            raise (_stdin_names(exc, str(path)) if from_stdin else exc) from None
    _write_lines(lines, out)
    if scores:
        typer.echo(scores, err=True)


predict_cmd.__doc__ = PREDICT_HELP


def _write_lines(lines: list[str], out: Path | None) -> None:
    if out is None:
        for line in lines:
            typer.echo(line)
        return
    from vectab._fileio import atomic_write

    with atomic_write(out) as f:
        f.write("".join(line + "\n" for line in lines))


def _one_line(text: str) -> str:
    """A text as one output field: its newlines and tabs (possible inside CSV quotes) as spaces."""
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")

def register(*, app: typer.Typer, train: typer.Typer, vectors: typer.Typer) -> None:
    """Add this module's commands to the `vectab` command groups."""
    train.command("classifier")(train_classifier_cmd)
    train.command("tagger")(train_tagger_cmd)
    app.command("predict")(predict_cmd)
