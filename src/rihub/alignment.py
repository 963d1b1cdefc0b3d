"""Framework alignment: SDG / WSIS / GDC proposals, their calibration, reviews and links people
add. A part of :class:`rihub.hub.Hub` (mixed in), kept apart from hub.py's reads and writes of the
registry because it is the one part that may load the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rihub.errors import InputError, NotFoundError
from rihub.records import (
    AlignmentEvent,
    AlignmentRecord,
    PredictedLink,
    ReviewLearning,
    SimilarResult,
    TextPrediction,
)
from rihub.store import read
from rihub.store.db import write_transaction
from rihub.store.read import resolve_cycle

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from rihub.align.combiner import ReviewFit
    from rihub.config import Settings
    from rihub.records import Initiative, InitiativeNested


CLASSIFY_BATCH = 32
"""Texts classified at once by ``align`` and ``predict``: memory stays flat however many there
are, and on two cores batches of 32 embed faster than 64 (docs/benchmarks.md, Speed)."""


def texts_from_file(path: Path, settings: Settings | None = None) -> list[str]:
    """The non-empty lines of a UTF-8 text file, each one text to classify (``align predict --file``).

    Read like a report (a regular file, within the file-size limit) and held to the line limit
    (``RIHUB_MAX_PARAGRAPHS``); a file that is not UTF-8 text is refused by name.
    """
    from rihub.config import Settings
    from rihub.ingest.limits import read_regular_file

    settings = settings or Settings.from_env()
    data = read_regular_file(path, settings)
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: is a binary file, not text; give one text a line, UTF-8")
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from exc
    texts = [line.strip() for line in content.splitlines() if line.strip()]
    if not texts:
        raise InputError(f"{path}: has no text (every line is empty)")
    if len(texts) > settings.max_paragraphs:
        raise InputError(
            f"{path}: {len(texts):,} texts is over the {settings.max_paragraphs:,}-line limit (RIHUB_MAX_PARAGRAPHS)"
        )
    return texts


class Alignment:
    """Proposals, calibration and reviews of framework links (methods of :class:`rihub.hub.Hub`)."""

    engine: Engine
    if TYPE_CHECKING:  # what the mixin uses of the rest of Hub

        def initiative(self, code: str, cycle: str | None = None) -> Initiative: ...

    def sync_frameworks(self) -> int:
        """Load the shipped SDG / WSIS / GDC vocabulary into ``framework_items``."""
        from rihub import frameworks
        from rihub.store.alignments import VocabularyItem, sync_vocabulary

        items = [
            VocabularyItem(i.framework, i.code, i.title, i.description, i.parent, frameworks.version(i.framework))
            for i in frameworks.all_items()
        ]
        with write_transaction(self.engine) as conn:
            return sync_vocabulary(conn, items)

    def align(self, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """Propose links for every initiative and expected result, and store their embeddings.

        Each expected result is classified on its own; an initiative's links are the roll-up of
        its results and of its own title and objective (see ``rihub.align.roll_up``), plus the
        structural WSIS C1/C11 links of every Regional Initiative. Priorities without results are
        classified from their title. Document links are never touched.
        """
        from rihub.align import result_context, roll_up, with_structural_links
        from rihub.search.semantic import EMBEDDING_MODEL
        from rihub.store.alignments import LinkProposal, store_embeddings, store_proposals

        self.sync_frameworks()
        with self.engine.connect() as conn:
            items = read.initiatives(conn)  # every cycle
        result_texts: list[str] = []
        result_owners: list[tuple[int, int | None]] = []
        contexts: list[str | None] = [None] * len(items)  # an initiative's head is its own context
        for item in items:
            context = result_context(item.title, item.results_lead_in)
            for r in item.expected_results:
                result_texts.append(r.full_text)
                result_owners.append((item.id, r.id))
                contexts.append(context)
        head_texts = [item.head_text for item in items]
        aligner = self._aligner()
        texts = head_texts + result_texts
        classified: list[list[Any]] = []
        for start in range(0, len(texts), CLASSIFY_BATCH):
            end = start + CLASSIFY_BATCH
            classified.extend(aligner.classify(texts[start:end], contexts[start:end]))
            if progress:
                progress(min(end, len(texts)), len(texts))
        vectors = aligner.embed(texts)
        heads, results = classified[: len(items)], classified[len(items) :]
        by_initiative: dict[int, list[list[Any]]] = {}
        proposals: list[LinkProposal] = []
        for (initiative_id, result_id), found in zip(result_owners, results, strict=True):
            by_initiative.setdefault(initiative_id, []).append(found)
            proposals.extend(
                LinkProposal(initiative_id, result_id, p.framework, p.code, p.score, _jsonable(p.evidence))
                for p in found
            )
        for item, head in zip(items, heads, strict=True):
            rolled = roll_up([head, *by_initiative.get(item.id, [])])
            if item.kind == "initiative":
                # A Regional Initiative is government-led regional cooperation: WSIS C1 and C11
                # by construction (rihub.align.STRUCTURAL_LINKS); still only a proposal to review.
                rolled = with_structural_links(rolled)
            for p in rolled:
                proposals.append(LinkProposal(item.id, None, p.framework, p.code, p.score, _jsonable(p.evidence)))
        with write_transaction(self.engine) as conn:
            counts = store_proposals(conn, proposals)
            store_embeddings(conn, EMBEDDING_MODEL, [(i.id, None) for i in items] + result_owners, vectors)
        return counts | {"initiatives": len(items), "expected_results": len(result_texts)}

    def predict(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> list[TextPrediction]:
        """Ranked SDG / WSIS / GDC proposals with evidence for any texts (nothing is stored).

        The same classifier and views ``align`` uses; a text that is not an expected result has no
        context view. Needs the embedding model (a few seconds to load). Texts are classified in
        batches, so memory stays flat however many there are; a text longer than
        ``MAX_TEXT_CHARS`` is scored on its beginning and its ``chars_scored`` says how much.
        """
        from rihub.align.features import clip_text

        cleaned = [t.strip() for t in texts]
        if not cleaned or not all(cleaned):
            raise InputError("give at least one non-empty text")
        aligner = self._aligner()
        out = []
        for start in range(0, len(cleaned), CLASSIFY_BATCH):
            chunk = cleaned[start : start + CLASSIFY_BATCH]
            for text, props in zip(chunk, aligner.classify(chunk), strict=True):
                by_fw: dict[str, list[PredictedLink]] = {"SDG": [], "WSIS": [], "GDC": []}
                for p in sorted(props, key=lambda q: -(q.score or 0.0)):
                    by_fw[p.framework].append(
                        PredictedLink(code=p.code, score=p.score or 0.0, evidence=_jsonable(p.evidence))
                    )
                scored = len(clip_text(text))
                out.append(
                    TextPrediction(
                        text=text,
                        chars_scored=scored if scored < len(text) else None,
                        SDG=by_fw["SDG"],
                        WSIS=by_fw["WSIS"],
                        GDC=by_fw["GDC"],
                    )
                )
            if progress:
                progress(len(out), len(cleaned))
        return out

    def _aligner(self) -> Any:
        """The shipped aligner with this registry's recalibration from reviews, if one is stored."""
        from rihub.align import Aligner
        from rihub.align.combiner import ReviewFit
        from rihub.store import calibration as store

        aligner = Aligner.load()
        with self.engine.connect() as conn:
            aligner.recalibration = {
                fw: ReviewFit(r["slope"], r["intercept"], r["offsets"]) for fw, r in store.read(conn).items()
            }
        return aligner

    def calibrate(self, reset: bool = False, actor: str = "cli") -> list[ReviewLearning]:
        """Recalibrate the registry's proposals from its reviews (or, with ``reset``, undo that).

        Accepted links count as correct, rejected ones as wrong, links people added as correct
        proposals the model scored too low. Per framework with enough reviews (both outcomes), a
        Platt fit on the logit of the shipped probability (stored in ``align_calibration``) and per
        label with enough reviews a penalised offset on top (``align_label_calibration``;
        ``calibrate.fit_reviews``) compete with the shipped calibration: whichever of the three
        predicts each initiative's reviews best when fitted on the other initiatives' only (log
        loss) is applied, so reviews that the shipped numbers already predict well change nothing.
        Every open proposal is rescored from its raw ``model_score``; ``reset`` deletes both and
        rescores with the shipped calibration. Returns the leave-one-initiative-out figures, with
        the choice made and why in ``decision``.
        """
        import numpy as np

        from rihub.align.calibrate import fit_reviews
        from rihub.align.combiner import Combiner
        from rihub.store import calibration as store

        pairs = self._review_pairs()
        learning = self._learning(pairs)
        choice = {r.framework: _best_calibration(r) for r in learning}
        fitted: dict[str, ReviewFit] = {}
        rows, label_rows = [], []
        for fw, (prob, accepted, _, codes) in ({} if reset else pairs).items():
            if choice[fw] == "shipped" or (fit := fit_reviews(prob, accepted, codes)) is None:
                continue
            if choice[fw] == "framework":
                fit = fit.framework_only()
            fitted[fw] = fit
            rows.append({"framework": fw, "slope": fit.slope, "intercept": fit.intercept, "reviews": len(accepted)})
            rows[-1]["accepted"] = int(accepted.sum())
            for code, offset in fit.offsets.items():
                mine = np.array([c == code for c in codes])
                label_rows.append({"framework": fw, "code": code, "logit_offset": offset})
                label_rows[-1] |= {"reviews": int(mine.sum()), "accepted": int(accepted[mine].sum())}
        shipped = Combiner.load()

        def probability(fw: str, code: str, raw: float) -> float:
            p = shipped.calibrated(fw, np.array([raw]))
            return float((fitted[fw].apply(p, [code]) if fw in fitted else p)[0])

        with write_transaction(self.engine) as conn:
            store.save(conn, rows, label_rows, actor)
            store.rescore_proposals(conn, probability)
        decided = {r.framework: _fit_fields(fitted.get(r.framework)) for r in learning}
        for r in learning:
            decided[r.framework]["decision"] = _decision(r, choice[r.framework], reset)
        return [r.model_copy(update=decided[r.framework]) for r in learning]

    def review_learning(self) -> list[ReviewLearning]:
        """Leave-one-initiative-out figures of learning from this registry's reviews, per framework."""
        return self._learning(self._review_pairs())

    def _learning(self, pairs: dict[str, tuple[Any, Any, list[str], list[str]]]) -> list[ReviewLearning]:
        from rihub.align.calibrate import leave_one_initiative_out
        from rihub.store import calibration as store

        with self.engine.connect() as conn:
            stored = store.read(conn)
        out = []
        for fw, (prob, accepted, groups, codes) in pairs.items():
            figures = leave_one_initiative_out(prob, accepted, groups, codes)
            per_label = figures["per_label_leave_one_initiative_out"]
            row = stored.get(fw, {})
            out.append(
                ReviewLearning(
                    framework=fw,
                    reviews=figures["reviews"],
                    accepted=figures["accepted"],
                    initiatives=figures["initiatives"],
                    initiatives_recalibrated=figures["initiatives_recalibrated"],
                    shipped_brier=figures["shipped"]["brier"],
                    recalibrated_brier=figures["recalibrated_leave_one_initiative_out"]["brier"],
                    shipped_log_loss=figures["shipped"]["log_loss"],
                    recalibrated_log_loss=figures["recalibrated_leave_one_initiative_out"]["log_loss"],
                    per_label_brier=per_label["brier"],
                    per_label_log_loss=per_label["log_loss"],
                    label_offsets=row.get("offsets", {}),
                    slope=row.get("slope"),
                    intercept=row.get("intercept"),
                    applied=bool(row),
                    decision=None,
                )
            )
        return out

    def _review_pairs(self) -> dict[str, tuple[Any, Any, list[str], list[str]]]:
        """Per framework: shipped probability, outcome, initiative and label of every reviewed link.

        An added link has no model score; the model is loaded to score its subject's text then.
        """
        import numpy as np

        from rihub.align.combiner import Combiner
        from rihub.store import calibration as store

        with self.engine.connect() as conn:
            links = store.reviewed_links(conn)
            items = {i.id: i for i in read.initiatives(conn)} if links else {}
        raw = [link.model_score for link in links]
        missing = [k for k, v in enumerate(raw) if v is None]
        if missing:
            from rihub.align import Aligner

            texts = [_subject_text(items[links[k].initiative_id], links[k].result_id) for k in missing]
            scored = Aligner.load().scores(texts)
            for row, k in enumerate(missing):
                fs = scored[links[k].framework]
                raw[k] = float(fs.scores[row, fs.codes.index(links[k].code)]) if links[k].code in fs.codes else 0.0
        shipped = Combiner.load()
        out: dict[str, tuple[Any, Any, list[str], list[str]]] = {}
        for fw in ("SDG", "WSIS", "GDC"):
            idx = [k for k, link in enumerate(links) if link.framework == fw]
            if idx:
                prob = shipped.calibrated(fw, np.array([raw[k] or 0.0 for k in idx]))
                accepted = np.array([links[k].accepted for k in idx], dtype=bool)
                groups = [items[links[k].initiative_id].code for k in idx]
                out[fw] = (prob, accepted, groups, [links[k].code for k in idx])
        return out

    def alignments(
        self,
        status: str | None = None,
        provenance: str | None = None,
        code: str | None = None,
        framework: str | None = None,
        min_score: float | None = None,
        cycle: str | None = None,
    ) -> list[AlignmentRecord]:
        """The review queue of one cycle (the latest by default), filtered; ``min_score`` leaves out
        links without a score (document, person)."""
        from rihub.store.alignments import alignments

        with self.engine.connect() as conn:
            return alignments(
                conn,
                status=status,
                provenance=provenance,
                code=code,
                framework=framework,
                min_score=min_score,
                conference=resolve_cycle(conn, cycle),
            )

    def review(self, alignment_id: int, action: str, actor: str, reason: str | None = None) -> AlignmentRecord:
        """Accept or reject a proposed link; recorded with who, when, before, after and why."""
        return self.review_many([alignment_id], action, actor, reason)[0]

    def review_many(
        self, alignment_ids: Sequence[int], action: str, actor: str, reason: str | None = None
    ) -> list[AlignmentRecord]:
        """Accept or reject several links in one transaction: all are reviewed, or none if one cannot be."""
        from rihub.store.alignments import review

        if not alignment_ids:
            raise InputError("name at least one alignment id")
        with write_transaction(self.engine) as conn:
            return [review(conn, i, action, actor, reason) for i in dict.fromkeys(alignment_ids)]

    def add_link(
        self,
        subject: str,
        framework: str,
        code: str,
        actor: str,
        reason: str | None = None,
        cycle: str | None = None,
    ) -> AlignmentRecord:
        """Link ``EUR1`` or ``EUR1.3`` (its expected result 3) to a framework item by hand."""
        from rihub.store.alignments import add_link

        initiative_code, _, number = subject.partition(".")
        item = self.initiative(initiative_code, cycle)
        result_id = None
        if number:
            match = [r for r in item.expected_results if str(r.number) == number]
            if not match:
                raise NotFoundError(f"{item.code} has no expected result {number}")
            result_id = match[0].id
        framework = framework.upper()
        code = code.upper() if framework == "WSIS" else code.removeprefix("SDG").strip()
        with write_transaction(self.engine) as conn:
            return add_link(conn, item.id, result_id, framework, code, actor, reason)

    def alignment(self, alignment_id: int) -> AlignmentRecord:
        """One link with its initiative code and result number (404-style error when unknown)."""
        from rihub.store.alignments import alignment

        with self.engine.connect() as conn:
            return alignment(conn, alignment_id)

    def alignment_history(self, alignment_id: int) -> list[AlignmentEvent]:
        from rihub.store.alignments import alignment, history

        with self.engine.connect() as conn:
            alignment(conn, alignment_id)
            return history(conn, alignment_id)

    def similar_results(self, code: str, number: int, limit: int = 5, cycle: str | None = None) -> list[SimilarResult]:
        """Expected results of other regions closest in meaning (stored vectors; no model load)."""
        from rihub.search.semantic import similar_results

        item = self.initiative(code, cycle)
        with self.engine.connect() as conn:
            return similar_results(conn, item.id, number, limit=limit)


def _subject_text(item: InitiativeNested, result_id: int | None) -> str:
    """What the classifier reads for a link's subject: a result's full text, or the initiative's head."""
    return next((r.full_text for r in item.expected_results if r.id == result_id), item.head_text)


def _jsonable(value: Any) -> Any:
    """Evidence as plain JSON (numpy scalars and tuples become numbers and lists)."""
    import json

    return json.loads(json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v)))


def _best_calibration(learning: ReviewLearning) -> str:
    """``shipped``, ``framework`` or ``per_label``: the calibration with the lowest log loss on
    initiatives left out; a refit must beat the simpler one strictly, so ties keep what is simpler."""
    best, loss = "shipped", learning.shipped_log_loss
    for name, candidate in (("framework", learning.recalibrated_log_loss), ("per_label", learning.per_label_log_loss)):
        if candidate is not None and (loss is None or candidate < loss):
            best, loss = name, candidate
    return best if learning.initiatives_recalibrated else "shipped"


def _decision(learning: ReviewLearning, choice: str, reset: bool) -> str:
    """One line for the operator: what ``calibrate`` applied and the figure that chose it."""
    if reset:
        return "reset: the shipped calibration applies"
    if not learning.initiatives_recalibrated:
        return "shipped calibration kept: too few reviews, or only one outcome, to refit"
    shipped, platt, ours = learning.shipped_log_loss, learning.recalibrated_log_loss, learning.per_label_log_loss
    if choice == "per_label":
        return f"per-label offsets applied: log loss {ours} on initiatives left out (shipped {shipped}, fit {platt})"
    if choice == "framework":
        return f"framework fit applied: log loss {platt} on initiatives left out (shipped {shipped}, per label {ours})"
    return (
        f"shipped calibration kept: it predicts these reviews best (log loss {shipped}; refitted on other"
        f" initiatives {platt}, per label {ours})"
    )


def _fit_fields(fit: ReviewFit | None) -> dict[str, Any]:
    """The ``ReviewLearning`` fields of a stored fit (``None``: not applied)."""
    if fit is None:
        return {"applied": False, "slope": None, "intercept": None, "label_offsets": {}}
    return {"applied": True, "slope": fit.slope, "intercept": fit.intercept, "label_offsets": dict(fit.offsets)}
