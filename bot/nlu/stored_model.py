"""Keep a trained scikit-learn object in the Rasa model archive, and read it back. Rasa glue."""
from __future__ import annotations

from typing import Any, Dict, Optional

import joblib
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def save(model_storage: ModelStorage, resource: Resource, filename: str, model: Any) -> Resource:
    with model_storage.write_to(resource) as directory:
        joblib.dump(model, directory / filename)
    return resource


def save_all(model_storage: ModelStorage, resource: Resource, models: Dict[str, Any]) -> Resource:
    """Several objects, one file each (`filename: object`); a None is not stored."""
    with model_storage.write_to(resource) as directory:
        for filename, model in models.items():
            if model is not None:
                joblib.dump(model, directory / filename)
    return resource


def load(model_storage: ModelStorage, resource: Resource, filename: str) -> Optional[Any]:
    """The stored object, or None when the component was never trained (Rasa raises ValueError) or the
    file was not stored."""
    try:
        with model_storage.read_from(resource) as directory:
            path = directory / filename
            return joblib.load(path) if path.exists() else None
    except ValueError:
        return None
