"""Logistic combiner over pair features, stored as plain JSON coefficients (no pickles).

Fitting needs scikit-learn; applying the shipped model needs numpy only, so the web app can score
texts without importing scikit-learn.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rihub.align.features import FEATURE_NAMES, SDG_ONLY_FEATURES

__all__ = [
    "ALL_FEATURES",
    "MODEL_FILE",
    "N_SDG",
    "Calibrator",
    "Combiner",
    "ReviewFit",
    "fit_isotonic",
    "logit",
    "pair_matrix",
    "platt_logit",
    "sigmoid",
]

N_SDG = 17
MODEL_FILE = "model.json"
ALL_FEATURES: tuple[str, ...] = (
    *FEATURE_NAMES,
    *SDG_ONLY_FEATURES,
    *(f"sdg_onehot.{i + 1}" for i in range(N_SDG)),
)
_SDG_ONLY_COLUMNS = len(SDG_ONLY_FEATURES) + N_SDG  # the trailing block that WSIS/GDC labels do not have


def pair_matrix(
    feats: npt.NDArray[np.float64],
    label_index: npt.NDArray[np.int64] | None,
    sdg_only: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.float64]:
    """Pair features + SDG-only features + the SDG one-hot (per-goal intercept).

    ``label_index`` / ``sdg_only`` are ``None`` for WSIS and GDC labels; the combiner ignores the
    trailing SDG-only block for those (see ``Combiner.logit``).
    """
    n = feats.shape[0]
    onehot = np.zeros((n, N_SDG))
    if label_index is not None:
        onehot[np.arange(n), label_index] = 1.0
    block = sdg_only if sdg_only is not None else np.zeros((n, len(SDG_ONLY_FEATURES)))
    return np.hstack([feats, block, onehot])


@dataclass(frozen=True)
class Calibrator:
    """Monotone map from a raw model score to a validated probability (isotonic knots)."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    pairs: int
    positives: int
    source: str

    def apply(self, scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Calibrated probability of each raw score (clipped to the fitted range)."""
        if not self.x:
            return np.asarray(scores, dtype=np.float64)
        return np.asarray(np.interp(scores, self.x, self.y), dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        return {
            "x": [round(v, 6) for v in self.x],
            "y": [round(v, 6) for v in self.y],
            "pairs": self.pairs,
            "positives": self.positives,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibrator:
        return cls(
            tuple(float(v) for v in data["x"]),
            tuple(float(v) for v in data["y"]),
            int(data["pairs"]),
            int(data["positives"]),
            str(data["source"]),
        )


def fit_isotonic(scores: npt.NDArray[np.float64], labels: npt.NDArray[np.bool_], source: str) -> Calibrator:
    """Isotonic regression of correctness on raw score, each block's rate read with Laplace's rule.

    The pool-adjacent-violators fit gives each block of scores its share of correct pairs, so a top
    block of 40 correct pairs says 100 % and a bottom one 0 %: no validation set of this size shows
    that a proposal can never be wrong. Each block of ``n`` pairs with ``k`` correct says
    ``(k + 1) / (n + 2)`` instead (the rule of succession), pooled again where that breaks the order
    (weighted by ``n``); the knots are the blocks' end scores, interpolated between as before.
    """
    from sklearn.isotonic import IsotonicRegression

    order = np.argsort(scores, kind="stable")
    x, y = np.asarray(scores, dtype=np.float64)[order], labels[order].astype(np.float64)
    fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y).predict(x)
    starts = np.flatnonzero(np.r_[True, np.diff(fitted) != 0])
    ends = np.r_[starts[1:], len(x)] - 1
    n = (ends - starts + 1).astype(np.float64)
    k = np.add.reduceat(y, starts)
    rates = IsotonicRegression().fit_transform(np.arange(len(n)), (k + 1.0) / (n + 2.0), sample_weight=n)
    xs = np.column_stack([x[starts], x[ends]]).ravel()
    ys = np.repeat(rates, 2)
    keep = np.r_[True, np.diff(xs) > 0]  # a one-pair block has one knot
    return Calibrator(tuple(map(float, xs[keep])), tuple(map(float, ys[keep])), len(labels), int(labels.sum()), source)


@dataclass
class Combiner:
    """Standardise, then a linear logit; the SDG-only block is neutralised for WSIS/GDC labels."""

    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    coef: npt.NDArray[np.float64]
    intercept: float
    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)
    default_threshold: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, Calibrator] = field(default_factory=dict)
    label_priors: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per framework, a logit offset per label fitted on that framework's own in-domain labels
    (``rihub.align.calibrate.fit_label_priors``): the SDG-fitted coefficients know nothing of how
    often each WSIS line or GDC objective applies to telecommunication-development text."""

    @classmethod
    def fit(cls, x: npt.NDArray[np.float64], y: npt.NDArray[np.bool_], c: float) -> Combiner:
        """L2 logistic regression on standardised columns (C = inverse regularisation)."""
        from sklearn.linear_model import LogisticRegression

        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
        model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
        return cls(mean, scale, model.coef_[0].astype(np.float64), float(model.intercept_[0]))

    def logit(self, x: npt.NDArray[np.float64], *, sdg: bool) -> npt.NDArray[np.float64]:
        """Logits for rows of ``pair_matrix``; for non-SDG rows the SDG-only block contributes 0."""
        z = (x - self.mean) / self.scale
        if not sdg:
            z[:, -_SDG_ONLY_COLUMNS:] = 0.0
        return np.asarray(z @ self.coef + self.intercept, dtype=np.float64)

    def proba(self, x: npt.NDArray[np.float64], *, sdg: bool) -> npt.NDArray[np.float64]:
        """Probability-like score in 0..1."""
        return sigmoid(self.logit(x, sdg=sdg))

    def calibrated(self, framework: str, scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Validated probability of raw scores (identity for a framework not calibrated yet)."""
        cal = self.calibration.get(framework)
        return cal.apply(scores) if cal else np.asarray(scores, dtype=np.float64)

    def threshold(self, framework: str, code: str) -> float:
        """Per-label decision threshold, falling back to the framework's then the global one."""
        per_fw = self.thresholds.get(framework, {})
        return float(per_fw.get(code, per_fw.get("*", self.default_threshold)))

    def to_json(self) -> dict[str, Any]:
        """Plain-JSON form written to ``model.json``."""
        return {
            "features": list(ALL_FEATURES),
            "mean": [round(float(v), 8) for v in self.mean],
            "scale": [round(float(v), 8) for v in self.scale],
            "coef": [round(float(v), 8) for v in self.coef],
            "intercept": round(self.intercept, 8),
            "default_threshold": self.default_threshold,
            "thresholds": self.thresholds,
            "meta": self.meta,
            "calibration": {fw: cal.to_json() for fw, cal in self.calibration.items()},
            "label_priors": self.label_priors,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Combiner:
        """Inverse of ``to_json``; refuses a model fitted on a different feature list."""
        if list(data["features"]) != list(ALL_FEATURES):
            raise ValueError("model.json was fitted on a different feature set; retrain it")
        return cls(
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=float(data["intercept"]),
            thresholds={fw: {k: float(v) for k, v in t.items()} for fw, t in data["thresholds"].items()},
            default_threshold=float(data["default_threshold"]),
            meta=dict(data.get("meta", {})),
            calibration={fw: Calibrator.from_json(v) for fw, v in data.get("calibration", {}).items()},
            label_priors={
                fw: {k: float(v) for k, v in offsets.items()} for fw, offsets in data.get("label_priors", {}).items()
            },
        )

    @classmethod
    def load(cls, path: str | Path | None = None) -> Combiner:
        """The shipped model (package data) or one at ``path``."""
        if path is None:
            text = resources.files("rihub.align").joinpath(MODEL_FILE).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        return cls.from_json(json.loads(text))


def logit(p: npt.NDArray[np.float64], eps: float = 1e-9) -> npt.NDArray[np.float64]:
    """log(p / (1 - p)), with p clipped ``eps`` from 0 and 1: the one place scores become logits."""
    q = np.clip(np.asarray(p, dtype=np.float64), eps, 1 - eps)
    return np.asarray(np.log(q / (1 - q)), dtype=np.float64)


def sigmoid(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The inverse of ``logit``."""
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


def platt_logit(prob: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The logit a Platt fit reads probabilities on (clipped to 1e-6 from 0 and 1)."""
    return logit(prob, 1e-6)


@dataclass(frozen=True)
class ReviewFit:
    """A registry's recalibration of one framework from its reviews.

    A Platt fit (``slope``, ``intercept`` on the logit of the shipped probability) says how far the
    shipped numbers are to be trusted here; ``offsets`` then add, per label with at least
    ``calibrate.MIN_LABEL_REVIEWS`` reviews, a penalised logit offset: what these reviewers think of that label
    in particular (a registry whose reviewers reject SDG 17 for capacity-building wording learns it).
    """

    slope: float
    intercept: float
    offsets: dict[str, float]

    def apply(self, prob: npt.NDArray[np.float64], codes: Sequence[str]) -> npt.NDArray[np.float64]:
        """Recalibrated probabilities of proposals of ``codes`` with shipped probabilities ``prob``."""
        lift = np.array([self.offsets.get(c, 0.0) for c in codes])
        return sigmoid(self.slope * platt_logit(prob) + self.intercept + lift)

    def framework_only(self) -> ReviewFit:
        return ReviewFit(self.slope, self.intercept, {})
