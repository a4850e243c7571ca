"""The production stack against the real services: two Rasa instances sharing PostgreSQL (tracker
store) and Redis (lock store), the action server on PostgreSQL, and the public web entry.

Scale-out (50 conversations × 10 turns, turns alternating between the instances), concurrent
turns of one conversation, faults (action server down, PostgreSQL restarted during a save, one
Rasa instance killed) and bad input fuzzed through the public entry. Without PostgreSQL/Redis these
tests skip visibly; under REQUIRE_SERVICES=1 (CI) they must run.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections import Counter

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import need_service
from tests.stack import SAMPLE_QUESTIONS as QUESTIONS, ProductionStack

CONVERSATIONS, TURNS = 50, 10


@pytest.fixture(scope="module")
def stack(tmp_path_factory, postgres_url, redis_url):
    with ProductionStack(tmp_path_factory.mktemp("stack"), postgres_url, redis_url, instances=2) as running:
        yield running


def rest(url: str, sender: str, message: str, language: str | None = None, timeout: float = 60) -> list[dict]:
    response = httpx.post(f"{url}/webhooks/rest/webhook", timeout=timeout,
                          json={"sender": sender, "message": message, "metadata": {"language": language}})
    assert response.status_code == 200, response.text
    return response.json()


def first_texts(replies: list[dict]) -> str:
    return next((r["text"] for r in replies if r.get("text")), "")


def tracker_events(stack: ProductionStack, sender: str) -> list[dict]:
    engine = create_engine(stack.database_url, future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                                {"s": sender}).all()
    finally:
        engine.dispose()
    return [dict(json.loads(data), event=type_name) for type_name, data in rows]


class WebVisitor:
    """A visitor of the public entry: a signed session and /api/chat, as the widget does it."""

    def __init__(self, stack: ProductionStack, language: str):
        self.url, self.language = stack.web_url, language
        self.session = httpx.post(f"{self.url}/api/session", timeout=10).json()["session"]

    def say(self, message: str) -> httpx.Response:
        return httpx.post(f"{self.url}/api/chat", timeout=90,
                          json={"session": self.session, "message": message, "language": self.language})

    def replies(self, message: str) -> list[dict]:
        response = self.say(message)
        assert response.status_code == 200, response.text
        return response.json()["replies"]


# ---- scale-out --------------------------------------------------------------------------------


def test_fifty_conversations_alternating_between_two_instances_lose_nothing(stack):
    # What each question is answered with, asked once in a fresh conversation.
    expected = {q: first_texts(rest(stack.rasa_urls[0], f"calibrate-{uuid.uuid4().hex}", q, lang))
                for lang, qs in QUESTIONS.items() for q in qs}
    assert all(expected.values()) and len(set(expected.values())) == len(expected), "distinct answers"

    async def conversation(client: httpx.AsyncClient, number: int) -> tuple:
        language = "nb" if number % 2 == 0 else "da"
        sender = f"scale-{number}-{uuid.uuid4().hex[:8]}"
        sent, answers = [], []
        for turn in range(TURNS):
            question = QUESTIONS[language][(number + turn) % len(QUESTIONS[language])]
            url = stack.rasa_urls[turn % 2]  # consecutive turns on different instances
            response = await client.post(f"{url}/webhooks/rest/webhook",
                                         json={"sender": sender, "message": question, "metadata": {"language": language}})
            assert response.status_code == 200
            sent.append(question)
            answers.append(response.json())
        return sender, sent, answers

    async def run_all():
        async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=CONVERSATIONS)) as client:
            return await asyncio.gather(*(conversation(client, n) for n in range(CONVERSATIONS)))

    started = time.time()
    results = asyncio.run(run_all())
    elapsed = time.time() - started
    print(f"\n{CONVERSATIONS * TURNS} turns in {elapsed:.1f} s over 2 instances")

    for sender, sent, answers in results:
        for question, replies in zip(sent, answers):
            assert first_texts(replies) == expected[question], "every turn answered, with its own answer"
        events = tracker_events(stack, sender)
        user_texts = [e["text"] for e in events if e["event"] == "user"]
        assert user_texts == sent, "every user turn stored once, in order"
        # (the REST channel sends each paragraph of a bot message as its own reply)
        stored = "\n\n".join(e["text"] for e in events if e["event"] == "bot" and e.get("text"))
        delivered = "\n\n".join(r["text"] for replies in answers for r in replies if r.get("text"))
        assert stored == delivered, "no bot event lost or doubled"
        stamps = Counter((e["event"], e.get("timestamp"), e.get("name"), e.get("text")) for e in events)
        assert max(stamps.values()) == 1, "no event stored twice"


def test_two_messages_of_one_conversation_at_once_on_two_instances_are_serialised(stack):
    for _ in range(5):  # several rounds: the lock hand-over between instances is where races live
        sender = f"lock-{uuid.uuid4().hex}"
        rest(stack.rasa_urls[0], sender, "hei", "nb")
        questions = ["hva er tilknytning", "hva er mentalisering"]
        results = {}

        def send(index: int) -> None:
            results[index] = rest(stack.rasa_urls[index], sender, questions[index], "nb")

        threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(results.get(i) for i in range(2)), "both answered"
        events = tracker_events(stack, sender)
        # Each user message is followed by its own answers before the next user message.
        turns, current = [], None
        for event in events:
            if event["event"] == "user":
                current = [event["text"]]
                turns.append(current)
            elif current is not None and event["event"] == "bot":
                current.append(event["text"])
        assert sorted(t[0] for t in turns[1:]) == sorted(questions)
        for turn in turns[1:]:
            index = questions.index(turn[0])
            delivered = "\n\n".join(r["text"] for r in results[index] if r.get("text"))
            assert "\n\n".join(t for t in turn[1:] if t) == delivered, "no interleaving of the two turns"


# ---- bad input through the public entry --------------------------------------------------------


def test_public_entry_fuzzed_with_bad_input_never_fails(stack):
    from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

    visitor = WebVisitor(stack, "nb")
    client = httpx.Client(base_url=stack.web_url, timeout=90)
    bodies = st.one_of(
        st.text(max_size=300).map(lambda t: json.dumps({"session": visitor.session, "message": t, "language": "nb"})),
        st.text(max_size=200),  # not JSON
        st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
        st.just(json.dumps({"session": visitor.session, "message": "x" * 100_000})),  # huge
        st.just("[1, 2, 3]"), st.just('{"session": 5, "message": {"a": 1}}'),
        st.text(min_size=1, max_size=80).map(lambda forged: json.dumps({"session": forged, "message": "hei"})),
    )
    seen = Counter()

    @hsettings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=bodies, content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
    def fuzz(body, content_type):
        headers = {"content-type": content_type} if content_type else {}
        response = client.post("/api/chat", content=body.encode("utf-8", "surrogatepass"), headers=headers)
        seen[response.status_code] += 1
        assert response.status_code < 500, response.text
        payload = response.json()
        if response.status_code == 200:
            assert payload["replies"] and all(r.get("text") or r.get("buttons") for r in payload["replies"])
        else:
            assert payload["message"], "every refusal is explained"

    try:
        fuzz()
        forged = client.post("/api/chat", json={"session": visitor.session[:-2] + "xx", "message": "hei"})
        assert forged.status_code == 401, "a forged session id is rejected"
        assert visitor.replies("hva er tilknytning"), "and the real visitor is still answered"
    finally:
        client.close()
    print(f"\nfuzz status codes: {dict(seen)}")


# ---- limits shared by two web instances ----------------------------------------------------------


def test_rate_limits_are_shared_by_two_web_instances(stack, redis_url):
    """Behind the proxy, two web instances count in one Redis: a session or an address that reached
    its limit on one instance is refused on the other too (RATE_LIMIT_STORAGE_URL)."""
    import random

    counters = redis_url.rsplit("/", 1)[0] + "/2"  # as in docker-compose.yml: db 2
    limits = {"RATE_LIMIT_STORAGE_URL": counters, "WEB_RATE_PER_SESSION": "4", "WEB_RATE_PER_IP": "6",
              "FORWARDED_ALLOW_IPS": "127.0.0.1"}  # the test plays the proxy
    webs = [stack.add_web(limits), stack.add_web(limits)]
    rng = random.Random()

    def net() -> str:  # a fresh /64 of the documentation prefix: its own count
        return f"2001:db8:{rng.randrange(1, 0xffff):x}:{rng.randrange(1, 0xffff):x}"

    with httpx.Client(timeout=90) as client:
        # per session: 4 messages a minute, alternating between the instances, then refused on both
        session = client.post(f"{webs[0]}/api/session", headers={"x-forwarded-for": f"{net()}::1"}).json()["session"]
        codes = [client.post(f"{webs[i % 2]}/api/chat", headers={"x-forwarded-for": f"{net()}::1"},
                             json={"session": session, "message": "hva er tilknytning", "language": "nb"}).status_code
                 for i in range(6)]
        assert codes == [200, 200, 200, 200, 429, 429], codes

        # per client address (IPv6 by /64): 6 a minute, counted across both instances and addresses
        household = net()
        codes = [client.post(f"{webs[i % 2]}/api/session", headers={"x-forwarded-for": f"{household}::{i + 1:x}"}).status_code
                 for i in range(8)]
        assert codes == [200] * 6 + [429, 429], codes
        refused = client.post(f"{webs[1]}/api/session", headers={"x-forwarded-for": f"{household}::99"})
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
        assert "for raskt" in refused.json()["message"]
        assert client.post(f"{webs[1]}/api/session", headers={"x-forwarded-for": f"{net()}::1"}).status_code == 200, \
            "another household is not affected"


# ---- faults -------------------------------------------------------------------------------------


def test_action_server_down_gives_a_friendly_retry_and_recovers(stack):
    visitor = WebVisitor(stack, "nb")
    assert visitor.replies("hva er tilknytning")
    stack.stop_actions()
    try:
        response = visitor.say("vis prøvehandlingene mine")
        assert response.status_code == 503
        assert response.json()["message"] == "Jeg kan ikke svare akkurat nå – prøv igjen om et minutt."
        assert response.headers.get("retry-after") == "60"
    finally:
        stack.start_actions()
    assert "ingen lagrede" in "\n".join(r.get("text", "") for r in visitor.replies("vis prøvehandlingene mine"))


def _restart_postgres() -> None:
    clusters = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", clusters[-1], "main", "restart"],
                   check=True, capture_output=True, timeout=120)


def _can_restart_postgres() -> bool:
    return os.geteuid() == 0 and shutil.which("pg_ctlcluster") is not None and os.path.isdir("/etc/postgresql")


def _saved_rows(stack: ProductionStack) -> int:
    for _ in range(60):
        try:
            engine = create_engine(stack.database_url, future=True)
            try:
                with engine.connect() as conn:
                    return conn.execute(text("SELECT count(*) FROM trial_actions")).scalar_one()
            finally:
                engine.dispose()
        except Exception:
            time.sleep(1)  # still restarting
    raise AssertionError("PostgreSQL did not come back")


def test_postgres_restart_during_a_save_is_saved_or_told_never_lost(stack):
    need_service(_can_restart_postgres(), "restarting PostgreSQL needs root and pg_ctlcluster")
    visitor = WebVisitor(stack, "nb")
    replies = visitor.replies("hvorfor er det bra å klemme barn")
    save = next(b["payload"] for r in replies for b in r.get("buttons", []) if "trial_action_save" in b["payload"])
    before = _saved_rows(stack)

    restart = threading.Thread(target=_restart_postgres)
    restart.start()
    time.sleep(0.2)  # the save arrives while PostgreSQL goes down and comes back
    response = visitor.say(save)
    restart.join()
    saved_text = "Lagret som prøvehandling"
    told = response.status_code == 503 or "fikk ikke lagret" in response.text
    assert response.status_code in (200, 503)
    assert (saved_text in response.text) or told, "either saved or the user is told"
    print(f"\nsave during the PostgreSQL restart: {'saved' if saved_text in response.text else 'user told to retry'}")
    if saved_text in response.text:
        assert _saved_rows(stack) == before + 1, "'saved' means it is in the database"
    # Trying again (what the user is told to do) saves it exactly once.
    for _ in range(30):
        again = visitor.say(save)
        if again.status_code == 200 and saved_text in again.text:
            break
        time.sleep(1)
    assert saved_text in again.text
    assert _saved_rows(stack) == before + 1, "exactly one row: nothing lost, nothing doubled"


def test_killing_one_rasa_instance_the_conversation_continues_with_its_history(stack):
    visitor = WebVisitor(stack, "da")
    replies = visitor.replies("hvad er den lille hånd")
    saves = [b["payload"] for r in replies for b in r.get("buttons", []) if "trial_action_save" in b["payload"]]
    assert saves, "a suggestion to save"
    stack.kill_rasa(0)  # SIGKILL: no goodbye
    # Saving needs what was offered – a slot in the conversation's history in PostgreSQL.
    for _ in range(3):  # several turns: the round-robin would have sent some to the dead one
        saved = "\n".join(r.get("text", "") for r in visitor.replies(saves[-1]))
        assert "Gemt som prøvehandling" in saved, "saved from the history, answered in Danish"
    listing = "\n".join(r.get("text", "") for r in visitor.replies("vis mine prøvehandlinger"))
    assert "Dine prøvehandlinger" in listing and listing.count("planlagt") == 1, "one save, not three"
