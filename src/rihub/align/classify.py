"""Propose SDG / WSIS / GDC links for texts, with evidence a reviewer can check.

Three layers vote: the keyword lexicon (explainable hits), MiniLM similarity between the text (and
each of its sentences) and the label descriptions/targets, and a logistic combiner fitted on the
SDG benchmark dev half that turns those features into a probability-like score with a threshold.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from rihub.align.combiner import Calibrator, Combiner, ReviewFit, logit, pair_matrix, sigmoid
from rihub.align.embed import Embedder, get_embedder
from rihub.align.features import (
    LABEL_CACHE,
    LabelSpace,
    TextBatch,
    build_label_space,
    clip_text,
    feature_tensor,
    prepare_texts,
    view_matrices,
    wsis_distribution,
    wsis_prior_features,
)
from rihub.align.lexicon import get_lexicon, split_sentences
from rihub.align.views import (
    Hits,
    application_hits,
    application_matrix,
    context_lift,
    custodian_hits,
    custodian_matrix,
    guide_term_hits,
    guide_term_matrix,
    shared_indicator_scores,
    shared_with,
    unnamed_aim_matrix,
    unnamed_aims,
)
from rihub.frameworks import FRAMEWORKS, wsis_sdg_prior
from rihub.model import as_sentences

__all__ = [
    "STRUCTURAL_LINKS",
    "STRUCTURAL_RULE",
    "Aligner",
    "FrameworkScores",
    "Proposal",
    "is_structural",
    "noisy_or",
    "result_context",
    "roll_up",
    "with_structural_links",
]


@dataclass(frozen=True)
class Proposal:
    """A proposed link from a text to one framework label, with its evidence."""

    framework: str
    code: str
    score: float | None  # None for a structural link (a rule, not a model measurement)
    evidence: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class FrameworkScores:
    """Full score matrix of one framework: ``scores[i, j]`` is text i against ``codes[j]``.

    ``lifts`` holds the logit each domain view added on top of the text's own score ("custodian",
    "application", "guide_terms", "context", "shared_indicator", "unnamed_aim" (negative); see
    ``rihub.align.views``; "label_prior", the fitted offset of a WSIS line or GDC objective), so the
    evidence can say which view carried a label.
    """

    framework: str
    codes: tuple[str, ...]
    scores: npt.NDArray[np.float64]
    thresholds: npt.NDArray[np.float64]
    base: npt.NDArray[np.float64] | None = None
    lifts: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    head: npt.NDArray[np.float64] | None = None  # the head's own score, asides given no weight

    def ranked(self, i: int) -> list[tuple[str, float]]:
        """Labels of text ``i`` from best to worst."""
        order = np.argsort(-self.scores[i], kind="stable")
        return [(self.codes[j], float(self.scores[i, j])) for j in order]


VIA_WSIS_MIN_SHARE = 0.15
"""An SDG's evidence names a WSIS line serving it when that line holds this share of the text."""


ASIDE_WEIGHT: dict[str, float] = {"SDG": 0.9, "WSIS": 0.7, "GDC": 0.0}
"""Per framework, the share of the way from the head's logit to the whole text's.

Chosen on the in-domain set out of fold (folds grouped by initiative; docs/alignment.md).
"""


def _label_mask(
    per_text: Sequence[Iterable[tuple[str, str]]], n: int, framework: str, codes: Sequence[str]
) -> npt.NDArray[np.bool_]:
    """Per (text, label): whether the text's (framework, code) lexicon labels include the label."""
    col = {c: j for j, c in enumerate(codes)}
    out = np.zeros((n, len(codes)), dtype=bool)
    for i, labels in enumerate(per_text):
        for fw, code in labels:
            if fw == framework and code in col:
                out[i, col[code]] = True
    return out


def _head_terms(batch: TextBatch, framework: str, codes: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Per (text, label): whether a lexicon term of the label is in the text's head."""
    return _label_mask([terms for _, terms in batch.lexicon], len(batch.texts), framework, codes)


def _aside_terms(batch: TextBatch, framework: str, codes: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Per (text, label): whether a lexicon term of the label is only in the text's asides."""
    return _label_mask(batch.aside_terms, len(batch.texts), framework, codes)


def _context_terms(
    contexts: Sequence[str | None] | None, n: int, framework: str, codes: Sequence[str]
) -> npt.NDArray[np.bool_]:
    """Per (text, label): whether a lexicon term of the label is in the text's context."""
    found = {c: get_lexicon().label_scores(c)[1] for c in set(contexts or ()) if c}  # results share one
    return _label_mask([found.get(c, {}) if c else {} for c in contexts or ()], n, framework, codes)


class Aligner:
    """Loads the embedding model and label embeddings once, then classifies batches of texts."""

    def __init__(
        self,
        combiner: Combiner,
        embed: Callable[[list[str]], npt.NDArray[np.float32]],
        frameworks: Sequence[str] = FRAMEWORKS,
        label_cache: Path | None = LABEL_CACHE,
    ) -> None:
        self.combiner = combiner
        self.calibration: dict[str, Calibrator] = dict(combiner.calibration)
        """Raw score -> validated probability per framework (the shipped isotonic knots)."""
        self.recalibration: dict[str, ReviewFit] = {}
        """The registry's recalibration from reviews, per framework (empty: none)."""
        self.label_priors: dict[str, dict[str, float]] = {fw: dict(v) for fw, v in combiner.label_priors.items()}
        """Per framework, the logit offset of each label fitted on its own in-domain labels (WSIS, GDC)."""
        self.aside_weight: dict[str, float] = dict(ASIDE_WEIGHT)
        """Weight of a text's asides in its score, per framework (0: the head alone, 1: the text whole)."""
        self._embed = embed
        self.spaces: dict[str, LabelSpace] = {fw: build_label_space(fw, embed, label_cache) for fw in frameworks}
        # SDG scores use the WSIS->SDG prior view, so the WSIS labels are needed even when not asked for
        self._wsis = self.spaces.get("WSIS") or build_label_space("WSIS", embed, label_cache)

    @classmethod
    def load(cls, model_path: str | Path | None = None, embedder: Embedder | None = None) -> Aligner:
        """Load the shipped combiner and the process-wide MiniLM (offline); a few seconds."""
        emb = embedder or get_embedder()
        emb.load()
        return cls(Combiner.load(model_path), emb.encode)

    def with_label_priors(self, priors: dict[str, dict[str, float]]) -> Aligner:
        """A copy sharing model and label spaces whose label priors are ``priors`` for those frameworks."""
        other = copy.copy(self)
        other.label_priors = self.label_priors | priors
        return other

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit-length float32 embeddings, shape ``(n, 384)``, computed in batches."""
        return np.asarray(self._embed(list(texts)), dtype=np.float32)

    def _combiner_scores(
        self, batch: TextBatch
    ) -> tuple[dict[str, npt.NDArray[np.float64]], dict[str, dict[str, npt.NDArray[np.float32]]]]:
        """The combiner's probability of every (text, label) pair: the text's own view (its head)."""
        out: dict[str, npt.NDArray[np.float64]] = {}
        views_by_fw = {fw: view_matrices(batch, space) for fw, space in self.spaces.items()}
        if "WSIS" not in views_by_fw:  # the SDG prior view needs them even when WSIS is not scored
            views_by_fw["WSIS"] = view_matrices(batch, self._wsis)
        n = len(batch.texts)
        for fw, space in self.spaces.items():
            feats = feature_tensor(views_by_fw[fw])
            k = len(space.codes)
            flat = feats.reshape(n * k, feats.shape[-1])
            is_sdg = fw == "SDG"
            label_idx, sdg_only = None, None
            if is_sdg:
                label_idx = np.tile(np.arange(k, dtype=np.int64), n)
                sdg_only = wsis_prior_features(views_by_fw["WSIS"], self._wsis, space.codes).reshape(n * k, -1)
            out[fw] = self.combiner.proba(pair_matrix(flat, label_idx, sdg_only), sdg=is_sdg).reshape(n, k)
        return out, views_by_fw

    def _with_asides(
        self, batch: TextBatch, head: dict[str, npt.NDArray[np.float64]]
    ) -> dict[str, npt.NDArray[np.float64]]:
        """The aside-weight view: where the whole text scores a label higher than its head, the head's
        logit moves ``aside_weight`` of the way up to the whole text's.

        A text's asides (example lists, parentheticals) say something about it, less than its head;
        reading the text whole and the head alone and blending their logits gives the asides that
        reduced weight in every view at once (embeddings, sentences, lexicon, WSIS prior). An aside
        only adds: an illustration does not make the head less about what it names (reading
        "including aspects of monitoring" whole would dilute CIS1 result 1's spectrum and SDG 9).
        """
        if batch.whole is None or not any(self.aside_weight.get(fw, 0.0) for fw in head):
            return head
        whole = self._combiner_scores(batch.whole)[0]
        rows = list(batch.whole_rows)
        out: dict[str, npt.NDArray[np.float64]] = {}
        for fw, h in head.items():
            z = logit(h)
            z[rows] += self.aside_weight.get(fw, 0.0) * np.maximum(logit(whole[fw]) - z[rows], 0.0)
            out[fw] = sigmoid(z)
        return out

    def _score_batch(
        self, batch: TextBatch, contexts: Sequence[str | None] | None = None, *, label_priors: bool = True
    ) -> tuple[dict[str, FrameworkScores], dict[str, dict[str, npt.NDArray[np.float32]]]]:
        """Combiner scores plus the domain views' logit lifts (custodian targets, context, label prior,
        named aims).

        A label that the asides alone take over its threshold (the head's score with the lifts is
        under it and no lexicon term of the label is in the head) is held just under the threshold:
        it ranks, but is never proposed from a word in an example list or a parenthetical. So is an
        SDG of a sector or a group that an ICT text does not name (``_unnamed_aims``).
        """
        head, views_by_fw = self._combiner_scores(batch)
        own = self._with_asides(batch, head)
        heads = batch.heads or batch.texts
        ctx_scores = self._context_scores(contexts) if contexts else None
        out: dict[str, FrameworkScores] = {}
        for fw, space in self.spaces.items():
            thr = np.array([self.combiner.threshold(fw, c) for c in space.codes])
            lifts: dict[str, npt.NDArray[np.float64]] = {}
            if fw in ("SDG", "WSIS"):
                lifts["custodian"] = custodian_matrix(heads, space.codes, fw)
                lifts["application"] = application_matrix(heads, space.codes, fw)
            if fw == "GDC":
                lifts["guide_terms"] = guide_term_matrix(heads, space.codes)
            if ctx_scores is not None:
                lifts["context"] = context_lift(logit(ctx_scores[fw]), logit(thr)[None, :])
            if label_priors and (priors := self.label_priors.get(fw)):
                offsets = np.array([priors.get(c, 0.0) for c in space.codes])
                lifts["label_prior"] = np.broadcast_to(offsets, own[fw].shape).copy()
            in_head = _head_terms(batch, fw, space.codes)
            unnamed = self._unnamed_aims(batch, contexts, space.codes, in_head, lifts) if fw == "SDG" else None
            lift = sum(lifts.values(), np.zeros_like(own[fw]))
            score = sigmoid(logit(own[fw]) + lift)
            refused = (score >= thr) & (sigmoid(logit(head[fw]) + lift) < thr) & ~in_head
            if unnamed is not None:  # a sector's or a group's goal that nothing names is never proposed
                refused |= (score >= thr) & unnamed
            score = np.where(refused, np.nextafter(thr, 0.0)[None, :], score)
            if fw == "SDG" and ((pooled := shared_indicator_scores(score, heads, space.codes)) != score).any():
                lifts["shared_indicator"] = logit(pooled) - logit(score)  # a goal takes its partner's score
                score = pooled
            score = _named_goals_proposed(score, thr, lifts)  # last: only what every view left under
            out[fw] = FrameworkScores(fw, space.codes, score, thr, own[fw], lifts, head[fw])
        return out, views_by_fw

    def _unnamed_aims(
        self,
        batch: TextBatch,
        contexts: Sequence[str | None] | None,
        codes: Sequence[str],
        in_head: npt.NDArray[np.bool_],
        lifts: dict[str, npt.NDArray[np.float64]],
    ) -> npt.NDArray[np.bool_]:
        """The named-aim view (``views.unnamed_aims``): the SDG goals of a sector or a group that an ICT
        text leaves unnamed, with their ``UNNAMED_AIM_LOGIT`` booked in ``lifts`` (not where an aside
        names the goal: an illustration ranks it, the aside rule keeps it unproposed)."""
        named = in_head | _context_terms(contexts, len(in_head), "SDG", codes)
        named |= (lifts["custodian"] > 0) | (lifts["application"] > 0)
        unnamed = unnamed_aims(batch.texts, contexts, codes, named)
        lifts["unnamed_aim"] = unnamed_aim_matrix(unnamed & ~_aside_terms(batch, "SDG", codes))
        return unnamed

    def _context_scores(self, contexts: Sequence[str | None]) -> dict[str, npt.NDArray[np.float64]]:
        """Each text's context scored on its own (no lifts); rows without a context score 0."""
        uniq = sorted({clip_text(c) for c in contexts if c})
        batch = prepare_texts(uniq, self._embed, salience=True) if uniq else None
        scored = self._with_asides(batch, self._combiner_scores(batch)[0]) if batch else {}
        row = {c: i for i, c in enumerate(uniq)}
        out: dict[str, npt.NDArray[np.float64]] = {}
        for fw, space in self.spaces.items():
            m = np.zeros((len(contexts), len(space.codes)))
            for i, c in enumerate(contexts):
                if c:
                    m[i] = scored[fw][row[clip_text(c)]]
            out[fw] = m
        return out

    def scores(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None, *, label_priors: bool = True
    ) -> dict[str, FrameworkScores]:
        """Score of every text against every label, per framework (for ranking and recall@k).

        ``label_priors=False`` leaves the fitted label offsets out: what they are fitted on.
        """
        batch = prepare_texts([clip_text(t) for t in texts], self._embed, salience=True)
        return self._score_batch(batch, contexts, label_priors=label_priors)[0]

    def classify(self, texts: Sequence[str], contexts: Sequence[str | None] | None = None) -> list[list[Proposal]]:
        """Per text, the labels whose score passes their threshold, by framework then score.

        ``contexts`` (one per text, or None) is what the text is read under: for an expected result
        its initiative's title and the results' lead-in (the context view). A text longer than
        ``MAX_TEXT_CHARS`` is scored on its beginning, and its evidence says how much was read.
        """
        batch = prepare_texts([clip_text(t) for t in texts], self._embed, salience=True)
        scored, views = self._score_batch(batch, contexts)
        lines = wsis_distribution(views["WSIS"])
        prior = wsis_sdg_prior()
        results: list[list[Proposal]] = []
        for i in range(len(batch.texts)):
            terms = batch.lexicon[i][1]
            sent_rows = np.flatnonzero(batch.sent_owner == i)
            props: list[Proposal] = []
            for fw in self.spaces:
                fs = scored[fw]
                for j in np.argsort(-fs.scores[i], kind="stable"):
                    if fs.scores[i, j] < fs.thresholds[j]:
                        continue
                    code = fs.codes[j]
                    evidence = self._evidence(batch, i, sent_rows, self.spaces[fw], int(j), terms.get((fw, code), []))
                    if fw == "SDG" and (via := self._via_wsis(lines[i], code, prior)):
                        evidence["via_wsis"] = via
                    evidence |= self._view_evidence(batch, fs, i, int(j), contexts[i] if contexts else None)
                    evidence["model_score"] = round(float(fs.scores[i, j]), 9)  # isotonic knots can be 1e-5 apart
                    if len(batch.texts[i]) < len(texts[i]):
                        evidence["truncated"] = {"chars_scored": len(batch.texts[i]), "chars": len(texts[i])}
                    score = round(self.probability(fw, float(fs.scores[i, j]), code), 4)
                    props.append(Proposal(fw, code, score, evidence))
            results.append(props)
        return results

    def probability(self, framework: str, raw: float, code: str | None = None) -> float:
        """The proposal's one readable number: how often such a score was correct in validation.

        The shipped calibration, then the registry's recalibration from reviews if one is set
        (``recalibration[framework]``, with the label's own offset for ``code``; see ``rihub align
        calibrate``).
        """
        cal = self.calibration.get(framework)
        p = float(cal.apply(np.array([raw]))[0]) if cal else raw
        if (recal := self.recalibration.get(framework)) is not None:
            p = float(recal.apply(np.array([p]), [code or ""])[0])
        return p

    def _view_evidence(
        self, batch: TextBatch, fs: FrameworkScores, i: int, j: int, context: str | None
    ) -> dict[str, object]:
        """Which view carried the label: the text's own wording, or a lift that took it over the threshold."""
        base = float(fs.base[i, j]) if fs.base is not None else float(fs.scores[i, j])
        views: dict[str, object] = {"text": round(base, 4)}
        if fs.head is not None and fs.head[i, j] != base:
            views["head"] = round(float(fs.head[i, j]), 4)  # the text's score without its asides
        head = batch.heads[i] if batch.heads else batch.texts[i]
        named: dict[str, Callable[[], Hits]] = {  # asked only of the views that lifted this label
            "custodian": lambda: custodian_hits(head, fs.framework),
            "application": lambda: application_hits(head, fs.framework),
            "guide_terms": lambda: guide_term_hits(head),
        }
        for name, hits in named.items():
            if fs.lifts.get(name) is not None and fs.lifts[name][i, j] > 0:
                views[name] = hits().get(fs.codes[j], [])
        if fs.lifts.get("shared_indicator") is not None and (lift := float(fs.lifts["shared_indicator"][i, j])) > 0:
            views["shared_indicator"] = {"with": shared_with(head, fs.codes[j]), "logit": round(lift, 3)}
        if fs.lifts.get("context") is not None and fs.lifts["context"][i, j] > 0:
            views["context"] = {"text": context, "logit": round(float(fs.lifts["context"][i, j]), 3)}
        if fs.lifts.get("label_prior") is not None and fs.lifts["label_prior"][i, j] != 0:
            views["label_prior"] = round(float(fs.lifts["label_prior"][i, j]), 3)  # how often the label applies
        lifted = {k: float(v[i, j]) for k, v in fs.lifts.items() if v[i, j] > 0}
        carried = "text" if base >= fs.thresholds[j] or not lifted else max(lifted, key=lambda k: lifted[k])
        out: dict[str, object] = {"views": views, "carried_by": carried}
        if batch.aside_terms and (aside := batch.aside_terms[i].get((fs.framework, fs.codes[j]))):
            out["example_terms"] = sorted(set(aside))
        return out

    def _via_wsis(
        self, shares: npt.NDArray[np.float64], sdg: str, prior: dict[str, tuple[str, ...]]
    ) -> list[dict[str, object]]:
        """The (at most two) WSIS lines serving ``sdg`` that hold a visible share of the text."""
        lines = sorted(((float(shares[k]), w) for k, w in enumerate(self._wsis.codes) if sdg in prior.get(w, ())))
        return [{"code": w, "share": round(p, 3)} for p, w in lines[::-1][:2] if p >= VIA_WSIS_MIN_SHARE]

    def _evidence(
        self, batch: TextBatch, i: int, sent_rows: npt.NDArray[np.int64], space: LabelSpace, j: int, terms: list[str]
    ) -> dict[str, object]:
        """Matched terms, nearest target of the label, and the input sentence closest to it."""
        cols = np.flatnonzero(space.target_owner == j)
        t_sims = space.target_emb[cols] @ batch.emb[i]
        best_t = int(cols[int(np.argmax(t_sims))])
        sentence = batch.texts[i]
        if len(sent_rows):
            s_sims = (batch.sent_emb[sent_rows] @ space.target_emb[cols].T).max(axis=1)
            sentence = _original_sentence(batch.texts[i], batch.sentences[i][int(np.argmax(s_sims))])
        return {
            "terms": sorted(set(terms)),
            "nearest": {
                "code": space.target_codes[best_t],
                "text": space.target_texts[best_t],
                "similarity": round(float(t_sims.max()), 4),
            },
            "sentence": sentence,
        }


def _named_goals_proposed(
    score: npt.NDArray[np.float64], thr: npt.NDArray[np.float64], lifts: dict[str, npt.NDArray[np.float64]]
) -> npt.NDArray[np.float64]:
    """Scores with every goal, WSIS line or GDC objective whose custodian target, application or guide
    terms the head names at its threshold.

    The lift is a logit added to the combiner's score, and on wording far from the benchmark's
    abstracts the combiner can score a goal near zero ("Use of ICTs for e-health services and
    telemedicine": SDG 3 at 0.01; a lift of 2 logits leaves it at 0.07): the lift then ranks the
    goal but does not propose it. Naming what an official source ties to one goal, in the head of the
    text, is the evidence the view exists for — on the in-domain set 115 of the 129 goals and all 37
    WSIS lines so named are in the labels — so such a goal is proposed: raised to its threshold (the
    lowest proposed score, so it ranks under every goal the text's wording carries). The raise is
    booked to the view that named it, which is what its evidence then says carried it.
    """
    for name in ("custodian", "application", "guide_terms"):
        if (lift := lifts.get(name)) is None:
            continue
        low = (lift > 0) & (score < thr[None, :])
        if low.any():
            raised = np.maximum(score, thr[None, :])
            lifts[name] = lift + np.where(low, logit(raised) - logit(score), 0.0)
            score = np.where(low, raised, score)
    return score


def _original_sentence(text: str, head_sentence: str) -> str:
    """The sentence of ``text`` (asides included) that a head sentence was cut from: shown to people."""
    words = set(head_sentence.lower().split())
    return max(split_sentences(text), key=lambda s: len(words & set(s.lower().split())))


def result_context(title: str, lead_in: str | None) -> str:
    """What an expected result is read under: its initiative's title and the results' lead-in."""
    return as_sentences(title, lead_in)


def noisy_or(scores: npt.NDArray[np.float64], axis: int = 0) -> npt.NDArray[np.float64]:
    """1 - prod(1 - p): the chance that at least one part really serves the label."""
    clipped = np.clip(scores, 0.0, 1.0 - 1e-9)
    return np.asarray(1.0 - np.exp(np.log1p(-clipped).sum(axis=axis)), dtype=np.float64)


def roll_up(results: list[list[Proposal]]) -> list[Proposal]:
    """Initiative-level links from the proposals of its parts (expected results, objective).

    Rule: a label is kept if any part proposed it (i.e. passed that label's threshold); the
    initiative score is the noisy-OR of the scores of the parts that proposed it; the evidence is
    the best part's, plus ``supporting_parts`` (how many parts proposed it), ``best_part`` (index)
    and ``part_scores`` (the parts' raw model scores, so a recalibration can recompute the noisy-OR).
    Ranked by framework, then score, then number of supporting parts.
    """
    best: dict[tuple[str, str], tuple[Proposal, int]] = {}
    scores: dict[tuple[str, str], list[float]] = {}
    raws: dict[tuple[str, str], list[object]] = {}
    for part, props in enumerate(results):
        for p in props:
            if p.score is None:  # structural links are added after the roll-up, never rolled up
                continue
            key = (p.framework, p.code)
            scores.setdefault(key, []).append(p.score)
            raws.setdefault(key, []).append(p.evidence.get("model_score", p.score))
            if key not in best or p.score > (best[key][0].score or 0.0):
                best[key] = (p, part)
    order = {fw: k for k, fw in enumerate(FRAMEWORKS)}
    merged = []
    for key, (p, part) in best.items():
        vals = np.array(scores[key], dtype=np.float64)
        evidence = dict(p.evidence) | {"supporting_parts": len(vals), "best_part": part, "part_scores": raws[key]}
        merged.append(Proposal(p.framework, p.code, round(float(noisy_or(vals)), 4), evidence))
    merged.sort(
        key=lambda q: (order.get(q.framework, 99), -(q.score or 0.0), -int(str(q.evidence["supporting_parts"])))
    )
    return merged


STRUCTURAL_LINKS: dict[str, tuple[str, ...]] = {"WSIS": ("C1", "C11")}
"""Links every ITU-D Regional Initiative has by construction, whatever its wording.

A Regional Initiative (WTDC Resolution 17) is assistance to member states' governments and
stakeholders (WSIS C1) delivered as a regional cooperation programme (WSIS C11). Kept apart from
the classifier so the evaluation can report figures with and without this rule.
"""
STRUCTURAL_RULE = "applies to every regional initiative"


def is_structural(evidence: dict[str, object] | None) -> bool:
    """Whether a link's evidence marks it as a structural (rule) link rather than a content link."""
    return bool(evidence and evidence.get("basis") == "structural")


def with_structural_links(proposals: list[Proposal]) -> list[Proposal]:
    """An initiative's content links, then its ``STRUCTURAL_LINKS`` — shown as what they are.

    A structural link has no score (no model measured it) and ``evidence["basis"] ==
    "structural"``; it comes after every content link, so it never tops a ranking. If the
    classifier also proposed the line from the wording, that content evidence and its score are
    kept under ``evidence["content"]`` (one link per subject and label).
    """
    have = {(p.framework, p.code): p for p in proposals}
    out = [p for p in proposals if p.code not in STRUCTURAL_LINKS.get(p.framework, ())]
    for fw, codes in STRUCTURAL_LINKS.items():
        for code in codes:
            ev: dict[str, object] = {"basis": "structural", "rule": STRUCTURAL_RULE}
            if old := have.get((fw, code)):
                ev["content"] = dict(old.evidence) | {"score": old.score}
            out.append(Proposal(fw, code, None, ev))
    return out
