"""Tiny task models that follow the task-model contract, and small separable data sets."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from torch import nn

from vectab.train.data import ClassificationDataset, TaggingDataset


@dataclasses.dataclass
class ToyConfig:
    vocab_size: int
    embedding_dim: int = 8
    num_classes: int = 2
    tags: list[str] | None = None
    sparse: bool = False
    dropout: float = 0.0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ToyConfig:
        return cls(**d)


class ToyClassifier(nn.Module):
    """ids -> embedding -> masked mean -> dropout -> linear."""

    model_type = "ToyClassifier"
    task = "classification"

    def __init__(self, config: ToyConfig) -> None:
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_dim, sparse=config.sparse)
        self.dropout = nn.Dropout(config.dropout)
        self.out = nn.Linear(config.embedding_dim, config.num_classes)

    def logits(self, batch):
        x = self.embedding(batch["ids"])
        m = batch["mask"].unsqueeze(-1).float()
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1)
        return self.out(self.dropout(pooled))

    def loss(self, batch):
        return nn.functional.cross_entropy(self.logits(batch), batch["labels"])

    def decode(self, batch):
        return self.logits(batch).argmax(-1)

    def predict_proba(self, batch):
        return self.logits(batch).softmax(-1)


class ToyTagger(nn.Module):
    """ids -> embedding -> per-token linear (no CRF)."""

    model_type = "ToyTagger"
    task = "tagging"

    def __init__(self, config: ToyConfig) -> None:
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_dim)
        self.out = nn.Linear(config.embedding_dim, len(config.tags))

    def loss(self, batch):
        logits = self.out(self.embedding(batch["ids"]))
        return nn.functional.cross_entropy(logits[batch["mask"]], batch["tags"][batch["mask"]])

    def decode(self, batch):
        pred = self.out(self.embedding(batch["ids"])).argmax(-1)
        return pred.masked_fill(~batch["mask"], -100)

    def predict_proba(self, batch):
        return self.out(self.embedding(batch["ids"])).softmax(-1)



def make_classification(n: int = 200, vocab: int = 30, seed: int = 0):
    """Label 1 iff the sequence holds more ids from the upper half of the vocabulary."""
    g = torch.Generator().manual_seed(seed)
    seqs, labels = [], []
    for _ in range(n):
        length = int(torch.randint(3, 12, (1,), generator=g))
        label = int(torch.randint(0, 2, (1,), generator=g))
        lo, hi = (vocab // 2, vocab) if label else (1, vocab // 2)
        seqs.append(torch.randint(lo, hi, (length,), generator=g).tolist())
        labels.append(label)
    return seqs, labels


@pytest.fixture
def toy_classifier():
    def build(vocab: int = 30, **kw) -> ToyClassifier:
        torch.manual_seed(0)
        return ToyClassifier(ToyConfig(vocab_size=vocab, **kw))

    return build


@pytest.fixture
def toy_tagger():
    def build(vocab: int = 20) -> ToyTagger:
        torch.manual_seed(0)
        return ToyTagger(ToyConfig(vocab_size=vocab, tags=["O", "B-X", "I-X"]))

    return build


@pytest.fixture
def cls_data():
    seqs, labels = make_classification(200, seed=0)
    vseqs, vlabels = make_classification(60, seed=1)
    return ClassificationDataset(seqs, labels), ClassificationDataset(vseqs, vlabels)


@pytest.fixture
def tag_data():
    """Id 1..9 -> O, 10..14 -> B-X, 15..19 -> I-X (deterministic from the id)."""
    g = torch.Generator().manual_seed(0)
    seqs = [torch.randint(1, 20, (int(torch.randint(2, 8, (1,), generator=g)),),
                          generator=g).tolist()
            for _ in range(120)]
    tags = [[0 if i < 10 else (1 if i < 15 else 2) for i in s] for s in seqs]
    return TaggingDataset(seqs, tags)
