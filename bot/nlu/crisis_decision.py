"""Sure, possible or no crisis: the pattern floor and the crisis detector together. Pure.

The stronger of the two tiers wins; neither signal can lower the other. The kind comes from the
strongest pattern when one matched, else from the detector's kind classifier.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from bot.nlu.crisis_detector import CrisisDetector
from bot.nlu.crisis_patterns import POSSIBLE, SURE, find_crisis

CRISIS_INTENT = "crisis"
POSSIBLE_INTENT = "crisis_possible"
_RANK = {None: 0, POSSIBLE: 1, SURE: 2}


@dataclass(frozen=True)
class CrisisDecision:
    tier: Optional[str]  # "sure", "possible" or None
    kind: Optional[str]
    score: float  # the detector's probability of danger (0 without a detector)
    by: str  # "pattern", "detector" or "" when no tier

    def as_dict(self) -> dict:
        return {"tier": self.tier, "kind": self.kind, "score": round(self.score, 3), "by": self.by}


def decide(text: str, patterns: Optional[List] = None, detector: Optional[CrisisDetector] = None) -> CrisisDecision:
    match = find_crisis(text, patterns)
    score, window, detector_tier = 0.0, text, None
    if detector is not None:
        score, window = detector.score(text)
        detector_tier = detector.tier(score)
    pattern_tier = match.tier if match else None
    tier = max(pattern_tier, detector_tier, key=lambda t: _RANK[t])
    if tier is None:
        return CrisisDecision(None, None, score, "")
    if match is not None and _RANK[pattern_tier] >= _RANK[detector_tier]:
        return CrisisDecision(tier, match.kind, score, "pattern")
    kind = match.kind if match is not None else detector.kind(window)
    return CrisisDecision(tier, kind, score, "detector")
