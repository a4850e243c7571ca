"""Keep a trained scikit-learn object in the Rasa model archive, and read it back. Rasa glue."""
from __future__ import annotations

from typing import Any, Optional

import joblib
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def save(model_storage: ModelStorage, resource: Resource, filename: str, model: Any) -> Resource:
    with model_storage.write_to(resource) as directory:
        joblib.dump(model, directory / filename)
    return resource


def load(model_storage: ModelStorage, resource: Resource, filename: str) -> Optional[Any]:
    """The stored object, or None when the component was never trained (Rasa raises ValueError)."""
    try:
        with model_storage.read_from(resource) as directory:
            return joblib.load(directory / filename)
    except ValueError:
        return None
