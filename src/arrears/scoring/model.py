"""The scorecard's maths: quantile bins with a missing bin -> weight of evidence -> logistic regression,
kept as plain JSON (no pickle), and numpy-vectorised scoring with reason codes.

Pure: no Django. Orientation: a bin's weight of evidence (WoE) is ln(share of defaults / share of
non-defaults) in that bin, so a higher WoE means more default; every coefficient kept is positive, so
every feature's contribution coef x WoE pushes toward default as its WoE rises. A feature whose fitted
coefficient is not positive (collinear with a stronger one) is dropped and the model refitted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

FORMAT = 1
N_BINS = 5  # quantile bins of a continuous feature
DISCRETE = 10  # a feature with at most this many distinct values gets one bin per value
TOP_REASONS = 3
TEST_SHARE = 0.3
# A group's AUC in `fairness` needs this many test rows of each class; below it the AUC is null (an AUC
# from one or two defaults is noise), while n and mean_score are always given.
MIN_GROUP_CLASS = 5

Spec = dict[str, Any]
Floats = NDArray[np.float64]


def _edges(values: Floats) -> list[float] | None:
    """Cut points of one feature's non-missing training values; None when it is constant."""
    distinct = np.unique(values)
    if len(distinct) < 2:
        return None
    if len(distinct) <= DISCRETE:
        return [float(v) for v in distinct[1:]]
    cuts = np.unique(np.quantile(values, np.linspace(0, 1, N_BINS + 1)[1:-1]))
    cuts = cuts[cuts > distinct[0]]
    return [float(v) for v in cuts] if len(cuts) else [float(distinct[1])]


def bin_index(column: Floats, edges: Sequence[float]) -> NDArray[np.int64]:
    """Bin 0 is below edges[0], bin i holds edges[i-1] <= x < edges[i]; the missing bin is len(edges) + 1."""
    index = np.searchsorted(np.asarray(edges, dtype=np.float64), column, side="right").astype(np.int64)
    index[np.isnan(column)] = len(edges) + 1
    return index


def _woe(index: NDArray[np.int64], y: NDArray[np.int64], size: int) -> tuple[list[float], list[int], list[int]]:
    counts = np.bincount(index, minlength=size)
    bad = np.bincount(index, weights=y, minlength=size)
    good = counts - bad
    total_bad, total_good = bad.sum(), good.sum()
    # +0.5 smoothing; a bin the training split never saw is neutral (WoE 0).
    woe = np.log(((bad + 0.5) / (total_bad + 0.5)) / ((good + 0.5) / (total_good + 0.5)))
    woe[counts == 0] = 0.0
    return [round(float(w), 6) for w in woe], [int(c) for c in counts], [int(b) for b in bad]


def monotone(woe: list[float], counts: list[int], rising: bool | None = None) -> list[float]:
    """The value bins' WoE made monotone in the feature's value (pool adjacent violators, weighted by the
    bins' counts), rising or falling as `rising` says or, when None, as the count-weighted trend of the
    WoE over the bins' order goes; the missing bin (last) keeps its own WoE. So a higher value of a
    feature never moves its contribution against the feature's direction."""
    values = np.asarray(woe[:-1], dtype=np.float64)
    weights = np.asarray(counts[:-1], dtype=np.float64)
    order = np.arange(len(values), dtype=np.float64)
    seen = weights > 0
    if seen.sum() < 2:
        return woe
    if rising is None:
        mean_order = np.average(order[seen], weights=weights[seen])
        mean_woe = np.average(values[seen], weights=weights[seen])
        rising = bool(np.sum(weights[seen] * (order[seen] - mean_order) * (values[seen] - mean_woe)) >= 0)
    from sklearn.isotonic import IsotonicRegression  # sklearn only when training: it takes seconds to import

    iso = IsotonicRegression(increasing=rising).fit(order[seen], values[seen], sample_weight=weights[seen])
    fitted = iso.predict(order)  # an unseen bin between seen ones takes the interpolated value
    return [round(float(w), 6) for w in fitted] + [woe[-1]]


# Features whose direction is known: more months behind is never better.
RISING = ("status_m",)


def fit(x: Floats, y: NDArray[np.int64], features: Sequence[str]) -> Spec:
    """A scorecard from a training matrix (rows x features, NaN = missing) and its 0/1 target."""
    bins: dict[str, Any] = {}
    excluded: dict[str, str] = {}
    for j, name in enumerate(features):
        column = x[:, j]
        present = column[~np.isnan(column)]
        if not len(present):
            excluded[name] = "all_missing"
            continue
        edges = _edges(present)
        if edges is None:
            excluded[name] = "constant"
            continue
        woe, counts, bad = _woe(bin_index(column, edges), y, len(edges) + 2)
        woe = monotone(woe, counts, True if name.startswith(RISING) else None)
        bins[name] = {"edges": edges, "woe": woe, "n": counts, "bad": bad}
    kept = [f for f in features if f in bins]
    coefficients: dict[str, float] = {}
    intercept = 0.0
    from sklearn.linear_model import LogisticRegression

    while kept:
        design = woe_matrix({"bins": bins, "features": kept}, x, features)
        lr = LogisticRegression(C=1.0, max_iter=2000).fit(design, y)
        weights = lr.coef_[0]
        if (weights > 0).all():
            coefficients = {f: round(float(w), 8) for f, w in zip(kept, weights, strict=True)}
            intercept = round(float(lr.intercept_[0]), 8)
            break
        for f, w in zip(kept, weights, strict=True):
            if w <= 0:
                excluded[f] = "not_positive_weight"
        kept = [f for f, w in zip(kept, weights, strict=True) if w > 0]
    if not kept:
        intercept = float(math.log((y.sum() + 0.5) / (len(y) - y.sum() + 0.5)))
    return {
        "format": FORMAT,
        "features": kept,
        "bins": {f: bins[f] for f in kept},
        "coefficients": coefficients,
        "intercept": intercept,
        "excluded": excluded,
    }


def woe_matrix(spec: Mapping[str, Any], x: Floats, columns: Sequence[str]) -> Floats:
    """Each model feature's WoE for every row (rows x features); a feature the matrix lacks falls in its
    missing bin."""
    return _woe_by_feature(spec, x, columns).T


def _woe_by_feature(spec: Mapping[str, Any], x: Floats, columns: Sequence[str]) -> Floats:
    """The same, features x rows: each feature's row contiguous, as scoring reads it."""
    n = x.shape[0]
    where = {c: j for j, c in enumerate(columns)}
    out = np.empty((len(spec["features"]), n), dtype=np.float64)  # filled a feature (a row) at a time
    for k, name in enumerate(spec["features"]):
        b = spec["bins"][name]
        woe = np.asarray(b["woe"], dtype=np.float64)
        if name in where:
            np.take(woe, bin_index(x[:, where[name]], b["edges"]), out=out[k])
        else:
            out[k] = woe[len(b["edges"]) + 1]
    return out


def score(
    spec: Mapping[str, Any], x: Floats, columns: Sequence[str], top: int = TOP_REASONS
) -> tuple[Floats, NDArray[np.int64], Floats]:
    """Probability of default per row, and per row the indices (into spec["features"]; -1 = none) and
    weights of its top reasons: the features whose contribution is furthest above what their best bin
    would give, coef x (WoE of the row's bin - the lowest WoE of the feature), largest first."""
    features = spec["features"]
    n = x.shape[0]
    if not features:
        p = np.full(n, 1.0 / (1.0 + math.exp(-spec["intercept"])))
        return p, np.full((n, top), -1, dtype=np.int64), np.zeros((n, top))
    w = _woe_by_feature(spec, x, columns)
    coef = np.asarray([spec["coefficients"][f] for f in features], dtype=np.float64)
    best = np.asarray([min(spec["bins"][f]["woe"]) for f in features], dtype=np.float64)
    logit = coef @ w + spec["intercept"]
    p = 1.0 / (1.0 + np.exp(-logit))
    w -= best[:, None]
    w *= coef[:, None]  # now each feature's gap to its best bin, features x rows
    rows = np.arange(n)
    idx = np.full((n, top), -1, dtype=np.int64)
    gaps = np.zeros((n, top))
    for t in range(min(top, len(features))):
        j, g = _first_max(w)
        found = g > 1e-12
        idx[found, t] = j[found]
        gaps[found, t] = g[found]
        w[j, rows] = -np.inf
    return p, idx.astype(np.int64), gaps


def _first_max(w: Floats) -> tuple[NDArray[np.int64], Floats]:
    """Per column of a features x rows array, the first row holding its largest value (so ties go by
    the features' order) and the value: one contiguous pass a feature, faster than argmax across rows."""
    j = np.zeros(w.shape[1], dtype=np.int64)
    g = w[0].copy()
    for k in range(1, w.shape[0]):
        better = w[k] > g
        j[better] = k
        np.maximum(g, w[k], out=g)
    return j, g


def auc_ks(y: NDArray[np.int64], p: Floats) -> tuple[float | None, float | None]:
    if len(np.unique(y)) < 2:
        return None, None
    from sklearn.metrics import roc_auc_score, roc_curve

    fpr, tpr, _ = roc_curve(y, p)
    return round(float(roc_auc_score(y, p)), 4), round(float(np.max(tpr - fpr)), 4)


def split(y: NDArray[np.int64], seed: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Row indices of a stratified 70/30 train/test split, seeded."""
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(y))
    train, test = train_test_split(rows, test_size=TEST_SHARE, stratify=y, random_state=seed)
    return np.sort(train), np.sort(test)


def train(
    x: Floats, y: NDArray[np.int64], features: Sequence[str], protected: Mapping[str, Sequence[str]], seed: int = 1
) -> tuple[Spec, dict[str, Any]]:
    """Fit on the training split, measure on the test split: (spec, metrics)."""
    train_rows, test_rows = split(y, seed)
    spec = fit(x[train_rows], y[train_rows], features)
    p, _, _ = score(spec, x[test_rows], features)
    auc, ks = auc_ks(y[test_rows], p)
    fairness: dict[str, dict[str, dict[str, Any]]] = {}
    for attr, values in protected.items():
        groups = np.asarray(values, dtype=object)[test_rows]
        fairness[attr] = {}
        for group in sorted(set(groups.tolist()), key=str):
            mask = groups == group
            bad = int(y[test_rows][mask].sum())
            enough = min(bad, int(mask.sum()) - bad) >= MIN_GROUP_CLASS
            g_auc = auc_ks(y[test_rows][mask], p[mask])[0] if enough else None
            fairness[attr][str(group)] = {
                "n": int(mask.sum()),
                "auc": g_auc,
                "mean_score": round(float(p[mask].mean()), 4),
            }
    metrics = {
        "auc": auc,
        "ks": ks,
        "n_train": len(train_rows),
        "n_test": len(test_rows),
        "fairness": fairness,
        "seed": seed,
    }
    return spec, metrics
