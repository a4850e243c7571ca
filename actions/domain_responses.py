"""The bot's responses as the domain declares them (domain/**/*.yml), read once by the action server.

Rasa sends its domain to a custom action only when the action asks for it (`enable_selective_domain`
in endpoints.yml; domain/core.yml names the actions that ask): the whole domain, 146 kB of JSON,
went with every hand offer and cost a Rasa instance ~8 % of its CPU (issue 14, docs/measurements.md).
What the hand offer and the audience answer need from it – which answers exist, which are written
per audience – is read here instead, from the same files the model is trained from (the image and
`make run` train from them)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List

import yaml

DOMAIN_DIR = Path(__file__).resolve().parent.parent / "domain"


@lru_cache(maxsize=None)
def responses() -> Dict[str, List[dict]]:
    """Every response of the domain: name → its variations."""
    found: Dict[str, List[dict]] = {}
    for path in sorted(DOMAIN_DIR.rglob("*.yml")):
        found.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return found


def has_audience_variations(response_variations: List[dict]) -> bool:
    """True when a Rasa response is written differently per audience (a condition on `audience`)."""
    return any(condition.get("name") == "audience"
               for variation in response_variations or []
               for condition in variation.get("condition") or [])


@lru_cache(maxsize=None)
def written_per_audience() -> FrozenSet[str]:
    """The names of the responses written per audience."""
    return frozenset(name for name, variations in responses().items() if has_audience_variations(variations))
