"""Who the bot is talking to: a foster parent, a pedagogue or a daycare leader.

The answers that are framed differently for them (the home and the foster child; the daycare and
the children's group; the leader's tasks) carry one Rasa response variation per audience; the
`audience` slot chooses it. Seeded by the channel or page, taken from the user's own words
(«jeg er fostermor», «vi er plejeforældre», «jeg jobber som pedagog»), asked once when unclear,
changeable. The words are in content/audience.yml. Pure."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

from trygg.content import load
from trygg.text import fold_words, keyword, matches_keyword

AUDIENCES = ("fosterforelder", "pedagog", "leder")


def pick_audience(value: Any) -> Optional[str]:
    """A known audience, or None (anything else a channel or a page sends is ignored)."""
    if isinstance(value, str) and value.strip().lower() in AUDIENCES:
        return value.strip().lower()
    return None


def _folded(words: List[str]) -> List[str]:
    return [keyword(w) for w in words]


@lru_cache(maxsize=1)
def _content() -> Tuple[Tuple[Tuple[str, List[str]], ...], Dict[str, List[str]]]:
    data = load("audience.yml")
    roles = tuple((audience, _folded(data["words"][audience])) for audience in AUDIENCES)
    said = {key: _folded(values) for key, values in data["self"].items()}
    return roles, said


def _says_it_of_themselves(words: List[str], at: int, said: Dict[str, List[str]], strict: bool) -> bool:
    """With `strict`, a role word at `at` counts only in «jeg/vi … er/som … <role>» with no «ikke»
    after the link: «jeg er ny fostermor», «vi er plejeforældre», «jeg jobber som pedagog», «svar meg
    som leder» – not «hva er lederens rolle» or «jeg snakket med lederen». Without (a message that is
    only about the role, «fostermor her»), any role word not just after a negation counts."""
    window = words[max(0, at - 5):at]
    if not strict:
        return not any(w in said["negation"] for w in window[-3:])
    link = max((i for i, w in enumerate(window) if w in said["link"]), default=None)
    if link is None:
        return False
    if not any(w in said["person"] for w in window[:link]):
        return False
    return not any(w in said["negation"] for w in window[link:])


def audience_named_in(text: str, strict: bool = True) -> Optional[str]:
    """The audience the writer says they are, or None. The first audience in AUDIENCES order with
    a matching word wins («pedagogisk leder» is a pedagogue). `strict`: see _says_it_of_themselves."""
    words = fold_words(text or "").split()
    roles, said = _content()
    for audience, patterns in roles:
        for at, word in enumerate(words):
            if any(matches_keyword(word, p) for p in patterns) and _says_it_of_themselves(words, at, said, strict):
                return audience
    return None
