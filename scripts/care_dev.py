"""Issue 10: the care dev set (tests/crisis/care_dev/, never trained on) through a trained model's
crisis decision – pattern floor + crisis detector, as the bot decides without a topic guess.

    .venv/bin/python scripts/care_dev.py [models/trygg-havn.tar.gz]

Prints, per language, how many everyday care actions get the safety question (possible or sure)
and how many real dangers in the same words still do – anywhere, and at the reflection's prøvehandling
step, where a detector-only *possible* that the care-aware detector (when the model has one) takes for
everyday care is not asked about (actions/crisis.py)."""
from __future__ import annotations

import sys
import tarfile
import tempfile
from pathlib import Path

import joblib
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bot.nlu.crisis_decision import decide  # noqa: E402
from bot.nlu.crisis_patterns import load_patterns  # noqa: E402

DEV_DIR = REPO_ROOT / "tests" / "crisis" / "care_dev"


def load_detector(archive: Path, filename: str = "/crisis_detector.joblib"):
    """The stored detector (None when the model has no such file)."""
    with tarfile.open(archive) as tar, tempfile.TemporaryDirectory() as tmp:
        member = next((m for m in tar.getmembers() if m.name.endswith(filename)), None)
        if member is None:
            return None
        tar.extract(member, tmp)
        return joblib.load(Path(tmp) / member.name)


def main() -> None:
    paths = [a for a in sys.argv[1:] if a != "-v"]
    archive = Path(paths[0]) if paths else REPO_ROOT / "models" / "trygg-havn.tar.gz"
    detector, patterns = load_detector(archive), load_patterns()
    care_detector = load_detector(archive, "/crisis_care_detector.joblib")
    verbose = "-v" in sys.argv
    for path in sorted(DEV_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        lang = data["language"]
        for group in ("care", "danger"):
            texts = data[group]
            asked = at_step = 0
            for text in texts:
                d = decide(text, patterns, detector, care_detector=care_detector)
                asked += d.tier is not None
                at_step += d.tier is not None and not d.everyday_care
                if verbose and ((group == "care") == (d.tier is not None and not d.everyday_care)):
                    print(f"    [{lang} {group} {d.tier} {detector.score(text):.3f}] {text}")
            print(f"{lang} {group:6}: safety question on {asked}/{len(texts)}; at the prøvehandling step {at_step}")
    print(f"thresholds: possible {detector.thresholds.possible:.3f}, sure {detector.thresholds.sure:.3f}")


if __name__ == "__main__":
    main()
