"""Entity embeddings for tabular data (Guo & Berkhahn 2016; fastai's ``TabularModel``).

Each categorical column is looked up in an embedding table (id 0 = unknown category), the
vectors are concatenated with the numeric features and fed to an MLP that classifies or
regresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vectab._checks import check_int, check_rate
from vectab.models._config import ConfigMixin


def default_embedding_dim(num_rows: int) -> int:
    """fastai's rule of thumb: ``min(600, round(1.6 * num_rows ** 0.56))``.

    ``num_rows`` counts the unknown-category row too (cardinality + 1).

    Example:
        >>> [default_embedding_dim(n) for n in (2, 8, 100, 10**6)]
        [2, 5, 21, 600]
    """
    return int(min(600, round(1.6 * num_rows**0.56)))


@dataclass
class TabularConfig(ConfigMixin):
    """Everything needed to rebuild a :class:`TabularEmbeddings` model.

    Args:
        cardinalities: known categories per categorical column; column ``i`` takes ids
            ``0..cardinalities[i]`` where 0 is the unknown category (its table has
            ``cardinalities[i] + 1`` rows).
        num_numeric: numeric feature columns (fed as they are: standardize them first).
        embedding_dims: vector size per column; default :func:`default_embedding_dim`.
        tables: table index per column; columns with the same index share one table (they must
            have the same cardinality and dim). Default: one table per column; ``[0] * n``
            shares one table between all columns.
        hidden_sizes: MLP layer sizes (Linear -> ReLU -> Dropout each).
        dropout: dropout after every hidden layer.
        embedding_dropout: dropout on the concatenated embeddings.
        num_classes: classes of a classification head; None makes a regression head.
        num_targets: regression outputs (with ``num_classes=None``).
    """

    cardinalities: list[int]
    num_numeric: int = 0
    embedding_dims: list[int] | None = None
    tables: list[int] | None = None
    hidden_sizes: tuple[int, ...] = (200, 100)
    dropout: float = 0.1
    embedding_dropout: float = 0.0
    num_classes: int | None = 2
    num_targets: int = 1

    def __post_init__(self) -> None:
        self.cardinalities = list(self.cardinalities)
        for i, card in enumerate(self.cardinalities):
            check_int(card, f"cardinalities[{i}]")
        check_int(self.num_numeric, "num_numeric", minimum=0)
        if not self.cardinalities and self.num_numeric == 0:
            raise ValueError("`cardinalities` and `num_numeric` cannot both be empty/0: no inputs.")
        n = len(self.cardinalities)
        if self.embedding_dims is None:
            self.embedding_dims = [default_embedding_dim(c + 1) for c in self.cardinalities]
        self.embedding_dims = list(self.embedding_dims)
        if len(self.embedding_dims) != n:
            raise ValueError(
                f"`embedding_dims` must give one size per categorical column ({n}); "
                f"got {len(self.embedding_dims)}."
            )
        for i, dim in enumerate(self.embedding_dims):
            check_int(dim, f"embedding_dims[{i}]")
        self.tables = list(range(n)) if self.tables is None else list(self.tables)
        if len(self.tables) != n:
            raise ValueError(
                f"`tables` must give one table index per column ({n}), got {len(self.tables)}."
            )
        for i, table in enumerate(self.tables):
            for j in range(i):
                if self.tables[j] == table and (
                    self.cardinalities[j] != self.cardinalities[i]
                    or self.embedding_dims[j] != self.embedding_dims[i]
                ):
                    raise ValueError(
                        f"columns {j} and {i} share table {table!r} but differ in cardinality "
                        "or embedding dim; shared columns need equal cardinalities and dims."
                    )
        self.hidden_sizes = tuple(self.hidden_sizes)
        for i, size in enumerate(self.hidden_sizes):
            check_int(size, f"hidden_sizes[{i}]")
        check_rate(self.dropout, "dropout")
        check_rate(self.embedding_dropout, "embedding_dropout")
        if self.num_classes is not None:
            check_int(self.num_classes, "num_classes", minimum=2)
        check_int(self.num_targets, "num_targets")


class TabularEmbeddings(nn.Module):
    """Categorical columns -> embeddings, concatenated with numeric columns -> MLP.

    Args:
        config: see :class:`TabularConfig`.

    Attributes:
        embeddings: ``nn.ModuleList`` of ``vectab.nn.Embedding`` tables (one per distinct table).
        task: ``"classification"`` or ``"regression"`` (from ``config.num_classes``).

    Shape:
        categorical: (B, n_cat) long; numeric: (B, n_num) float; output (B, C) logits or
        (B, num_targets) values. Batches: ``{"categorical", "numeric", "labels"}``; regression
        labels (B,) or (B, num_targets) float.

    Example:
        >>> model = TabularEmbeddings(TabularConfig([3, 10], num_numeric=2, hidden_sizes=(8,)))
        >>> batch = {"categorical": torch.tensor([[1, 0], [3, 10]]), "numeric": torch.randn(2, 2),
        ...          "labels": torch.tensor([0, 1])}
        >>> model(batch["categorical"], batch["numeric"]).shape, model.decode(batch).shape
        (torch.Size([2, 2]), torch.Size([2]))
    """

    model_type: ClassVar[str] = "TabularEmbeddings"
    config_class: ClassVar[type[TabularConfig]] = TabularConfig

    def __init__(self, config: TabularConfig) -> None:
        super().__init__()
        if not isinstance(config, TabularConfig):
            raise TypeError(f"`config` must be a TabularConfig, got {type(config).__name__}.")
        from vectab.nn import Embedding

        self.config = config
        self._table_ids = sorted(set(config.tables), key=config.tables.index)
        first_column = {table: config.tables.index(table) for table in self._table_ids}
        self.embeddings = nn.ModuleList(
            Embedding(config.cardinalities[col] + 1, config.embedding_dims[col])
            for col in first_column.values()
        )
        self._column_table = [self._table_ids.index(t) for t in config.tables]
        self.embedding_dropout = nn.Dropout(config.embedding_dropout)
        layers: list[nn.Module] = []
        width = sum(config.embedding_dims) + config.num_numeric
        for size in config.hidden_sizes:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(config.dropout)]
            width = size
        out = config.num_classes if config.num_classes is not None else config.num_targets
        layers.append(nn.Linear(width, out))
        self.mlp = nn.Sequential(*layers)

    @property
    def task(self) -> str:
        return "classification" if self.config.num_classes is not None else "regression"

    def forward(self, categorical: Tensor | None, numeric: Tensor | None = None) -> Tensor:
        """Return logits (classification) or predicted values (regression)."""
        parts = []
        n_cat = len(self.config.cardinalities)
        if n_cat:
            if categorical is None or categorical.dim() != 2 or categorical.shape[1] != n_cat:
                got = None if categorical is None else tuple(categorical.shape)
                raise ValueError(f"`categorical` must have shape (batch, {n_cat}), got {got}.")
            limits = torch.tensor(self.config.cardinalities, device=categorical.device)
            if bool(((categorical < 0) | (categorical > limits)).any()):
                raise ValueError(
                    "`categorical` ids must lie in 0..cardinality per column "
                    f"{self.config.cardinalities} (0 = unknown category); map unseen "
                    "categories to 0."
                )
            vectors = [
                self.embeddings[table](categorical[:, [col]]).squeeze(1)
                for col, table in enumerate(self._column_table)
            ]
            parts.append(self.embedding_dropout(torch.cat(vectors, dim=1)))
        if self.config.num_numeric:
            want = (parts[0].shape[0] if parts else -1, self.config.num_numeric)
            if numeric is None or numeric.dim() != 2 or numeric.shape[1] != want[1]:
                got = None if numeric is None else tuple(numeric.shape)
                raise ValueError(f"`numeric` must have shape (batch, {want[1]}), got {got}.")
            parts.append(numeric.to(self.mlp[0].weight.dtype))
        return self.mlp(torch.cat(parts, dim=1))

    def _run(self, batch: dict[str, Tensor]) -> Tensor:
        return self(batch.get("categorical"), batch.get("numeric"))

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        """Mean cross-entropy (classification) or mean squared error (regression)."""
        if "labels" not in batch:
            raise KeyError(f"the batch needs 'labels' to compute a loss; it has {sorted(batch)}.")
        out, labels = self._run(batch), batch["labels"]
        if self.task == "classification":
            return F.cross_entropy(out, labels.long())
        return F.mse_loss(out, labels.to(out.dtype).reshape(out.shape))

    @torch.no_grad()
    def decode(self, batch: dict[str, Tensor]) -> Tensor:
        """Class ids (B,) long, or predicted values (B,) (several targets: (B, num_targets))."""
        out = self._run(batch)
        if self.task == "classification":
            return out.argmax(dim=1)
        return out.squeeze(1) if out.shape[1] == 1 else out

    @torch.no_grad()
    def predict_proba(self, batch: dict[str, Tensor]) -> Tensor:
        """Class probabilities (B, C); regression models have none (ValueError)."""
        if self.task != "classification":
            raise ValueError(
                "predict_proba needs a classification model (num_classes set); this one "
                "regresses: use decode(batch) for its predictions."
            )
        return torch.softmax(self._run(batch), dim=1)
