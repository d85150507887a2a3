"""Console users: made with a password kept only as an argon2 hash, signing in (throttled after
failures, every attempt recorded and audited), sessions that end, and disabling."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from unitrace.registry.errors import Conflict, InvalidRequest, NotFound, Refused
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog
from unitrace.services.console_users import (
    FAILURE_WINDOW,
    FAILURES_PER_ADDRESS,
    FAILURES_PER_EMAIL,
    SESSION_IDLE,
    SESSION_LIFETIME,
    SIGN_IN_FAILED,
    SignInFailed,
    SignInThrottled,
    create_user,
    csrf_matches,
    csrf_token,
    disable_user,
    list_users,
    record_seen,
    session_of,
    sign_in,
    sign_out,
)
from unitrace.store.schema import audit_trail, console_sign_ins, console_users
from unitrace.store.unit_of_work import Database

SYSTEM = Actor("test-setup", Role.ADMIN)
PASSWORD = "a long enough password"
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
ADDRESS = "ip:0123456789abcdef"


@pytest.fixture
def users(database: Database) -> Database:
    with database.unit_of_work() as uow:
        catalog.register_party(uow, id="dist-a", name="Distributor A", role="distributor",
                               territory=("MY-14",), actor=SYSTEM)  # fmt: skip
        create_user(uow, email="Ana@Example.com", password=PASSWORD, role="admin", party=None,
                    actor=SYSTEM)  # fmt: skip
        create_user(uow, email="orders@dist-a.example", password=PASSWORD, role="distributor",
                    party="dist-a", actor=SYSTEM)  # fmt: skip
        uow.commit()
    return database


def test_a_user_is_kept_with_an_argon2_hash_and_acts_with_its_role_and_party(
    users: Database,
) -> None:
    with users.unit_of_work(read_only=True) as uow:
        listed = [(u.id, u.email, u.role, u.party, u.disabled_at) for u in list_users(uow)]
        hashes = uow.connection.execute(select(console_users.c.password_hash)).scalars().all()
        audit = uow.connection.execute(
            select(audit_trail.c.action, audit_trail.c.subject).order_by(audit_trail.c.id)
        ).all()
    assert listed == [
        (1, "ana@example.com", "admin", None, None),
        (2, "orders@dist-a.example", "distributor", "dist-a", None),
    ]
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    assert hashes[0] != hashes[1]  # salted
    assert [a for a in audit if a.action == "console_user.created"] == [
        ("console_user.created", "user:1"),
        ("console_user.created", "user:2"),
    ]
    with users.unit_of_work() as uow:
        signed = sign_in(uow, email="orders@dist-a.example", password=PASSWORD, address=ADDRESS)
    assert signed.user.actor == Actor("user:2", Role.DISTRIBUTOR, "dist-a")


@pytest.mark.parametrize(
    ("email", "password", "role", "party", "refusal", "message"),
    [
        ("no-at-sign", PASSWORD, "admin", None, InvalidRequest, "email: 'no-at-sign' is not an email address"),
        ("a@b", PASSWORD, "admin", None, InvalidRequest, "email: 'a@b' is not an email address"),
        ("a b@c.example", PASSWORD, "admin", None, InvalidRequest, "email: 'a b@c.example' is not an email address"),
        ("x@" + "d" * 250 + ".example", PASSWORD, "admin", None, InvalidRequest, None),
        ("new@example.com", PASSWORD, "owner", None, InvalidRequest, "role: 'owner' is not one of admin, line, distributor, verifier"),
        ("new@example.com", PASSWORD, "distributor", None, InvalidRequest, "party: a distributor's user must name its party"),
        ("new@example.com", PASSWORD, "distributor", "nobody", NotFound, "party: nobody is not a registered party"),
        ("new@example.com", "short", "admin", None, InvalidRequest, "password: at least 12 characters, please"),
        ("new@example.com", "x" * 1025, "admin", None, InvalidRequest, "password: at most 1024 characters"),
        ("ANA@example.com ", PASSWORD, "line", None, Conflict, "email: ana@example.com has a user already"),
    ],
)  # fmt: skip
def test_bad_users_are_refused_and_nothing_is_made(
    users: Database,
    email: str,
    password: str,
    role: str,
    party: str | None,
    refusal: type[Refused],
    message: str | None,
) -> None:
    with users.unit_of_work() as uow, pytest.raises(refusal) as refused:
        create_user(uow, email=email, password=password, role=role, party=party, actor=SYSTEM)
    if message is not None:
        assert str(refused.value) == message
    with users.unit_of_work(read_only=True) as uow:
        assert len(list_users(uow)) == 2


def _attempt(database: Database, email: str, password: str, *, at: dt.datetime,
             address: str = ADDRESS) -> str:  # fmt: skip
    """``"ok"``, or the refusal's kind and message; the attempt is committed either way."""
    with database.unit_of_work() as uow:
        try:
            sign_in(uow, email=email, password=password, address=address, at=at)
            outcome = "ok"
        except (SignInFailed, SignInThrottled) as refusal:
            outcome = f"{type(refusal).__name__}: {refusal}"
        uow.commit()
    return outcome


def test_every_failure_says_the_same_and_is_recorded_and_audited(users: Database) -> None:
    with users.unit_of_work() as uow:
        disable_user(uow, "orders@dist-a.example", actor=SYSTEM)
        uow.commit()
    outcomes = [
        _attempt(users, "ana@example.com", "wrong password!", at=T0),
        _attempt(users, "nobody@example.com", PASSWORD, at=T0),
        _attempt(users, "orders@dist-a.example", PASSWORD, at=T0),
        _attempt(users, " ANA@example.com", PASSWORD, at=T0),
    ]
    assert outcomes == [f"SignInFailed: {SIGN_IN_FAILED}"] * 3 + ["ok"]
    with users.unit_of_work(read_only=True) as uow:
        attempts = uow.connection.execute(
            select(console_sign_ins.c.email, console_sign_ins.c.succeeded).order_by(
                console_sign_ins.c.id
            )
        ).all()
        audit = uow.connection.execute(
            select(audit_trail.c.action, audit_trail.c.subject, audit_trail.c.details)
            .where(audit_trail.c.action.like("console.%"))
            .order_by(audit_trail.c.id)
        ).all()
        (ana,) = [u for u in list_users(uow) if u.email == "ana@example.com"]
    assert attempts == [
        ("ana@example.com", False),
        ("nobody@example.com", False),
        ("orders@dist-a.example", False),
        ("ana@example.com", True),
    ]
    assert [(a.action, a.subject, a.details.get("why")) for a in audit] == [
        ("console.sign_in_failed", "user:1", "wrong password"),
        ("console.sign_in_failed", "email:nobody@example.com", "no user"),
        ("console.sign_in_failed", "user:2", "disabled"),
        ("console.signed_in", "user:1", None),
    ]  # fmt: skip
    assert ana.last_sign_in_at == T0


def test_an_email_is_held_after_five_failures_even_with_the_right_password(
    users: Database,
) -> None:
    for minute in range(FAILURES_PER_EMAIL):
        assert _attempt(users, "ana@example.com", "guess", at=T0 + dt.timedelta(minutes=minute))
    held = _attempt(users, "ana@example.com", PASSWORD, at=T0 + dt.timedelta(minutes=5))
    assert held == "SignInThrottled: too many failed sign-ins: try again in 10 minutes"
    with users.unit_of_work() as uow, pytest.raises(SignInThrottled) as refused:
        sign_in(uow, email="ana@example.com", password=PASSWORD, address=ADDRESS,
                at=T0 + dt.timedelta(minutes=14, seconds=30))  # fmt: skip
    assert refused.value.retry_after == 30
    # the other user is not held; and once the window has passed, the right password works
    assert _attempt(users, "orders@dist-a.example", PASSWORD, at=T0 + dt.timedelta(minutes=6))
    assert _attempt(users, "ana@example.com", PASSWORD, at=T0 + FAILURE_WINDOW) == "ok"
    # a success starts the count again
    assert _attempt(users, "ana@example.com", "guess", at=T0 + FAILURE_WINDOW).startswith(
        "SignInFailed"
    )
    assert _attempt(users, "ana@example.com", PASSWORD, at=T0 + FAILURE_WINDOW) == "ok"


def test_an_address_trying_many_emails_is_held(users: Database) -> None:
    for n in range(FAILURES_PER_ADDRESS):
        _attempt(users, f"guess{n}@example.com", "guess", at=T0)
    assert _attempt(users, "ana@example.com", PASSWORD, at=T0).startswith("SignInThrottled")
    assert _attempt(users, "ana@example.com", PASSWORD, at=T0, address="ip:ffff") == "ok"


def test_a_session_lives_until_it_ends_idles_out_its_user_is_disabled_or_it_signs_out(
    users: Database,
) -> None:
    with users.unit_of_work() as uow:
        signed = sign_in(uow, email="ana@example.com", password=PASSWORD, address=ADDRESS, at=T0)
        other = sign_in(uow, email="ana@example.com", password=PASSWORD, address=ADDRESS, at=T0)
        uow.commit()
    assert signed.expires_at == T0 + SESSION_LIFETIME

    def live(token: str, at: dt.datetime) -> tuple[bool, bool]:
        with users.unit_of_work(read_only=True) as uow:
            session, due = session_of(uow, token, at=at)
        return session is not None, due

    minute = dt.timedelta(minutes=1)
    assert live(signed.token, T0) == (True, False)
    assert live(signed.token, T0 + minute) == (True, True)
    assert live(signed.token, T0 + SESSION_IDLE) == (False, False)
    assert live("not a session", T0) == (False, False)
    assert live("x" * 200, T0) == (False, False)
    # used now and then, it lasts until its end, and no longer
    seen = T0
    while seen + SESSION_IDLE / 2 < T0 + SESSION_LIFETIME:
        seen += SESSION_IDLE / 2
        with users.unit_of_work() as uow:
            record_seen(uow, signed.token, at=seen)
            uow.commit()
    assert live(signed.token, T0 + SESSION_LIFETIME - minute) == (True, True)
    assert live(signed.token, T0 + SESSION_LIFETIME) == (False, False)
    with users.unit_of_work() as uow:
        session, _ = session_of(uow, other.token, at=T0)
        assert session is not None
        assert session.csrf == csrf_token(other.token)
        sign_out(uow, other.token)
        uow.commit()
    assert live(other.token, T0) == (False, False)
    with users.unit_of_work() as uow:
        again = sign_in(uow, email="ana@example.com", password=PASSWORD, address=ADDRESS)
        disabled = disable_user(uow, "1", actor=SYSTEM)
        uow.commit()
    assert disabled.disabled_at is not None
    assert live(again.token, dt.datetime.now(dt.UTC)) == (False, False)


@pytest.mark.parametrize(
    ("who", "refusal", "message"),
    [
        ("99", NotFound, "user: '99' names no console user (give its id or email)"),
        ("nobody@example.com", NotFound, "user: 'nobody@example.com' names no console user (give its id or email)"),
        ("99999999999", NotFound, "user: '99999999999' names no console user (give its id or email)"),
    ],
)  # fmt: skip
def test_disabling_someone_unknown_is_refused(
    users: Database, who: str, refusal: type[Refused], message: str
) -> None:
    with users.unit_of_work() as uow, pytest.raises(refusal) as refused:
        disable_user(uow, who, actor=SYSTEM)
    assert str(refused.value) == message


def test_a_form_token_is_the_sessions_own() -> None:
    assert csrf_matches("session-1", csrf_token("session-1"))
    assert not csrf_matches("session-2", csrf_token("session-1"))
    assert not csrf_matches("session-1", None)
    assert not csrf_matches("session-1", "")
