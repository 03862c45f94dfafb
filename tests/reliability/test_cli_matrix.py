"""Every wrong invocation of `vectab` prints ONE line on stderr and exits with 1.

Each case builds its bad input in tmp_path and asserts: exit code 1, exactly one non-empty
line on stderr, no "Traceback" anywhere, and that the line names the file or the option. Most
cases go through typer's CliRunner (fast); a few run the real process (`python -m vectab`),
among them the truncated .gz that click used to turn into "Aborted.".
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vectab.cli.main import app

runner = CliRunner()
POS, NEG, FILLER = ["great", "superb"], ["awful", "dull"], ["the", "film", "plot", "was"]
VECTORS = "cat 1 0.1 0\ndog 1 0.2 0.1\nthe 0.5 0.5 0.5\n" + "".join(
    f"w{i} {i % 7} 0.{i % 10} 1\n" for i in range(300))


def training_csv(path: Path, n: int = 40, seed: int = 0) -> Path:
    rng = random.Random(seed)
    lines = ["text,label"]
    for _ in range(n):
        y = rng.randint(0, 1)
        lines.append(" ".join(rng.sample(FILLER, 2) + [rng.choice(POS if y else NEG)]) + f",{y}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A tiny trained classifier, its training file, a vector file and a corpus."""
    from vectab.train.pipeline import train_classifier

    tmp = tmp_path_factory.mktemp("matrix")
    training_csv(tmp / "train.csv")
    train_classifier(tmp / "train.csv", encoder="mean", embedding_dim=4, epochs=1,
                     early_stopping_patience=None, device="cpu", out=tmp / "model")
    (tmp / "v.txt").write_text(VECTORS)
    (tmp / "corpus.txt").write_text("the cat sat on the mat\nthe dog ate\n" * 20)
    (tmp / "a_file").write_text("I am a file, not a folder\n")
    (tmp / "t.conll").write_text("Ann B-PER\nruns O\n\nBob B-PER\nsleeps O\n\n" * 3)
    return tmp


# a finished stage, e.g. "load v.txt: 3.8 kB (0.1 s)"
PROGRESS_LINE = re.compile(r"^\S.*: .*\(\d+\.\d s\)$")


def check(result_or_proc, *names: str) -> str:
    """The rule: exit 1, one non-empty error line on stderr (beside the progress log of the
    stages that finished before it, e.g. the vectors' load), no traceback, the line names
    something."""
    code = getattr(result_or_proc, "exit_code", None)
    if code is None:
        code = result_or_proc.returncode
    stdout, stderr = result_or_proc.stdout, result_or_proc.stderr
    lines = [line for line in stderr.splitlines()
             if line.strip() and not PROGRESS_LINE.match(line)]
    assert code == 1, (code, stdout, stderr)
    assert len(lines) == 1, stderr
    assert "Traceback" not in stdout + stderr
    assert lines[0].startswith("error: "), lines[0]
    assert "Aborted" not in lines[0]
    assert any(name in lines[0] for name in names), (names, lines[0])
    return lines[0]


def invoke(*args) -> object:
    return runner.invoke(app, [str(a) for a in args])


def _raise(exc: BaseException):
    """A function that raises ``exc`` whatever it is called with."""

    def fn(*args, **kwargs):
        raise exc

    return fn


# -- bad input files: the bytes are built here, each case says which command reads them ----------


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def gz_truncated() -> bytes:
    return _gz(VECTORS.encode())[:-30]


def gz_bad_crc() -> bytes:
    blob = bytearray(_gz(VECTORS.encode()))
    blob[-8] ^= 0xFF  # the CRC32 in the trailer
    return bytes(blob)


def gz_garbage() -> bytes:
    return b"\x1f\x8b" + bytes(range(200))


def bz2_truncated() -> bytes:
    return bz2.compress(VECTORS.encode())[:-20]


def bz2_garbage() -> bytes:
    return b"BZh9" + bytes(range(200))


def xz_truncated() -> bytes:
    return lzma.compress(VECTORS.encode())[:-20]


def zip_garbage() -> bytes:
    return b"PK\x03\x04" + bytes(range(200))


def zip_truncated() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("v.txt", VECTORS)
    return buf.getvalue()[:60]


def fasttext_huge(rows: int = 10**12) -> bytes:
    """A fastText .bin whose input-matrix header claims ``rows`` x 2 floats."""
    data = struct.pack("<2i", 793712314, 12)
    data += struct.pack("<12id", 2, 5, 5, 1, 5, 1, 1, 1, 0, 3, 6, 100, 1e-4)
    data += (struct.pack("<3i", 1, 1, 0) + struct.pack("<qq", 10, -1) + b"a\0"
             + struct.pack("<qb", 3, 0))
    data += struct.pack("<?", False) + struct.pack("<2q", rows, 2)
    return data + b"\0" * 64


def fasttext_huge_pruneidx() -> bytes:
    data = struct.pack("<2i", 793712314, 12)
    data += struct.pack("<12id", 2, 5, 5, 1, 5, 1, 1, 1, 0, 3, 6, 100, 1e-4)
    data += (struct.pack("<3i", 1, 1, 0) + struct.pack("<qq", 10, 10**17) + b"a\0"
             + struct.pack("<qb", 3, 0))
    return data + b"\0" * 64


BAD_VECTOR_FILES = {
    "truncated.txt.gz": gz_truncated,
    "bad_crc.txt.gz": gz_bad_crc,
    "garbage.txt.gz": gz_garbage,
    "truncated.txt.bz2": bz2_truncated,
    "garbage.txt.bz2": bz2_garbage,
    "truncated.txt.xz": xz_truncated,
    "garbage.zip": zip_garbage,
    "truncated.zip": zip_truncated,
    "huge_rows.bin": fasttext_huge,
    "huge_pruneidx.bin": fasttext_huge_pruneidx,
    "random.bin": lambda: random.Random(0).randbytes(4096),
    "empty.txt": lambda: b"",
    "latin1.txt": lambda: "caf\xe9 1 2 3\n".encode("latin-1"),
    "nul.txt": lambda: b"\0" * 512,
}


@pytest.mark.parametrize("name", sorted(BAD_VECTOR_FILES))
def test_vectors_info_on_a_bad_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD_VECTOR_FILES[name]())
    check(invoke("vectors", "info", path), name)


@pytest.mark.parametrize("name", ["truncated.txt.gz", "huge_rows.bin"])
def test_real_process_bad_vector_file(tmp_path, name):
    """The real `python -m vectab` process: one line, exit 1, never click's "Aborted."."""
    path = tmp_path / name
    path.write_bytes(BAD_VECTOR_FILES[name]())
    proc = subprocess.run([sys.executable, "-m", "vectab", "vectors", "info", str(path)],
                          capture_output=True, text=True, timeout=120)
    check(proc, name)


def test_vectors_file_is_a_directory_or_missing(tmp_path):
    check(invoke("vectors", "info", tmp_path), str(tmp_path))
    check(invoke("vectors", "info", tmp_path / "missing.txt"), "missing.txt")


# -- vectors commands: options and outputs --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["vectors", "info", "{d}/v.txt", "--format", "excel"], ["format", "excel"]),
        (["vectors", "convert", "{d}/v.txt", "{d}/o.txt", "--to", "excel"], ["--to"]),
        (["vectors", "convert", "{d}/v.txt", "{d}/o.txt", "--to", "glove", "--from", "excel"],
         ["--from"]),
        (["vectors", "convert", "{d}/v.txt", "{d}", "--to", "glove"], ["TARGET"]),
        (["vectors", "convert", "{d}/v.txt", "{d}/a_file/o.txt", "--to", "glove"],
         ["TARGET", "a_file"]),
        (["vectors", "neighbors", "{d}/v.txt", "cat", "-k", "0"], ["-k"]),
        (["vectors", "neighbors", "{d}/v.txt", "cat", "-k", "many"], ["-k"]),
        (["vectors", "neighbors", "{d}/v.txt", "zebra"], ["zebra"]),
        (["vectors", "evaluate", "{d}/v.txt", "--pairs", "{d}/nopairs.tsv"], ["nopairs.tsv"]),
        (["vectors", "coverage", "{d}/v.txt", "--texts", "{d}/a_file", "--num-words", "0"],
         ["--num-words"]),
        (["vectors", "projector", "{d}/v.txt", "{d}/a_file"], ["OUT_DIR", "a_file"]),
        (["vectors", "projector", "{d}/v.txt", "{d}/proj", "--top", "0"], ["--top"]),
        (["vectors", "plot", "{d}/v.txt", "--out", "{d}/a_file/p.png"], ["--out", "a_file"]),
        (["vectors", "plot", "{d}/v.txt", "--out", "{d}/p.gif"], ["-o", "p.gif"]),
    ],
)
def test_vectors_commands_wrong_invocations(base, args, names):
    check(invoke(*[a.format(d=base) for a in args]), *names)


# -- train classifier: options, outputs, data ------------------------------------------------------


@pytest.fixture
def no_training(monkeypatch):
    """The refusal must come before training: a started training fails the test (exit 70)."""
    from vectab.engine.trainer import Trainer

    monkeypatch.setattr(Trainer, "fit",
                        _raise(RuntimeError("training started before the bad input was refused")))


def train_args(base: Path, *extra, train: Path | None = None, out: Path | None = None) -> list:
    return ["train", "classifier", "--train", train or base / "train.csv",
            "--out", out or base / "new_model", "--encoder", "mean", "--embedding-dim", "4",
            "--epochs", "1", *extra]


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        (["--epochs", "-1"], ["--epochs"]),
        (["--epochs", "0"], ["--epochs"]),
        (["--batch-size", "0"], ["--batch-size"]),
        (["--max-len", "0"], ["--max-len"]),
        (["--embedding-dim", "0"], ["--embedding-dim"]),
        (["--hidden-size", "-4"], ["--hidden-size"]),
        (["--lr", "0"], ["lr"]),
        (["--lr", "-0.1"], ["lr"]),
        (["--dropout", "1.5"], ["dropout"]),
        (["--epochs", "three"], ["--epochs"]),
        (["--bogus"], ["--bogus"]),
        (["--freeze", "half"], ["freeze"]),
        (["--encoder", "transformer"], ["encoder"]),
        (["--text-col", "label"], ["label_col", "--label-col"]),
        (["--label-col", "y"], ["'y'"]),
    ],
)
def test_train_classifier_bad_options(base, no_training, extra, names):
    check(invoke(*train_args(base, *extra)), *names)


@pytest.mark.parametrize("typed", [["--epochs", "-1"], ["--epochs=-1"]])
def test_parse_time_refusal_shows_the_value_received(base, no_training, typed):
    line = check(invoke(*train_args(base), *typed), "--epochs")
    assert "got '-1'" in line and "train classifier --help" in line


def test_train_classifier_missing_option(base):
    check(invoke("train", "classifier", "--out", base / "x"), "--train")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("one_class.csv", "text,label\ngood film,pos\nnice plot,pos\n"),
        ("empty_label.csv", "text,label\ngood film,pos\nbad film,\n"),
        ("header_only.csv", "text,label\n"),
        ("empty.csv", ""),
        ("ragged.csv", "text,label\nfine,1\ntoo,many,fields\n"),
        ("binary.csv", bytes(range(256)) * 8),
        ("latin1.csv", "text,label\ncaf\xe9,1\nbad,0\n".encode("latin-1")),
        ("train.xls", "text,label\ngood,1\nbad,0\n"),
        ("garbage.jsonl", '{"text": "good", "label": 1}\n{not json\n'),
        ("garbage.parquet", b"PAR1garbagePAR1"),
    ],
)
def test_train_classifier_bad_training_file(base, tmp_path, no_training, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    check(invoke(*train_args(base, train=path, out=tmp_path / "m")), name)


def test_train_classifier_training_file_missing_or_a_directory(base, tmp_path, no_training):
    check(invoke(*train_args(base, train=tmp_path / "missing.csv")), "missing.csv")
    check(invoke(*train_args(base, train=tmp_path)), str(tmp_path))


def test_train_classifier_validation_label_unseen(base, tmp_path, no_training):
    valid = tmp_path / "dev.csv"
    valid.write_text("text,label\ngood,7\n")
    check(invoke(*train_args(base, "--valid", valid)), "dev.csv")


def test_train_out_checked_before_training(base, tmp_path, no_training):
    """--out that cannot take a model directory is refused before training (and before reading)."""
    check(invoke(*train_args(base, out=base / "a_file")), "--out")
    check(invoke(*train_args(base, out=base / "a_file" / "model")), "--out")
    conll = base / "t.conll"
    check(invoke("train", "tagger", "--train", conll, "--out", base / "a_file", "--epochs", "1"),
          "--out")


def test_train_out_in_an_unwritable_folder(base, tmp_path, monkeypatch, no_training):
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m: False if str(p) == str(locked) else real(p, m))
    line = check(invoke(*train_args(base, out=locked / "model")), "--out")
    assert "permission denied" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write in a read-only folder")
def test_train_out_in_a_read_only_folder_for_real(base, tmp_path, no_training):
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        check(invoke(*train_args(base, out=locked / "model")), "--out")
    finally:
        locked.chmod(0o755)


def test_real_process_out_is_a_file(base):
    proc = subprocess.run(
        [sys.executable, "-m", "vectab", *map(str, train_args(base, out=base / "a_file"))],
        capture_output=True, text=True, timeout=120)
    check(proc, "--out")
    assert "epoch" not in proc.stderr  # no training ran


def test_real_process_unknown_option(base):
    proc = subprocess.run([sys.executable, "-m", "vectab", "train", "classifier", "--bogus"],
                          capture_output=True, text=True, timeout=120)
    check(proc, "--bogus")


# -- train tagger and word2vec ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "extra", "names"),
    [
        ("Ann O\nruns O\n", [], ["t.conll"]),  # one tag only
        ("", [], ["t.conll"]),
        ("Ann B-PER\nruns O\n", ["--token-col", "1"], ["t.conll"]),  # token column = tag column
        ("Ann B-PER\nruns\n", [], ["t.conll"]),  # a line without its tag
        ("Ann B-PER\nruns O\n", ["--epochs", "0"], ["--epochs"]),
    ],
)
def test_train_tagger_wrong(tmp_path, no_training, content, extra, names):
    conll = tmp_path / "t.conll"
    conll.write_text(content)
    check(invoke("train", "tagger", "--train", conll, "--out", tmp_path / "m",
                 "--embedding-dim", "4",
                 "--hidden-size", "4", "--epochs", "1", *extra), *names)


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        (["-o", "{d}"], ["--out"]),  # a directory where a vector file is written
        (["-o", "{d}/a_file/v.txt"], ["--out", "a_file"]),
        (["-o", "{d}/v2.txt", "--vector-size", "0"], ["--vector-size"]),
        (["-o", "{d}/v2.txt", "--format", "xml"], ["--format"]),
        (["-o", "{d}/v2.txt", "--save-model", "{d}"], ["--save-model"]),
    ],
)
def test_train_word2vec_wrong(base, extra, names, monkeypatch):
    from vectab.models.word2vec import Word2Vec

    monkeypatch.setattr(Word2Vec, "build_vocab", lambda *a, **k: pytest.fail("work started"))
    check(invoke("train", "word2vec", base / "corpus.txt", *[e.format(d=base) for e in extra]),
          *names)


def test_train_word2vec_truncated_corpus(tmp_path):
    corpus = tmp_path / "corpus.txt.gz"
    corpus.write_bytes(_gz(b"the cat sat on the mat\n" * 500)[:-40])
    check(invoke("train", "word2vec", corpus, "-o", tmp_path / "v.txt", "--min-count", "1",
                 "--epochs", "1", "--workers", "1"), "corpus.txt.gz")


# -- predict: damaged model directories and bad inputs ---------------------------------------------


def _damage(model: Path, how: str) -> None:
    if how == "no_config":
        (model / "config.json").unlink()
    elif how == "config_not_json":
        (model / "config.json").write_text("{not json")
    elif how == "config_is_dir":
        (model / "config.json").unlink()
        (model / "config.json").mkdir()
    elif how == "weights_truncated":
        blob = (model / "model.safetensors").read_bytes()
        (model / "model.safetensors").write_bytes(blob[:100])
    elif how == "tokenizer_garbage":
        (model / "tokenizer.json").write_bytes(bytes(range(256)))
    elif how == "labels_garbage":
        (model / "labels.json").write_text('"NP"')
    elif how == "empty_dir":
        for p in model.iterdir():
            shutil.rmtree(p) if p.is_dir() else p.unlink()


@pytest.mark.parametrize("how",
                         ["no_config", "config_not_json", "config_is_dir", "weights_truncated",
                                 "tokenizer_garbage", "labels_garbage", "empty_dir"])
def test_predict_with_a_damaged_model_directory(base, tmp_path, how):
    model = tmp_path / "model"
    shutil.copytree(base / "model", model)
    _damage(model, how)
    texts = tmp_path / "texts.txt"
    texts.write_text("a great film\n")
    check(invoke("predict", model, texts), str(model))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.txt", ""),
        ("blank.txt", "\n\n\n"),
        ("latin1.txt", "caf\xe9 great\n".encode("latin-1")),
        ("no_text_col.csv", "sentence\ngreat\n"),
        ("ragged.csv", "text,label\ngood\nbad,0,1\n"),
    ],
)
def test_predict_bad_input_file(base, tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    check(invoke("predict", base / "model", path), name)


def test_predict_bad_paths(base, tmp_path):
    texts = tmp_path / "texts.txt"
    texts.write_text("a great film\n")
    check(invoke("predict", base / "model", tmp_path / "missing.txt"), "missing.txt")
    check(invoke("predict", base / "model", tmp_path), str(tmp_path))
    check(invoke("predict", base / "a_file", texts), "a_file")
    check(invoke("predict", tmp_path / "nomodel", texts), "nomodel")
    check(invoke("predict", base / "model", texts, "--out", tmp_path), "--out")


def test_real_process_damaged_model(base, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(base / "model", model)
    _damage(model, "config_not_json")
    texts = tmp_path / "texts.txt"
    texts.write_text("a great film\n")
    proc = subprocess.run([sys.executable, "-m", "vectab", "predict", str(model), str(texts)],
                          capture_output=True, text=True, timeout=120)
    check(proc, str(model))


# -- the root command ------------------------------------------------------------------------------


def test_quickstart_out_is_a_file(base, monkeypatch):
    import vectab.cli.quickstart as quickstart

    monkeypatch.setattr(quickstart, "run_quickstart", lambda *a, **k: pytest.fail("work started"))
    check(invoke("quickstart", "--out", base / "a_file"), "--out")
    check(invoke("quickstart", "--epochs", "0", "--out", base / "qs"), "--epochs")


def test_unknown_command_and_root_option():
    check(invoke("bogus"), "bogus")
    check(invoke("--bogus"), "--bogus")
    check(invoke("vectors", "nearest"), "nearest")


# -- the wrapper itself: general, not per case -----------------------------------------------------


def test_every_command_goes_through_the_wrapper():
    import typer.main

    def leaves(cmd, path=()):
        subs = getattr(cmd, "commands", None) or {}
        if not subs:
            yield " ".join(path), cmd
        for name, sub in subs.items():
            yield from leaves(sub, (*path, name))

    found = dict(leaves(typer.main.get_command(app)))
    assert len(found) >= 12 and "predict" in found and "train classifier" in found
    unguarded = [name for name, cmd in found.items()
                 if not getattr(cmd.callback, "__vectab_guarded__", False)]
    assert unguarded == []


def test_a_new_command_is_covered_without_code():
    import typer

    from vectab.cli._common import VectabGroup

    extra = typer.Typer(cls=VectabGroup)

    @extra.command()
    def boom(path: Path) -> None:
        raise ValueError(f"{path}: line one\n  and line two\n\n   of the message")

    @extra.command()
    def other() -> None:
        pass

    result = runner.invoke(extra, ["boom", "x.txt"])
    assert check(result, "x.txt") == "error: x.txt: line one and line two of the message"


def test_internal_errors_are_one_line_with_the_hint_and_exit_70(base, monkeypatch):
    """A bug (an exception type no user can cause) says so, in one line, with a distinct code."""
    import vectab.train.saving as saving

    monkeypatch.setattr(saving, "load_model",
                        _raise(AttributeError("'NoneType' object has no attribute 'task'")))
    result = invoke("predict", base / "model", base / "train.csv")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 70 and len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("internal error (please report): AttributeError")
    assert "--verbose" in lines[0]
    verbose = invoke("--verbose", "predict", base / "model", base / "train.csv")
    assert verbose.exit_code == 70 and "Traceback" in verbose.stderr


def test_verbose_shows_the_traceback_of_a_user_error(tmp_path):
    path = tmp_path / "t.txt.gz"
    path.write_bytes(gz_truncated())
    result = invoke("--verbose", "vectors", "info", path)
    assert result.exit_code == 1 and "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    after = invoke("vectors", "info", path)  # --verbose does not leak into the next call
    assert "Traceback" not in after.stderr


# -- predict keeps line i of the output = line i of the input --------------------------------------


@pytest.mark.parametrize(
    ("raw", "texts"),
    [
        (b"a great film\n\nan awful plot\n", ["a great film", "", "an awful plot"]),
        (b"a great film\r\n\r\nan awful plot\r\n", ["a great film", "", "an awful plot"]),
        # no final newline
        (b"a great film\n\nan awful plot", ["a great film", "", "an awful plot"]),
        (b"\n\na great film\n\n", ["", "", "a great film", ""]),
    ],
)
def test_predict_txt_output_aligned_with_input(base, tmp_path, raw, texts):
    path = tmp_path / "texts.txt"
    path.write_bytes(raw)
    result = invoke("predict", base / "model", path)
    assert result.exit_code == 0, result.output
    out = result.stdout.split("\n")
    assert out[-1] == ""  # every line ends with a newline
    out = out[:-1]
    assert len(out) == len(texts)
    for line, text in zip(out, texts):
        pred, _, shown = line.partition("\t")
        assert shown == text
        assert (pred == "") == (text == "")  # an empty text: an empty prediction, never a gap


def test_predict_csv_rows_aligned_with_input(base, tmp_path):
    path = tmp_path / "texts.csv"
    path.write_text('text\na great film\n\n"an awful\nplot"\n')
    result = invoke("predict", base / "model", path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # line i of the output is about line i of the input (#12): the empty text of line 3 is a
    # blank line, the quoted row of lines 4-5 is on line 4 and line 5 stays blank
    assert len(lines) == 5 and lines[0] == "prediction\ttext"
    assert [line.split("\t")[1] if line else "" for line in lines[1:]] == [
        "a great film", "", "an awful plot", ""]
    assert lines[2] == "" and lines[4] == ""


def _raise_json():
    import json

    json.loads("{not json")


def _raise_unicode():
    b"caf\xe9".decode("utf-8")


def _raise_zlib():
    import zlib

    zlib.decompress(b"garbage")


def _raise_safetensors():
    from safetensors.torch import load

    load(b"\x10\x00\x00\x00\x00\x00\x00\x00garbage")


@pytest.mark.parametrize(
    "make",
    [
        _raise(EOFError("Compressed file ended before the end-of-stream marker was reached")),
        _raise(gzip.BadGzipFile("Not a gzipped file (b'ab')")),
        _raise(zipfile.BadZipFile("File is not a zip file")),
        _raise(lzma.LZMAError("Input format not supported by decoder")),
        _raise(OSError("Invalid data stream")),  # bz2's error
        _raise(OverflowError("cannot fit 'int' into an index-sized integer")),
        _raise(MemoryError()),
        _raise(KeyError("model_config")),
        _raise(PermissionError(13, "Permission denied")),
        _raise(NotADirectoryError(20, "Not a directory")),
        _raise(FileExistsError(17, "File exists")),
        _raise_json,
        _raise_unicode,
        _raise_zlib,
        _raise_safetensors,
    ],
    ids=["EOFError", "BadGzipFile", "BadZipFile", "LZMAError", "bz2-OSError", "OverflowError",
         "MemoryError", "KeyError", "PermissionError", "NotADirectoryError", "FileExistsError",
         "JSONDecodeError", "UnicodeDecodeError", "zlib.error", "SafetensorError"],
)
def test_every_user_error_type_is_one_line_naming_the_file(make):
    """Whatever a reader lets escape, the wrapper shows one line that names the input file."""
    import typer

    from vectab.cli._common import VectabGroup

    extra = typer.Typer(cls=VectabGroup)

    @extra.command()
    def read(path: Path) -> None:
        make()

    @extra.command()
    def other() -> None:
        pass

    check(runner.invoke(extra, ["read", "input.bin"]), "input.bin")


def test_predict_tagger_output_aligned_with_input(tmp_path):
    conll = tmp_path / "t.conll"
    conll.write_text("Ann B-PER\nruns O\n\nthe O\nBob B-PER\nsleeps O\n\n" * 10)
    model = tmp_path / "tagger"
    result = invoke("train", "tagger", "--train", conll, "--epochs", "1", "--embedding-dim", "4",
                    "--hidden-size", "4", "--out", model)
    assert result.exit_code == 0, result.output
    # CRLF, 3 blank lines, no final newline
    raw = "-DOCSTART- -X- O\n\nAnn x\r\n\n\n\nBob y\nsleeps z"
    new = tmp_path / "new.conll"
    new.write_bytes(raw.encode())
    result = invoke("predict", model, new)
    assert result.exit_code == 0, result.output
    got = result.stdout.splitlines()
    want = raw.replace("\r", "").split("\n")
    assert len(got) == len(want)
    for out_line, in_line in zip(got, want):
        if not in_line.strip() or in_line.startswith("-DOCSTART-"):
            assert out_line == in_line
        else:
            token, tag = out_line.split("\t")
            assert token == in_line.split()[0] and tag in ("O", "B-PER")
