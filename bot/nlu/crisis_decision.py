"""Sure, possible or no crisis: the pattern floor, the crisis detector and the topic classifier's
own `crisis` guess together. Pure.

The strongest tier wins; no signal can lower another. The topic classifier's `crisis` guess is
never demoted: on its own it is *possible*. The kind comes from the strongest pattern when one
matched, else from the detector's kind classifier.

One exception, measured: when only the detector suspects danger, and only weakly (score below
`TopicGate.max_score`), while the topic model is sure (≥ `TopicGate.min_confidence`) that the
message is one of the bot's known questions or conversation turns («nå sier jeg god natt», «jeg vil
slette alt jeg har skrevet»), the safety question is not asked. On out-of-fold scores of the
crisis corpus this let no crisis message through and spared about a third of the topic questions
the needless question (README, "Crisis (held-out …)"). A pattern, or a higher score, always wins.

`everyday_care` (issue 10): a second detector, trained with the everyday-care examples of the corpus
(`care:`), is asked about a message that only the first detector finds possibly dangerous. When it
finds no danger either, the decision says so; the tier stays *possible*. Only where the bot has just
asked for a planned prøvehandling (actions/crisis.py) does that spare the safety question: a pattern,
the sure tier and the topic classifier's own crisis guess always keep it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from bot.nlu.crisis_detector import CrisisDetector
from bot.nlu.crisis_patterns import POSSIBLE, SURE, find_crisis

CRISIS_INTENT = "crisis"
POSSIBLE_INTENT = "crisis_possible"
_RANK = {None: 0, POSSIBLE: 1, SURE: 2}


@dataclass(frozen=True)
class TopicGate:
    min_confidence: float = 0.7
    max_score: float = 0.4
    # Intents that describe a situation rather than ask a known question: never a reason to skip.
    open_intents: frozenset = frozenset({"describe_situation", "out_of_scope", "nlu_fallback", "input_unreadable"})

    def spares(self, score: float, topic: Optional[Tuple[str, float]]) -> bool:
        if topic is None:
            return False
        name, confidence = topic
        return score < self.max_score and confidence >= self.min_confidence and name not in self.open_intents


@dataclass(frozen=True)
class CrisisDecision:
    tier: Optional[str]  # "sure", "possible" or None
    kind: Optional[str]
    score: float  # the detector's probability of danger (0 without a detector)
    by: str  # "pattern", "detector", "classifier" or "" when no tier
    everyday_care: bool = False  # only the detector saw danger, and the care-aware detector sees none

    def as_dict(self) -> dict:
        out = {"tier": self.tier, "kind": self.kind, "score": round(self.score, 3), "by": self.by}
        if self.everyday_care:
            out["everyday_care"] = True
        return out


def decide(text: str, patterns: Optional[List] = None, detector: Optional[CrisisDetector] = None,
           topic: Optional[Tuple[str, float]] = None, gate: TopicGate = TopicGate(),
           classifier_crisis: bool = False, lang: Optional[str] = None,
           care_detector: Optional[CrisisDetector] = None) -> CrisisDecision:
    """`topic`: the topic model's best (intent, confidence) other than `crisis`, if any;
    `classifier_crisis`: the topic model's own best guess is `crisis` – never demoted to the next
    topic: it is at least *possible*; `lang`: the message's language when the language detector is
    clear about it (the detector's possible threshold is chosen per language), else None;
    `care_detector`: the detector trained with the everyday-care examples (see the module doc)."""
    match = find_crisis(text, patterns)
    score, detector_tier = 0.0, None
    if detector is not None:
        score = detector.score(text)
        detector_tier = detector.tier(score, lang)
        if detector_tier == POSSIBLE and gate.spares(score, topic):
            detector_tier = None
    pattern_tier = match.tier if match else None
    tier = max(pattern_tier, detector_tier, key=lambda t: _RANK[t])
    if tier is None and classifier_crisis:
        return CrisisDecision(POSSIBLE, detector.kind(text) if detector else None, score, "classifier")
    if tier is None:
        return CrisisDecision(None, None, score, "")
    if match is not None and _RANK[pattern_tier] >= _RANK[detector_tier]:
        return CrisisDecision(tier, match.kind, score, "pattern")
    kind = match.kind if match is not None else detector.kind(text)
    care = (tier == POSSIBLE and match is None and not classifier_crisis and care_detector is not None
            and care_detector.tier(care_detector.score(text), lang) is None)
    return CrisisDecision(tier, kind, score, "detector", care)
