"""`make topics`: write what follows from the catalogue (content/topics.yml), so that a topic is
declared in one place.

* domain/topics.yml     – the content topics as intents (only the `distress` entity shapes the dialogue);
* data/rules/topics.yml – one rule per topic: the answer `utter_<id>`, then `action_offer_hand`; and
  one for a message told in distress (entity `distress`, bot/nlu/distress_detector.py): first
  `utter_acknowledge_distress`, then the same (not inside the reflection: that answers on its own);
* the marked lists of the topics answered inside the reflection – the content topics and
  `questions.also_answered` of content/reflection.yml – in domain/reflection.yml (not_intent) and
  data/rules/reflection.yml (the rule «a question inside the reflection»). A marked list lies
  between `# >>> answered inside the reflection: "<line with {id}>"` and `# <<<`.

`python scripts/topics.py --check` writes nothing and exits 1 when a file is out of date;
tests/test_catalogue.py does the same check. The answers, NLU examples and suggestions are written
by hand; the catalogue test names any that a topic lacks.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parent.parent
GENERATED = "# Written by `make topics` (scripts/topics.py) from content/topics.yml – do not edit; edit the catalogue."
MARKED_FILES = ("domain/reflection.yml", "data/rules/reflection.yml")
_BEGIN = re.compile(r'^(?P<indent>\s*)# >>> answered inside the reflection: "(?P<line>[^"]*)"\s*$')
_END = re.compile(r"^\s*# <<<\s*$")


def _yaml(relative: str):
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


def topic_ids() -> List[str]:
    return [topic["id"] for topic in _yaml("content/topics.yml")["content"]]


def answered_inside_reflection() -> List[str]:
    return topic_ids() + list(_yaml("content/reflection.yml")["questions"]["also_answered"])


def domain_intents() -> str:
    lines = [GENERATED, 'version: "3.1"', "", "# The content topics (the conversation intents are in domain/core.yml).",
             "intents:"]
    # The dialogue looks at one entity only for these intents: `distress` (the rules below). The
    # language and audience entities fill their slots all the same.
    lines += [f"  - {topic}:\n      use_entities: [distress]" for topic in topic_ids()]
    return "\n".join(lines) + "\n"


def rules() -> str:
    lines = [GENERATED, 'version: "3.1"', "",
             "# One rule per topic: answer from the source, then (if the topic has a hand) a suggestion.",
             "# Told in distress (entity `distress`): a few words that acknowledge it come first.", "rules:"]
    for topic in topic_ids():
        lines += [f"- rule: answer {topic}", "  steps:", f"  - intent: {topic}", f"  - action: utter_{topic}",
                  "  - action: action_offer_hand"]
        lines += [f"- rule: answer {topic} – told in distress, acknowledged first", "  condition:",
                  "  - active_loop: null", "  steps:", f"  - intent: {topic}", "    entities:",
                  '    - distress: "true"', "  - action: utter_acknowledge_distress",
                  f"  - action: utter_{topic}", "  - action: action_offer_hand"]
    return "\n".join(lines) + "\n"


def fill_marked(text: str, ids: List[str]) -> str:
    """`text` with every marked list replaced by one line per id, at the marker's indentation."""
    out: List[str] = []
    lines = iter(text.splitlines(keepends=True))
    for line in lines:
        out.append(line)
        begin = _BEGIN.match(line)
        if not begin:
            continue
        for inner in lines:
            if _END.match(inner):
                out += [begin["indent"] + begin["line"].format(id=i) + "\n" for i in ids]
                out.append(inner)
                break
        else:
            raise ValueError(f"a `# >>>` marker without its `# <<<`: {line.strip()}")
    return "".join(out)


def expected_files() -> Dict[str, str]:
    """{relative path: the text it must have}."""
    files = {"domain/topics.yml": domain_intents(), "data/rules/topics.yml": rules()}
    answered = answered_inside_reflection()
    for relative in MARKED_FILES:
        text = (ROOT / relative).read_text(encoding="utf-8")
        if "# >>> answered inside the reflection" not in text:
            raise ValueError(f"{relative} has lost its `# >>> answered inside the reflection` marker")
        files[relative] = fill_marked(text, answered)
    return files


def stale_files() -> List[str]:
    return [relative for relative, text in expected_files().items()
            if not (ROOT / relative).exists() or (ROOT / relative).read_text(encoding="utf-8") != text]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file is out of date")
    args = parser.parse_args()
    stale = stale_files()
    if args.check:
        for relative in stale:
            print(f"{relative} is out of date with content/topics.yml – run `make topics`")
        return 1 if stale else 0
    expected = expected_files()
    for relative in stale:
        (ROOT / relative).write_text(expected[relative], encoding="utf-8")
        print(f"wrote {relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
