"""A model directory is replaced whole or not at all, and is valid only when its manifest matches.

Issue #9, section 1: a save killed between two file renames used to leave new weights beside
the old tokenizer, and `predict` then ran on the mix. Here a save over an existing model is
crashed at every step (and SIGKILLed at random instants in a child process); the directory must
then load as exactly the old or exactly the new model.
"""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import time
from pathlib import Path

import pytest
import torch

from vectab import _fileio
from vectab.errors import ModelFormatError
from vectab.models import ClassifierConfig, TextClassifier
from vectab.text import Tokenizer
from vectab.train import saving
from vectab.train.saving import load_model, save_model

# two models with vocabularies of the same size: the case where a mix loads without complaint
CORPORA = {
    "old": ["a good film", "a bad film", "good plot", "dull plot"],
    "new": ["the fine show", "the poor show", "fine story", "dire story"],
}
LABELS = {"old": ["neg", "pos"], "new": ["bad", "good"]}


# ----------------------------------------------------------------- helpers
def build(name: str) -> tuple[TextClassifier, Tokenizer]:
    tok = Tokenizer(oov_token="<OOV>")
    tok.fit_on_texts(CORPORA[name])
    torch.manual_seed({"old": 0, "new": 1}[name])
    config = ClassifierConfig(len(tok.word_index) + 1, 4, 2, encoder="mean")
    return TextClassifier(config).eval(), tok


def save(target: Path, name: str, built: tuple[TextClassifier, Tokenizer]) -> None:
    model, tok = built
    save_model(target, model, tokenizer=tok, labels=LABELS[name],
               extra_files={"run.json": json.dumps({"options": {"run": name}})})


def fingerprint(target: Path) -> tuple:
    """Everything a user relies on in a loaded model: weights bytes, tokenizer, labels, run."""
    loaded = load_model(target)
    weights = tuple((k, v.numpy().tobytes()) for k, v in sorted(loaded.model.state_dict().items()))
    run = (_fileio.committed_dir(target) / "run.json").read_text()
    return weights, loaded.tokenizer.to_json(), tuple(loaded.labels), run


def expected_fingerprint(name: str, built: tuple[TextClassifier, Tokenizer]) -> tuple:
    model, tok = built
    weights = tuple((k, v.numpy().tobytes()) for k, v in sorted(model.state_dict().items()))
    return weights, tok.to_json(), tuple(LABELS[name]), json.dumps({"options": {"run": name}})


@pytest.fixture(scope="module")
def models():
    built = {name: build(name) for name in CORPORA}
    return built, {name: expected_fingerprint(name, b) for name, b in built.items()}


def which(target: Path, expected: dict) -> str:
    got = fingerprint(target)
    matches = [name for name, fp in expected.items() if fp == got]
    assert matches, "the directory loads as a mix of the old and the new model"
    return matches[0]


# ----------------------------------------------------------------- crash at every step
class Crash(Exception):
    """Stands for the process dying at this step."""


class Injector:
    """Make the k-th disk step raise; with ``dead`` every later step raises too (a kill)."""

    def __init__(self, monkeypatch, k: int, *, dead: bool) -> None:
        self.k, self.dead, self.calls, self.fired = k, dead, 0, False
        for module, name in [(os, "replace"), (os, "rename"), (os, "fsync"),
                             (_fileio, "_write_manifest"), (_fileio, "_fsync_dir"),
                             (saving, "save_weights"), (saving, "_write_json")]:
            monkeypatch.setattr(module, name, self.wrap(getattr(module, name)))

    def wrap(self, fn):
        def step(*args, **kwargs):
            if self.fired and self.dead:
                raise Crash("dead")
            if not self.fired and self.calls == self.k:
                self.fired = True
                raise Crash(f"crash at step {self.k}")
            self.calls += 1
            return fn(*args, **kwargs)
        return step


@pytest.mark.parametrize("dead", [False, True], ids=["error-then-cleanup", "killed"])
def test_a_crash_at_any_step_leaves_the_old_or_the_new_model(tmp_path, models, monkeypatch, dead):
    built, expected = models
    outcomes = []
    for k in range(200):
        target = tmp_path / f"k{k}" / "model"
        save(target, "old", built["old"])
        with monkeypatch.context() as mp:
            injector = Injector(mp, k, dead=dead)
            try:
                save(target, "new", built["new"])
            except Crash:
                pass
        outcome = which(target, expected)
        outcomes.append((outcome, target.exists()))
        left = sorted(p.name for p in target.parent.iterdir() if p.name != "model")
        if not dead and outcome == "old":  # the error was handled: nothing left behind
            assert left == []
        elif not dead:  # failed after the swap: at most the old copy, not yet deleted
            assert all(name.startswith(".model.old-") for name in left), left
        # the next write settles whatever the crash left, and replaces the model whole
        save(target, "new", built["new"])
        assert sorted(p.name for p in target.parent.iterdir()) == ["model"]
        if not injector.fired:
            break
    else:
        pytest.fail("the save never completed")
    assert which(target, expected) == "new"
    assert len(outcomes) > 10  # every write, fsync and rename was a crash point
    assert outcomes[0] == ("old", True) and outcomes[-1] == ("new", True)
    if dead:  # the kill between the two renames happened, and the old model still loaded
        assert ("old", False) in outcomes


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_real_sigkill_at_random_instants_leaves_the_old_or_the_new_model(tmp_path, models):
    # a forked child (torch is already imported, as in a DataLoader worker) saves new, old,
    # new, ... over the same directory until SIGKILL, after a random delay; 20 times
    built, expected = models
    target = tmp_path / "model"
    save(target, "old", built["old"])
    rng = random.Random(9)
    results = []
    for _ in range(20):
        pid = os.fork()
        if pid == 0:
            try:
                for j in range(10**6):
                    name = ("new", "old")[j % 2]
                    save(target, name, built[name])
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        results.append(which(target, expected))
    assert set(results) <= {"old", "new"}
    assert "new" in results  # the kills did land after saves had started
    save(target, "new", built["new"])  # leftovers of the last kill are cleaned
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert which(target, expected) == "new"


# ----------------------------------------------------------------- the manifest
def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _edit_manifest(target: Path, change) -> None:
    manifest = json.loads((target / "manifest.json").read_text())
    change(manifest)
    (target / "manifest.json").write_text(json.dumps(manifest))


TAMPERING = {
    "delete tokenizer.json": ("tokenizer.json", "missing",
                              lambda d: (d / "tokenizer.json").unlink()),
    "delete model.safetensors": ("model.safetensors", "missing",
                                 lambda d: (d / "model.safetensors").unlink()),
    "truncate model.safetensors": ("model.safetensors", "bytes",
                                   lambda d: os.truncate(d / "model.safetensors", 100)),
    "flip a byte of model.safetensors": ("model.safetensors", "sha256",
                                         lambda d: _flip_byte(d / "model.safetensors")),
    "edit config.json, same size": ("config.json",
                                    "sha256", lambda d: (d / "config.json").write_text(
        (d / "config.json").read_text().replace('"mean"', '"max_"'))),
    "edit config.json": ("config.json", "bytes", lambda d: (d / "config.json").write_text(
        (d / "config.json").read_text().replace('"mean"', '"bilstm"'))),
    "remove manifest.json": ("manifest.json", "missing.*re-save",
                             lambda d: (d / "manifest.json").unlink()),
    "garbage manifest": ("manifest.json", "JSON", lambda d: (d / "manifest.json").write_bytes(
        b"\x00\xffnot json")),
    "manifest of another shape": ("manifest.json", "format",
                                  lambda d: (d / "manifest.json").write_text("[1, 2]")),
    "manifest without files": ("manifest.json", "files",
                               lambda d: _edit_manifest(d, lambda m: m.pop("files"))),
    "manifest with a bad entry": ("manifest.json", "size", lambda d: _edit_manifest(
        d, lambda m: m["files"]["config.json"].update(size="12"))),
    "manifest pointing outside": ("manifest.json", "plain relative", lambda d: _edit_manifest(
        d, lambda m: m["files"].update({"../x": m["files"]["config.json"]}))),
    "config.json not listed": ("config.json", "not listed|listed in", lambda d: _edit_manifest(
        d, lambda m: m["files"].pop("config.json"))),
    "tokenizer.json added, not listed": ("tokenizer.json", "not listed", lambda d: _edit_manifest(
        d, lambda m: m["files"].pop("tokenizer.json"))),
    "config.json replaced by a FIFO": ("config.json", "regular file", lambda d: (
        (d / "config.json").unlink(), os.mkfifo(d / "config.json"))),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_a_tampered_directory_is_refused_naming_the_file(tmp_path, models, monkeypatch, case):
    built, _ = models
    target = tmp_path / "model"
    save(target, "old", built["old"])
    name, message, tamper = TAMPERING[case]
    tamper(target)

    def built_too_early(*args):
        raise AssertionError("the model was built before the manifest was checked")

    monkeypatch.setattr(saving, "_build", built_too_early)
    with pytest.raises(ModelFormatError, match=message) as info:
        load_model(target)
    assert Path(info.value.path).name == name and name in str(info.value)


def test_a_legacy_directory_without_manifest_is_refused_then_resaved(tmp_path, models):
    built, expected = models
    target = tmp_path / "model"
    save(target, "old", built["old"])
    (target / "manifest.json").unlink()  # as vectab wrote model directories before
    with pytest.raises(ModelFormatError, match="manifest.json: missing.*re-save it"):
        load_model(target)
    save(target, "new", built["new"])  # the old layout is recognised and replaced
    assert which(target, expected) == "new"


# ----------------------------------------------------------------- leftovers, targets, modes
def test_leftovers_of_killed_writes_are_cleaned_by_the_next_save(tmp_path, models):
    built, expected = models
    target = tmp_path / "model"
    save(target, "old", built["old"])
    for junk in (".model.tmp-abc123", ".model.del-1", ".model.old-2"):
        (tmp_path / junk).mkdir()
        (tmp_path / junk / "model.safetensors").write_bytes(b"half")
    save(target, "new", built["new"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert which(target, expected) == "new"


def test_a_swap_killed_between_its_renames_loads_and_is_restored(tmp_path, models):
    built, expected = models
    target = tmp_path / "model"
    save(target, "old", built["old"])
    save(tmp_path / "staged", "new", built["new"])
    os.rename(target, tmp_path / ".model.old-abcd")  # the first rename happened ...
    os.rename(tmp_path / "staged", tmp_path / ".model.tmp-xyz")  # ... the second did not
    assert which(target, expected) == "old"  # readers find the complete old model
    save(target, "new", built["new"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert which(target, expected) == "new"


def test_a_temporary_directory_is_never_taken_for_the_model(tmp_path, models):
    built, _ = models
    save(tmp_path / "staged", "new", built["new"])
    os.rename(tmp_path / "staged", tmp_path / ".model.tmp-xyz")  # a first save, killed
    with pytest.raises(FileNotFoundError, match="not a directory"):
        load_model(tmp_path / "model")


def test_an_existing_folder_with_other_files_is_not_replaced(tmp_path, models):
    built, _ = models
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="'notes.txt'.*pick a new or empty folder"):
        save(tmp_path, "old", built["old"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="not a directory"):
        save(tmp_path / "file", "old", built["old"])
    assert (tmp_path / "file").read_text() == "x"


def test_an_error_while_writing_leaves_the_target_untouched(tmp_path, models):
    built, expected = models
    target = tmp_path / "model"
    save(target, "old", built["old"])
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    model, tok = built["new"]
    with pytest.raises(TypeError, match="extra_files"):
        save_model(target, model, tokenizer=tok, extra_files={"run.json": 42})
    with pytest.raises(ValueError, match="plain file names"):
        save_model(target, model, tokenizer=tok, extra_files={"../run.json": "{}"})
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_files_and_directories_follow_the_umask(tmp_path, models, umask):
    built, _ = models
    old = os.umask(umask)
    try:
        save(tmp_path / "model", "old", built["old"])
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "model").stat().st_mode) == 0o777 & ~umask
    for path in (tmp_path / "model").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path.name


def test_a_replaced_directory_keeps_its_mode(tmp_path, models):
    built, _ = models
    save(tmp_path / "model", "old", built["old"])
    (tmp_path / "model").chmod(0o750)
    save(tmp_path / "model", "new", built["new"])
    assert stat.S_IMODE((tmp_path / "model").stat().st_mode) == 0o750


# ----------------------------------------------------------------- checkpoint directories
def _checkpoint_step(directory: Path, step: int) -> None:
    from vectab.engine.checkpoint import save_checkpoint

    model = torch.nn.Linear(3, 2)
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(step)
    save_checkpoint(directory, model, {"step": step},
                    optimizer_tensors={"exp_avg": torch.full((4,), float(step))})


def _checkpoint_read(directory: Path) -> int:
    """The step of the checkpoint a resume would read; every file must be of that one step."""
    from safetensors.torch import load_file

    from vectab.engine.checkpoint import load_checkpoint

    state, optimizer, where = load_checkpoint(directory)
    weights = load_file(str(where / "model.safetensors"))
    steps = {state["step"], *(float(t.unique()) for t in weights.values()),
             float(optimizer["exp_avg"].unique())}
    assert len(steps) == 1, f"a checkpoint mixing steps {steps}"
    return state["step"]


@pytest.mark.parametrize("dead", [False, True], ids=["error-then-cleanup", "killed"])
def test_a_checkpoint_crashed_at_any_step_is_the_previous_or_the_next(tmp_path, monkeypatch, dead):
    steps = []
    for k in range(200):
        directory = tmp_path / f"k{k}" / "last"
        _checkpoint_step(directory, 1)
        with monkeypatch.context() as mp:
            injector = Injector(mp, k, dead=dead)
            try:
                _checkpoint_step(directory, 2)
            except Crash:
                pass
        steps.append(_checkpoint_read(directory))
        _checkpoint_step(directory, 3)  # the next checkpoint settles the leftovers
        assert sorted(p.name for p in directory.parent.iterdir()) == ["last"]
        assert _checkpoint_read(directory) == 3
        if not injector.fired:
            break
    assert len(steps) > 5 and steps[0] == 1 and steps[-1] == 2 and set(steps) == {1, 2}


def test_a_tampered_checkpoint_is_refused_naming_the_file(tmp_path):
    from vectab.engine.checkpoint import load_checkpoint

    _checkpoint_step(tmp_path / "last", 1)
    _flip_byte(tmp_path / "last" / "optimizer.safetensors")
    with pytest.raises(ModelFormatError, match="optimizer.safetensors: sha256"):
        load_checkpoint(tmp_path / "last")


# ----------------------------------------------------------------- projector exports
def _export(out: Path, n: int) -> None:
    import numpy as np

    from vectab.viz import export_projector

    words = [f"w{i}" for i in range(n)]
    export_projector((words, np.full((n, 3), float(n))), out)


def _export_read(out: Path) -> int | None:
    """The export found at ``out`` (its row count), checked consistent; None: no config."""
    out = _fileio.committed_dir(out)  # the rule vectab's readers follow
    config = out / "projector_config.pbtxt"
    if not config.exists():
        return None
    n = int(config.read_text().split("tensor_shape: ")[1].split()[0])
    tensors = (out / "tensors.tsv").read_text().splitlines()
    metadata = (out / "metadata.tsv").read_text().splitlines()
    assert len(tensors) == len(metadata) == n, "config, tensors and metadata of different exports"
    assert all(line.split("\t")[0] == str(n) for line in tensors)
    return n


@pytest.mark.parametrize("shared", [False, True], ids=["own-folder", "shared-log-dir"])
def test_a_projector_export_crashed_at_any_step_is_never_a_mix(tmp_path, monkeypatch, shared):
    seen = []
    for k in range(100):
        out = tmp_path / f"k{k}" / "proj"
        out.mkdir(parents=True)
        if shared:
            (out / "events.out.tfevents.1").write_bytes(b"the user's training log")
        _export(out, 2)
        with monkeypatch.context() as mp:
            injector = Injector(mp, k, dead=True)
            try:
                _export(out, 5)
            except Crash:
                pass
        seen.append(_export_read(out))
        if shared:
            assert (out / "events.out.tfevents.1").read_bytes() == b"the user's training log"
        if not injector.fired:
            break
    # a folder of its own holds the old or the new export; in a shared one the old config is
    # removed first, so it holds the new export or no config, never a config over other TSVs
    assert len(seen) > 5 and seen[-1] == 5
    assert set(seen) == ({None, 5} if shared else {2, 5})


def test_training_refuses_an_out_folder_of_other_files_before_it_starts(tmp_path, monkeypatch):
    from vectab.train import pipeline

    (tmp_path / "notes.txt").write_text("mine")
    monkeypatch.setattr(pipeline, "_embedding", lambda *a, **k: pytest.fail("training started"))
    train = tmp_path / "train.tsv"
    train.write_text("text\tlabel\na good film\tpos\na bad film\tneg\n")
    with pytest.raises(FileExistsError, match="'notes.txt'"):
        pipeline.train_classifier(train, out=tmp_path)
    monkeypatch.chdir(tmp_path / "..")
    with pytest.raises(FileExistsError, match="current folder"):
        save_model(".", *build("old")[:1])
