"""The deployment's dagtilbud: id, name, the leader's e-mail address and language (docs/leader.md).

Read from the YAML file `settings.institutions_file` (INSTITUTIONS_FILE; in development the example
deploy/institutions.example.yml). A missing or empty setting means no institutions: nothing is
ever mailed. A broken file stops with a clear message instead of mailing the wrong person.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

import yaml

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
EMAIL_RE = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}")
LANGUAGES = ("da", "nb")


class InstitutionsFileError(ValueError):
    """The institutions file cannot be used (says which entry and why; never a whole address list)."""


@dataclass(frozen=True)
class Institution:
    id: str
    name: str
    leader_email: str
    language: str


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Tuple[Institution, ...]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    entries = data.get("institutions") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InstitutionsFileError(f"{path}: expected a list under 'institutions'")
    found: Dict[str, Institution] = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise InstitutionsFileError(f"{path}: entry {number} is not a mapping")
        ident, name = str(entry.get("id", "")).strip(), str(entry.get("name", "")).strip()
        email, language = str(entry.get("leader_email", "")).strip(), str(entry.get("language", "da")).strip()
        if not ID_RE.fullmatch(ident):
            raise InstitutionsFileError(f"{path}: entry {number}: id must be a–z, 0–9 and '-' (at most 40)")
        if ident in found:
            raise InstitutionsFileError(f"{path}: entry {number}: id {ident!r} twice")
        if not name:
            raise InstitutionsFileError(f"{path}: entry {number} ({ident}): name is missing")
        if not EMAIL_RE.fullmatch(email):
            raise InstitutionsFileError(f"{path}: entry {number} ({ident}): leader_email is not an address")
        if language not in LANGUAGES:
            raise InstitutionsFileError(f"{path}: entry {number} ({ident}): language must be da or nb")
        found[ident] = Institution(ident, name, email, language)
    return tuple(found.values())


def load_institutions(path: Optional[str]) -> Tuple[Institution, ...]:
    """Every institution of the file at `path` (none when `path` is empty)."""
    if not path:
        return ()
    file = Path(path)
    if not file.exists():
        raise InstitutionsFileError(f"INSTITUTIONS_FILE {path} does not exist")
    return _load(str(file), file.stat().st_mtime)


def institutions(settings=None) -> Tuple[Institution, ...]:
    if settings is None:
        from trygg.settings import get_settings

        settings = get_settings()
    return load_institutions(settings.institutions_file)


def find(institution_id: Optional[str], settings=None) -> Optional[Institution]:
    """The institution with this id, or None (also for an id no longer in the file)."""
    return next((i for i in institutions(settings) if i.id == institution_id), None) if institution_id else None


def for_language(language: str, settings=None) -> Tuple[Institution, ...]:
    """The institutions whose language is `language` (a Norwegian conversation sees no Danish daycares)."""
    return tuple(i for i in institutions(settings) if i.language == language)
