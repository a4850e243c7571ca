"""How the crisis detector's thresholds are chosen from out-of-fold scores (bot/nlu/crisis_detector.py):
each clearly detected language gets its own *possible* threshold, never at the cost of any
language's recall, and a message of unclear language gets the lowest one."""
from __future__ import annotations

import numpy as np

from bot.nlu.crisis_detector import Example, Thresholds, choose_thresholds, example_weights, load_corpus


def _set(crisis_scores, lang, detected, ordinary_scores=()):
    examples = [Example(text=f"c{lang}{i}", kind="medical", lang=lang) for i in range(len(crisis_scores))]
    examples += [Example(text=f"o{lang}{i}", kind=None, lang=lang, ordinary=True) for i in range(len(ordinary_scores))]
    return examples, list(crisis_scores) + list(ordinary_scores), [detected] * (len(crisis_scores) + len(ordinary_scores))


def _choose(parts, target=0.9):
    examples, scores, detected = [], [], []
    for e, s, d in parts:
        examples += e
        scores += s
        detected += d
    return choose_thresholds(np.array(scores), examples, target, 0.0, None, detected), examples, np.array(scores), detected


def _recall(thresholds: Thresholds, examples, scores, detected, lang):
    mine = [i for i, e in enumerate(examples) if e.is_crisis and e.lang == lang]
    return np.mean([scores[i] >= thresholds.possible_for(detected[i]) for i in mine])


def test_a_language_whose_crises_score_high_is_not_held_to_the_other_ones_lowest_score():
    nb = _set(np.linspace(0.05, 0.95, 20), "nb", "nb", ordinary_scores=[0.3] * 10)
    da = _set(np.linspace(0.40, 0.95, 20), "da", "da", ordinary_scores=[0.3] * 10)
    thresholds, examples, scores, detected = _choose([nb, da])
    assert thresholds.possible_for("da") > 0.3 > thresholds.possible_for("nb")  # da's ordinary worries pass
    assert thresholds.possible_for(None) == thresholds.possible == min(thresholds.possible_by_lang.values())
    for lang in ("nb", "da"):
        assert _recall(thresholds, examples, scores, detected, lang) >= 0.9


def test_the_split_never_costs_a_labelled_language_its_recall():
    # English crisis messages, some detected as Danish, score low: da's threshold must come down for them.
    da = _set(np.linspace(0.60, 0.95, 30), "da", "da")
    en_as_da = _set([0.10, 0.12, 0.14, 0.16], "en", "da")
    en_unclear = _set([0.5] * 6, "en", None)
    thresholds, examples, scores, detected = _choose([da, en_as_da, en_unclear])
    assert _recall(thresholds, examples, scores, detected, "en") >= 0.9
    assert _recall(thresholds, examples, scores, detected, "da") >= 0.9


def test_without_detected_languages_there_is_one_threshold():
    nb = _set(np.linspace(0.05, 0.95, 20), "nb", None)
    da = _set(np.linspace(0.40, 0.95, 20), "da", None)
    thresholds, *_ = _choose([nb, da])
    assert thresholds.possible_by_lang == {} and thresholds.possible_for("da") == thresholds.possible


def test_an_uncredited_rule_fires_but_is_not_counted_when_the_threshold_is_chosen():
    from bot.nlu.crisis_patterns import credited, find_crisis, load_patterns
    rules = load_patterns()
    text = "han er 14 og utsatt for sextortion, de krever penger"
    assert find_crisis(text, rules) is not None  # the user still gets the crisis answer
    assert find_crisis(text, credited(rules)) is None  # the threshold choice does not lean on it
    assert 0 < len(rules) - len(credited(rules)) < len(rules)


def test_everyday_care_is_a_hard_negative_with_a_weight_of_its_own(tmp_path):
    (tmp_path / "nb_care.yml").write_text(
        'language: nb\ncare: ["jeg tar ham på fanget i levering"]\nordinary: ["farfar døde i går"]\n'
        'crisis: {medical: ["han puster ikke"]}\n', encoding="utf-8")
    examples = load_corpus(tmp_path)
    care = next(e for e in examples if e.care)
    assert not care.is_crisis and care.ordinary and care.lang == "nb"
    weights = dict(zip([e.text for e in examples], example_weights(examples, ordinary_weight=4, care_weight=2)))
    assert weights == {"han puster ikke": 1.0, "farfar døde i går": 4.0, "jeg tar ham på fanget i levering": 2.0}
    assert list(example_weights(examples, ordinary_weight=4)) == [1.0, 4.0, 4.0]  # no care weight: as ordinary
