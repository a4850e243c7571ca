"""The store, on SQLite and on PostgreSQL, with the schema made by the Alembic migration.

Each PostgreSQL test gets a fresh randomly named database that is dropped afterwards, so
parallel runs never collide. Without PostgreSQL the PostgreSQL half is skipped visibly (-rs).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from trygg.keys import pseudonymous_key
from trygg.store import (
    Reflection,
    TelegramChat,
    TrialAction,
    delete_trial_action,
    TrialActionNumber,
    delete_user_data,
    downgrade,
    due_followups,
    evaluate,
    get_trial_action,
    get_trial_action_by_number,
    list_reflections,
    list_trial_actions,
    make_engine,
    mark_followup_asked,
    mark_tried,
    purge_older_than,
    save_reflection,
    save_trial_action,
    session_scope,
    sync_telegram_chat,
    telegram_followup_targets,
    upgrade,
)
from trygg.store import purge as purge_command
from trygg.store.db import VERSION_TABLE
from trygg.store.models import Base
from tests.stack import create_database, drop_database

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
ALICE = pseudonymous_key("telegram:alice-hmac", "test-secret")
BOB = pseudonymous_key("web:bob-hmac", "test-secret")


# ---- fixtures -------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, tmp_path):
    """A URL of an empty database: a SQLite file in a not-yet-existing folder, or a fresh PG database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'not-yet' / 'trygg_havn.db'}"
        return
    admin_url = request.getfixturevalue("postgres_url")
    url = create_database(admin_url, prefix="trygg_test")
    try:
        yield url
    finally:
        drop_database(admin_url, url)


@pytest.fixture
def db_url(empty_db_url):
    """The same database with the schema created by the Alembic migrations (not create_all)."""
    upgrade(empty_db_url)
    return empty_db_url


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def _plan(engine, user_key=ALICE, now=T0, **kwargs):
    fields = {"hand": "small", "action_text": "Forberede ham på samlingen", "followup_delay_days": 2}
    fields.update(kwargs)
    with session_scope(engine) as s:
        return save_trial_action(s, user_key, now=now, **fields).id


def _count(engine, model, user_key=None):
    with session_scope(engine) as s:
        stmt = select(func.count()).select_from(model)
        if user_key is not None:
            stmt = stmt.where(model.user_key == user_key)
        return s.execute(stmt).scalar_one()


# ---- schema and migrations ------------------------------------------------------------------


def test_migration_matches_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "version_table": VERSION_TABLE})
        assert compare_metadata(context, Base.metadata) == []
        tables = set(inspect(conn).get_table_names())
    assert {"trial_actions", "reflections", "telegram_chats", "trial_action_numbers", VERSION_TABLE} <= tables


def test_sqlite_parent_folder_is_created(tmp_path):
    path = tmp_path / "a" / "b" / "trygg_havn.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert path.parent.is_dir()
        upgrade(f"sqlite:///{path}")
        assert path.is_file()
        assert "trial_actions" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_downgrade_base_then_upgrade(db_url):
    eng = make_engine(db_url)
    try:
        with session_scope(eng) as s:
            save_trial_action(s, ALICE, hand="big", action_text="Sitte nær", followup_delay_days=1, now=T0)
        downgrade(db_url, "base")
        assert not {"trial_actions", "reflections"} & set(inspect(eng).get_table_names())
        upgrade(db_url)
        assert {"trial_actions", "reflections"} <= set(inspect(eng).get_table_names())
        assert _count(eng, TrialAction) == 0  # a fresh, empty schema
        _plan(eng)
        assert _count(eng, TrialAction) == 1
    finally:
        eng.dispose()


def test_migration_0003_numbers_existing_rows_per_user_in_saved_order(empty_db_url):
    """Rows saved before the per-user numbers get them from the migration: per user, in the
    order they were saved (not by id), and each user's last number is noted; downgrading to
    0002 and upgrading again gives the same numbers."""
    upgrade(empty_db_url, "0002")
    eng = make_engine(empty_db_url)
    try:
        old_rows = [(ALICE, 3, "A third"), (BOB, 1, "B first"), (ALICE, 1, "A first"), (ALICE, 2, "A second")]
        with eng.begin() as conn:
            for user_key, hour, text_ in old_rows:  # ids 1-4; Alice's first saved row has id 3
                at = (T0 + timedelta(hours=hour)).replace(tzinfo=None)
                conn.execute(text("INSERT INTO trial_actions (user_key, hand, action_text, status, created_at,"
                                  " updated_at, due_at) VALUES (:k, 'big', :t, 'planned', :at, :at, :at)"),
                             {"k": user_key, "t": text_, "at": at})
        for _ in range(2):
            upgrade(empty_db_url)
            with eng.connect() as conn:  # the raw column, as the migration left it
                numbered = conn.execute(text("SELECT user_key, user_number, action_text FROM trial_actions")).all()
            assert sorted(numbered) == sorted([(ALICE, 1, "A first"), (ALICE, 2, "A second"), (ALICE, 3, "A third"),
                                               (BOB, 1, "B first")])
            with session_scope(eng) as s:
                counters = {c.user_key: (c.last_number, c.updated_at) for c in s.execute(select(TrialActionNumber)).scalars()}
            assert counters == {ALICE: (3, T0 + timedelta(hours=3)), BOB: (1, T0 + timedelta(hours=1))}
            downgrade(empty_db_url, "0002")
            assert "user_number" not in {c["name"] for c in inspect(eng).get_columns("trial_actions")}
            assert "trial_action_numbers" not in inspect(eng).get_table_names()
        upgrade(empty_db_url)
        assert _plan(eng, user_key=BOB, action_text="B second") and _numbers(eng, BOB)[2] == "B second"
    finally:
        eng.dispose()


def test_upgrade_twice_is_harmless(db_url):
    upgrade(db_url)
    upgrade(db_url)


def test_database_rejects_invalid_values(engine):
    now = T0.replace(tzinfo=None)
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(
                TrialAction.__table__.insert().values(
                    user_key=ALICE, hand="huge", action_text="x", status="planned",
                    created_at=now, updated_at=now, due_at=now,
                )
            )
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(
                TrialAction.__table__.insert().values(
                    user_key=ALICE, hand="big", action_text="x", status="planned", outcome="great",
                    created_at=now, updated_at=now, due_at=now,
                )
            )
    assert _count(engine, TrialAction) == 0


# ---- the life of a trial action -------------------------------------------------------------


def test_save_list_mark_tried_evaluate(engine):
    action_id = _plan(engine, topic="hug_child_refuses", situation="Ved samling")
    with session_scope(engine) as s:
        [action] = list_trial_actions(s, ALICE)
        assert (action.id, action.status, action.hand) == (action_id, "planned", "small")
        assert action.topic == "hug_child_refuses"
        assert action.situation == "Ved samling"
        assert action.outcome is None and action.note is None and action.followup_asked_at is None
        assert action.created_at == T0 and action.updated_at == T0
        assert action.due_at == T0 + timedelta(days=2)
        assert action.due_at.tzinfo is not None  # aware UTC back on every database

    with session_scope(engine) as s:
        assert mark_tried(s, ALICE, action_id, now=T0 + timedelta(days=1)) is True
    with session_scope(engine) as s:
        assert mark_tried(s, ALICE, action_id) is False  # already tried: nothing changes
        action = get_trial_action(s, ALICE, action_id)
        assert action.status == "tried" and action.updated_at == T0 + timedelta(days=1)
        assert list_trial_actions(s, ALICE, status="tried")[0].id == action_id
        assert list_trial_actions(s, ALICE, status="planned") == []

    with session_scope(engine) as s:
        assert evaluate(s, ALICE, action_id, "partly", "Han satt roligere", now=T0 + timedelta(days=3)) is True
    with session_scope(engine) as s:
        action = get_trial_action(s, ALICE, action_id)
        assert (action.status, action.outcome, action.note) == ("evaluated", "partly", "Han satt roligere")
        assert action.updated_at == T0 + timedelta(days=3)
        assert mark_tried(s, ALICE, action_id) is False  # an evaluated action is not reopened


def test_list_is_newest_first(engine):
    first = _plan(engine, now=T0, action_text="første")
    second = _plan(engine, now=T0 + timedelta(hours=1), action_text="andre")
    with session_scope(engine) as s:
        assert [a.id for a in list_trial_actions(s, ALICE)] == [second, first]


def test_invalid_input_is_rejected(engine):
    with session_scope(engine) as s:
        with pytest.raises(ValueError):
            save_trial_action(s, ALICE, hand="huge", action_text="x", followup_delay_days=1)
        with pytest.raises(ValueError):
            save_trial_action(s, ALICE, hand="big", action_text="   ", followup_delay_days=1)
        with pytest.raises(ValueError):
            save_trial_action(s, "", hand="big", action_text="x", followup_delay_days=1)
    action_id = _plan(engine)
    with session_scope(engine) as s:
        with pytest.raises(ValueError):
            evaluate(s, ALICE, action_id, "great")
    assert _count(engine, TrialAction) == 1


def test_followup_delay_defaults_to_settings(engine, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_DELAY_DAYS", "5")
    with session_scope(engine) as s:
        action = save_trial_action(s, ALICE, hand="big", action_text="Sitte nær", now=T0)
        assert action.due_at == T0 + timedelta(days=5)


def test_note_is_redacted_and_at_most_500_chars(engine):
    action_id = _plan(engine)
    with session_scope(engine) as s:
        evaluate(s, ALICE, action_id, "helped", "Ring 98765432. " + "x" * 1000)
    with session_scope(engine) as s:
        note = get_trial_action(s, ALICE, action_id).note
    assert note.startswith("Ring [telefon]. xxx")
    assert len(note) == 500


# ---- follow-ups -----------------------------------------------------------------------------


def test_due_followups_and_asked_once(engine):
    due = _plan(engine, now=T0, followup_delay_days=2)
    tried = _plan(engine, now=T0, followup_delay_days=1)
    later = _plan(engine, now=T0, followup_delay_days=10)
    done = _plan(engine, now=T0, followup_delay_days=1)
    with session_scope(engine) as s:
        mark_tried(s, ALICE, tried)
        evaluate(s, ALICE, done, "helped")

    now = T0 + timedelta(days=2)
    with session_scope(engine) as s:
        assert due_followups(s, ALICE, T0 + timedelta(days=1) - timedelta(seconds=1)) == []
        assert [a.id for a in due_followups(s, ALICE, now)] == [tried, due]  # oldest due first
        assert later not in [a.id for a in due_followups(s, ALICE, now)]

    with session_scope(engine) as s:
        assert mark_followup_asked(s, due, now) is True
    with session_scope(engine) as s:
        assert mark_followup_asked(s, due, now + timedelta(hours=1)) is False  # asked only once
        assert get_trial_action(s, ALICE, due).followup_asked_at == now
        assert [a.id for a in due_followups(s, ALICE, now + timedelta(days=30))] == [tried, later]


def test_naive_now_counts_as_utc(engine):
    action_id = _plan(engine, now=T0, followup_delay_days=1)
    with session_scope(engine) as s:
        assert [a.id for a in due_followups(s, ALICE, (T0 + timedelta(days=1)).replace(tzinfo=None))] == [action_id]
        oslo = timezone(timedelta(hours=1))
        # 12:59 in Oslo is 11:59 UTC: not yet due
        assert due_followups(s, ALICE, (T0 + timedelta(days=1, minutes=-1)).astimezone(oslo)) == []


# ---- two users ------------------------------------------------------------------------------


def test_users_never_see_or_change_each_others_rows(engine):
    alice_action = _plan(engine, user_key=ALICE, action_text="Alices plan")
    bob_action = _plan(engine, user_key=BOB, action_text="Bobs plan")
    with session_scope(engine) as s:
        assert [a.id for a in list_trial_actions(s, ALICE)] == [alice_action]
        assert [a.id for a in list_trial_actions(s, BOB)] == [bob_action]
        assert get_trial_action(s, BOB, alice_action) is None
        assert [a.id for a in due_followups(s, BOB, T0 + timedelta(days=30))] == [bob_action]

    with session_scope(engine) as s:
        assert mark_tried(s, BOB, alice_action) is False
        assert evaluate(s, BOB, alice_action, "not_helped", "Bob was here") is False
        assert delete_trial_action(s, BOB, alice_action) is False
        with pytest.raises(ValueError):
            save_reflection(s, BOB, situation="x", adult_perspective="y", child_perspective="z",
                            trial_action_id=alice_action)

    with session_scope(engine) as s:
        action = get_trial_action(s, ALICE, alice_action)
        assert (action.status, action.outcome, action.note) == ("planned", None, None)
        assert action.action_text == "Alices plan"
        assert list_reflections(s, BOB) == []


def test_delete_trial_action(engine):
    keep = _plan(engine, action_text="behold")
    gone = _plan(engine, action_text="slett")
    with session_scope(engine) as s:
        reflection_id = save_reflection(s, ALICE, situation="s", adult_perspective="a", child_perspective="c",
                                        hand="small", trial_action_id=gone).id
    with session_scope(engine) as s:
        assert delete_trial_action(s, ALICE, gone) is True
    with session_scope(engine) as s:
        assert delete_trial_action(s, ALICE, gone) is False
        assert [a.id for a in list_trial_actions(s, ALICE)] == [keep]
        [reflection] = list_reflections(s, ALICE)
        assert reflection.id == reflection_id and reflection.trial_action_id is None


def test_delete_user_data_removes_everything_of_that_user_only(engine):
    for i in range(3):
        action_id = _plan(engine, user_key=ALICE, action_text=f"plan {i}")
    with session_scope(engine) as s:
        save_reflection(s, ALICE, situation="s", adult_perspective="a", child_perspective="c", hand="big",
                        trial_action_id=action_id)
        save_reflection(s, ALICE, situation="s2", adult_perspective=None, child_perspective=None)
    bob_action = _plan(engine, user_key=BOB)
    with session_scope(engine) as s:
        save_reflection(s, BOB, situation="bob", adult_perspective="a", child_perspective="c",
                        trial_action_id=bob_action)

    with session_scope(engine) as s:
        assert delete_user_data(s, ALICE) == 5
    assert _count(engine, TrialAction, ALICE) == 0
    assert _count(engine, Reflection, ALICE) == 0
    assert _count(engine, TrialAction, BOB) == 1
    assert _count(engine, Reflection, BOB) == 1
    with session_scope(engine) as s:
        assert delete_user_data(s, ALICE) == 0


# ---- the user's own numbers («nr. 1», «nr. 2» …) ---------------------------------------------


def _numbers(engine, user_key=ALICE):
    """{user_number: action_text} of the user's rows."""
    with session_scope(engine) as s:
        return {a.user_number: a.action_text for a in list_trial_actions(s, user_key)}


def _number_of(engine, action_id, user_key=ALICE):
    with session_scope(engine) as s:
        return get_trial_action(s, user_key, action_id).user_number


def test_each_user_numbers_from_1(engine):
    _plan(engine, user_key=ALICE, action_text="A1")
    _plan(engine, user_key=BOB, action_text="B1")
    _plan(engine, user_key=ALICE, action_text="A2")
    _plan(engine, user_key=BOB, action_text="B2")
    assert _numbers(engine, ALICE) == {1: "A1", 2: "A2"}
    assert _numbers(engine, BOB) == {1: "B1", 2: "B2"}
    with session_scope(engine) as s:
        bobs_1 = get_trial_action_by_number(s, BOB, 1)
        assert bobs_1.action_text == "B1" and bobs_1.id != 1, "the number is the user's, not the database id"
        assert get_trial_action_by_number(s, BOB, 3) is None
        assert get_trial_action_by_number(s, ALICE, 2).user_key == ALICE


def test_numbers_are_stable_after_deletion_and_never_given_again(engine):
    first = _plan(engine, action_text="første")
    _plan(engine, action_text="andre")
    with session_scope(engine) as s:
        assert delete_trial_action(s, ALICE, first) is True
    third = _plan(engine, action_text="tredje")
    assert _numbers(engine) == {2: "andre", 3: "tredje"}
    with session_scope(engine) as s:
        assert delete_trial_action(s, ALICE, third) is True  # the newest: its number is not freed
    _plan(engine, action_text="fjerde")
    assert _numbers(engine) == {2: "andre", 4: "fjerde"}
    _plan(engine, user_key=BOB, action_text="Bobs første")
    assert _numbers(engine, BOB) == {1: "Bobs første"}


def test_a_double_save_keeps_its_number(engine):
    with session_scope(engine) as s:
        action = save_trial_action(s, ALICE, hand="big", action_text="Sitte nær", followup_delay_days=1, now=T0)
    with session_scope(engine) as s:
        again = save_trial_action(s, ALICE, hand="big", action_text="Sitte nær", followup_delay_days=1, now=T0,
                                  same_within_seconds=600)
    assert (again.id, again.user_number) == (action.id, 1)
    assert _plan(engine) and _numbers(engine).keys() == {1, 2}


def test_delete_user_data_starts_the_numbers_again(engine):
    _plan(engine), _plan(engine)
    with session_scope(engine) as s:
        assert delete_user_data(s, ALICE) == 2  # the bookkeeping row is not counted
    assert _count(engine, TrialActionNumber) == 0
    _plan(engine, action_text="ny start")
    assert _numbers(engine) == {1: "ny start"}


def test_database_rejects_a_users_number_twice(engine):
    now = T0.replace(tzinfo=None)
    row = dict(user_key=ALICE, hand="big", action_text="x", status="planned", created_at=now, updated_at=now, due_at=now)
    with engine.begin() as conn:
        conn.execute(TrialAction.__table__.insert().values(user_number=1, **row))
        conn.execute(TrialAction.__table__.insert().values(user_number=1, **{**row, "user_key": BOB}))
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(TrialAction.__table__.insert().values(user_number=1, **row))


def test_racing_saves_of_one_user_get_different_numbers(db_url):
    """Several saves of one user at the same moment (two instances, a double tap), each in its own
    transaction on its own connection: every one gets a number of its own, 1 … n, none fails."""
    import threading

    savers, rounds = 6, 3
    engines = [make_engine(db_url) for _ in range(savers)]
    errors = []
    try:
        for round_ in range(rounds):
            barrier = threading.Barrier(savers)

            def save(eng, i):
                try:
                    barrier.wait(timeout=10)
                    with session_scope(eng) as s:
                        save_trial_action(s, ALICE, hand="big", action_text=f"plan {round_}-{i}", followup_delay_days=1)
                except Exception as error:  # reported below
                    errors.append(error)

            threads = [threading.Thread(target=save, args=(eng, i)) for i, eng in enumerate(engines)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        assert errors == []
        assert sorted(_numbers(engines[0])) == list(range(1, savers * rounds + 1))
    finally:
        for eng in engines:
            eng.dispose()


def test_racing_double_taps_save_once(db_url):
    """The same save arriving twice at once (a double tap on two instances) stores one row."""
    import threading

    engines = [make_engine(db_url) for _ in range(4)]
    barrier, numbers, errors = threading.Barrier(len(engines)), [], []

    def save(eng):
        try:
            barrier.wait(timeout=10)
            with session_scope(eng) as s:
                numbers.append(save_trial_action(s, ALICE, hand="big", action_text="Sitte nær", followup_delay_days=1,
                                                 same_within_seconds=600).user_number)
        except Exception as error:  # reported below
            errors.append(error)

    try:
        threads = [threading.Thread(target=save, args=(eng,)) for eng in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == [] and numbers == [1] * len(engines)
        assert _count(engines[0], TrialAction) == 1
    finally:
        for eng in engines:
            eng.dispose()


def test_rows_saved_by_the_previous_release_get_numbers_when_read(engine):
    """During an upgrade the previous release may still save rows without a number: they are
    numbered, after the highest, before this user is shown any number; nobody else's rows change."""
    _plan(engine, action_text="nr 1", now=T0)
    now = T0.replace(tzinfo=None)
    with engine.begin() as conn:
        for user_key, minutes, text_ in ((ALICE, 2, "old code, later"), (ALICE, 1, "old code"), (BOB, 1, "bob old")):
            at = now + timedelta(minutes=minutes)
            conn.execute(TrialAction.__table__.insert().values(
                user_key=user_key, hand="big", action_text=text_, status="planned", created_at=at, updated_at=at,
                due_at=at))
    assert _numbers(engine) == {1: "nr 1", 2: "old code", 3: "old code, later"}
    with session_scope(engine) as s:
        assert get_trial_action_by_number(s, BOB, 1).action_text == "bob old"
    _plan(engine, action_text="new code")
    assert _numbers(engine)[4] == "new code"


# ---- retention ------------------------------------------------------------------------------


def test_purge_by_retention(engine):
    now = T0 + timedelta(days=100)
    old = _plan(engine, user_key=ALICE, now=T0)  # 100 days old
    recent = _plan(engine, user_key=ALICE, now=T0 + timedelta(days=20))  # 80 days old
    bob_old = _plan(engine, user_key=BOB, now=T0 + timedelta(days=5))  # 95 days old
    with session_scope(engine) as s:
        save_reflection(s, ALICE, situation="old", adult_perspective="a", child_perspective="c",
                        trial_action_id=old, now=T0)
        # a recent reflection linked to an old action survives, unlinked
        save_reflection(s, ALICE, situation="recent", adult_perspective="a", child_perspective="c",
                        trial_action_id=old, now=T0 + timedelta(days=30))

    with session_scope(engine) as s:
        assert purge_older_than(s, 90, now) == 3  # old, bob_old and the old reflection
    with session_scope(engine) as s:
        assert [a.id for a in list_trial_actions(s, ALICE)] == [recent]
        assert list_trial_actions(s, BOB) == []
        [reflection] = list_reflections(s, ALICE)
        assert reflection.situation == "recent" and reflection.trial_action_id is None
        assert purge_older_than(s, 90, now) == 0
        assert get_trial_action(s, BOB, bob_old) is None
    with session_scope(engine) as s:  # Bob saved nothing for 90 days: his last number is forgotten too
        assert [c.user_key for c in s.execute(select(TrialActionNumber)).scalars()] == [ALICE]


def test_purge_command(db_url, monkeypatch, capsys, tmp_path):
    eng = make_engine(db_url)
    try:
        _plan(eng, user_key=ALICE, now=datetime.now(timezone.utc) - timedelta(days=40), action_text="Hemmelig plan")
        _plan(eng, user_key=BOB, now=datetime.now(timezone.utc))
        monkeypatch.setenv("TRYGG_VAR_DIR", str(tmp_path / "var"))
        monkeypatch.setenv("DATABASE_URL", db_url)
        monkeypatch.setenv("RETENTION_DAYS", "30")
        monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'no-tracker-yet.db'}")
        assert purge_command.main([]) == 0
        out = capsys.readouterr().out
        assert "deleted 1 stored rows and 0 conversation events older than 30 days" in out
        for secret in (ALICE, BOB, "Hemmelig", make_url(db_url).database or ""):
            assert secret not in out
        assert _count(eng, TrialAction, ALICE) == 0 and _count(eng, TrialAction, BOB) == 1
    finally:
        eng.dispose()


# ---- privacy of the stored text -------------------------------------------------------------


def test_free_text_is_redacted_before_it_is_stored(engine):
    action_id = _plan(engine, situation="Mor (98 76 54 32) ringte", action_text="Send til ola@example.no")
    with session_scope(engine) as s:
        save_reflection(s, ALICE, situation="fnr 01019012345", adult_perspective="cpr 010190-1234",
                        child_perspective="Ring +45 20 12 34 56", hand="both", trial_action_id=action_id)
    with engine.connect() as conn:  # read the raw rows, past the ORM
        action = conn.execute(text("SELECT situation, action_text FROM trial_actions")).one()
        reflection = conn.execute(
            text("SELECT situation, adult_perspective, child_perspective FROM reflections")
        ).one()
    assert tuple(action) == ("Mor ([telefon]) ringte", "Send til [e-post]")
    assert tuple(reflection) == ("fnr [fødselsnummer]", "cpr [cpr]", "Ring [telefon]")


def test_no_raw_sender_id_is_stored(engine):
    _plan(engine, user_key=ALICE)
    with engine.connect() as conn:
        keys = [row[0] for row in conn.execute(text("SELECT user_key FROM trial_actions"))]
    assert keys == [ALICE]
    assert "alice" not in ALICE and len(ALICE) == 64


def test_pseudonymous_key():
    key = pseudonymous_key("telegram:abc", "s1")
    assert key == pseudonymous_key("telegram:abc", "s1")
    assert len(key) == 64 and int(key, 16) >= 0
    assert key != pseudonymous_key("telegram:abd", "s1")
    assert key != pseudonymous_key("telegram:abc", "s2")
    # HMAC-SHA256 under the store's own key, derived from the secret with its label (trygg.keys) –
    # not the secret itself (that would be RFC 4231 test case 2: 5bdcc146…), and not the Telegram key
    import hashlib
    import hmac
    from bot.telegram.identity import sender_id

    store_key = hmac.new(b"Jefe", b"trygg-havn/store/user-key/v1", hashlib.sha256).digest()
    value = pseudonymous_key("what do ya want for nothing?", "Jefe")
    assert value == hmac.new(store_key, b"what do ya want for nothing?", hashlib.sha256).hexdigest()
    assert value != "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert value != sender_id("what do ya want for nothing?", "Jefe"), "one key per purpose"
    with pytest.raises(ValueError):
        pseudonymous_key("telegram:abc", "")


# ---- Telegram chats for pushed follow-ups -----------------------------------------------------


def test_telegram_chat_is_kept_only_while_a_followup_waits(engine):
    with session_scope(engine) as s:
        assert sync_telegram_chat(s, ALICE, "token-a", "nb", now=T0) is False, "nothing waits: nothing kept"
    assert _count(engine, TelegramChat) == 0
    action_id = _plan(engine, now=T0, followup_delay_days=1)
    with session_scope(engine) as s:
        assert sync_telegram_chat(s, ALICE, "token-a", "nb", now=T0) is True
        assert sync_telegram_chat(s, ALICE, "token-a2", None, now=T0) is True  # language kept
    with session_scope(engine) as s:
        chat = s.get(TelegramChat, ALICE)
        assert (chat.chat_token, chat.language) == ("token-a2", "nb")
        assert telegram_followup_targets(s, T0) == [], "not due yet"
        assert [c.user_key for c in telegram_followup_targets(s, T0 + timedelta(days=1))] == [ALICE]
        mark_followup_asked(s, action_id, T0 + timedelta(days=1))
    with session_scope(engine) as s:
        assert telegram_followup_targets(s, T0 + timedelta(days=2)) == [], "asked once, never again"
        assert sync_telegram_chat(s, ALICE, "token-a", "nb") is False
    assert _count(engine, TelegramChat) == 0, "after the follow-up the chat is forgotten"


def test_one_target_per_user_and_only_users_with_a_chat(engine):
    _plan(engine, user_key=ALICE, now=T0, followup_delay_days=1)
    _plan(engine, user_key=ALICE, now=T0, followup_delay_days=1)
    _plan(engine, user_key=BOB, now=T0, followup_delay_days=1)  # a web user: no chat
    with session_scope(engine) as s:
        sync_telegram_chat(s, ALICE, "token-a", "da", now=T0)
    with session_scope(engine) as s:
        assert [c.user_key for c in telegram_followup_targets(s, T0 + timedelta(days=2))] == [ALICE]


def test_delete_user_data_and_purge_remove_the_chat(engine):
    _plan(engine, user_key=ALICE, now=T0)
    _plan(engine, user_key=BOB, now=T0)
    with session_scope(engine) as s:
        sync_telegram_chat(s, ALICE, "token-a", "nb", now=T0)
        sync_telegram_chat(s, BOB, "token-b", "nb", now=T0 + timedelta(days=50))
    with session_scope(engine) as s:
        delete_user_data(s, ALICE)
    assert _count(engine, TelegramChat, ALICE) == 0 and _count(engine, TelegramChat, BOB) == 1
    with session_scope(engine) as s:
        purge_older_than(s, 90, now=T0 + timedelta(days=141))
    assert _count(engine, TelegramChat) == 0


def test_purge_removes_old_conversation_events_from_the_tracker_store(tmp_path):
    from bot.tracker_store import ForgettingSQLTrackerStore

    tracker_db = tmp_path / "tracker.db"
    ForgettingSQLTrackerStore(dialect="sqlite", db=str(tracker_db))  # Rasa creates its `events` table
    now = datetime.now(timezone.utc)
    eng = create_engine(f"sqlite:///{tracker_db}", future=True)
    with eng.begin() as conn:
        for sender, age_days in (("old-user", 100), ("old-user", 95), ("recent-user", 1)):
            conn.execute(text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, '{}')"),
                         {"s": sender, "t": (now - timedelta(days=age_days)).timestamp()})
    assert purge_command.purge_conversations(f"sqlite:///{tracker_db}", 90, now) == 2
    with eng.connect() as conn:
        assert conn.execute(text("SELECT sender_id FROM events")).scalars().all() == ["recent-user"]
    eng.dispose()
