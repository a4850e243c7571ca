"""The public web entry with the REAL bot behind it (Rasa REST + action server): a Danish
pedagogue's question through /api/chat gets the sourced Danish answer, and two visitors'
prøvehandlinger stay apart."""
from __future__ import annotations

import json

from starlette.testclient import TestClient

from trygg.settings import get_settings
from bot.web.app import create_app


def _chat(client: TestClient, session: str, message: str, language: str) -> list[dict]:
    response = client.post("/api/chat", content=json.dumps({"session": session, "message": message, "language": language}),
                           headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def test_danish_visitor_gets_sourced_answer_and_visitors_stay_apart(bot_servers, monkeypatch, tmp_path):
    monkeypatch.setenv("RASA_URLS", bot_servers.rasa_url)
    monkeypatch.setenv("TRYGG_VAR_DIR", str(tmp_path))
    with TestClient(create_app(get_settings())) as client:
        anna = client.post("/api/session").json()["session"]
        bo = client.post("/api/session").json()["session"]
        replies = _chat(client, anna, "hvad er den lille hånd", "da")
        text = "\n".join(r.get("text", "") for r in replies)
        assert "den lille hånd" in text.lower() and "Kilde: «Små børns stemmer" in text
        save = next(b for r in replies for b in r.get("buttons", []))
        assert "Gemt som prøvehandling" in "\n".join(r.get("text", "") for r in _chat(client, anna, save["payload"], "da"))
        mine = "\n".join(r.get("text", "") for r in _chat(client, anna, "vis mine prøvehandlinger", "da"))
        theirs = "\n".join(r.get("text", "") for r in _chat(client, bo, "vis mine prøvehandlinger", "da"))
        assert "Dine prøvehandlinger" in mine
        assert "ingen gemte" in theirs
