"""The password policy, Argon2 hashing, and how both show up when an admin sets a password."""

from __future__ import annotations

import httpx
import pytest
from argon2 import PasswordHasher

from app.accounts import passwords
from app.accounts import services as accounts
from app.accounts.passwords import (
    DUMMY_HASH,
    MAX_LENGTH,
    MIN_LENGTH,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from app.accounts.services import AccountError
from app.audit import CLI_ACTOR
from app.enums import Role
from app.tables import Account
from tests.conftest import PASSWORD, PRODUCTION_HASHER, make_person, post_form, sign_in

JANE_EMAIL = "jane.okoro@testshire.example"
JANE = (JANE_EMAIL, "Jane Okoro")
GOOD = "Marmalade orbit tundra fiddle"


# --- the policy --------------------------------------------------------------------------------


def test_good_passphrase_is_accepted():
    assert password_problem(GOOD, user_inputs=JANE) is None
    assert password_problem(PASSWORD, user_inputs=JANE) is None


def test_password_shorter_than_twelve_characters_is_refused():
    assert MIN_LENGTH == 12
    assert password_problem("Xq7#mB2!vL9", user_inputs=JANE) == "Password must be 12 characters or more"
    assert password_problem("Xq7#mB2!vL9k", user_inputs=JANE) is None


LONG_PASSPHRASE = (
    "When the kettle sang at dawn, seven herons crossed the marsh towards Ambleside; "
    "nobody counted the lanterns, yet forty-two remained lit beside the quiet harbour wall at Kirkby Stephen "
    "until the ferry from Windermere came."
)


def test_password_longer_than_two_hundred_characters_is_refused():
    assert MAX_LENGTH == 200
    assert len(LONG_PASSPHRASE) > 200

    assert password_problem(LONG_PASSPHRASE, user_inputs=JANE) == "Password must be 200 characters or fewer"
    assert password_problem(LONG_PASSPHRASE[:200], user_inputs=JANE) is None


@pytest.mark.parametrize("length", [72, 73, 100, 199, 200])
def test_long_passphrases_up_to_the_limit_are_checked_without_error(length):
    assert password_problem(LONG_PASSPHRASE[:length], user_inputs=JANE) is None


@pytest.mark.parametrize(
    "common", ["password1234", "Password123!", "qwertyuiop123", "iloveyou2024", "123456789012"]
)
def test_common_password_is_refused_however_long(common):
    problem = password_problem(common, user_inputs=JANE)

    assert problem is not None
    assert problem.startswith("Choose a password that is harder to guess")


@pytest.mark.parametrize("repeated", ["aaaaaaaaaaaaaaaa", "abcabcabcabcabc", "121212121212121212"])
def test_repeated_characters_are_refused(repeated):
    problem = password_problem(repeated, user_inputs=JANE)

    assert problem is not None
    assert "harder to guess" in problem
    assert "repeats" in problem


@pytest.mark.parametrize(
    "contains_her",
    [
        "jane.okoro@testshire.example",
        "jane.okoro@testshire.example!!",
        "JaneOkoro2024!",
        "Jane Okoro rides bikes 4ever",
        "my name is jane-okoro, ok?",
    ],
)
def test_password_containing_the_persons_email_or_name_is_refused(contains_her):
    problem = password_problem(contains_her, user_inputs=JANE)

    assert problem is not None


def test_name_rule_applies_only_to_the_person_the_password_is_for():
    assert password_problem("JaneOkoro rides bikes 4ever", user_inputs=JANE) is not None
    assert (
        password_problem("JaneOkoro rides bikes 4ever", user_inputs=("sam.patel@x.example", "Sam Patel"))
        is None
    )


def test_problem_messages_are_sentences_a_person_can_act_on():
    problems = [
        password_problem("short", user_inputs=JANE),
        password_problem("password1234", user_inputs=JANE),
        password_problem("JaneOkoro2024!", user_inputs=JANE),
    ]
    for problem in problems:
        assert problem is not None
        assert problem[0].isupper()
        assert not problem.endswith(".")
        assert "score" not in problem.lower()


# --- hashing -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def production_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rest of the suite hashes cheaply (see tests/conftest.py); these tests use the real settings."""
    monkeypatch.setattr(passwords, "_hasher", PRODUCTION_HASHER)


def test_production_hashes_with_argon2id_at_the_rfc_9106_low_memory_profile():
    hashed = hash_password(GOOD)

    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PRODUCTION_HASHER.memory_cost == 65536 and PRODUCTION_HASHER.time_cost == 3


def test_hash_is_argon2id_and_verifies_only_the_same_password():
    hashed = hash_password(GOOD)

    assert hashed.startswith("$argon2id$")
    assert GOOD not in hashed
    assert verify_password(hashed, GOOD)
    assert not verify_password(hashed, GOOD.lower())
    assert not verify_password(hashed, GOOD + " ")
    assert not verify_password(hashed, "")


def test_same_password_hashes_differently_each_time():
    assert hash_password(GOOD) != hash_password(GOOD)


def test_broken_or_foreign_hash_never_verifies():
    assert not verify_password("", GOOD)
    assert not verify_password("not a hash", GOOD)
    assert not verify_password("$2b$12$abcdefghijklmnopqrstuuQpQdRAtbgRDF7ma1RqzUs0A9mJQNb2a", GOOD)


# The first guess was the dummy hash's password when it was written in the source.
@pytest.mark.parametrize(
    "guess", ["not a real password, only for timing", "", "password", PASSWORD, GOOD, "dummy"]
)
def test_dummy_hash_used_for_unknown_emails_never_verifies(guess):
    assert DUMMY_HASH.startswith("$argon2id$")
    assert not verify_password(DUMMY_HASH, guess)


def test_hash_made_with_weaker_settings_needs_rehashing():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(GOOD)

    assert needs_rehash(weak)
    assert not needs_rehash(hash_password(GOOD))


async def test_weak_hash_is_upgraded_when_the_person_next_signs_in(client):
    staff_id = await make_person(JANE_EMAIL, Role.PROFESSIONAL)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    await Account.update({Account.password_hash: weak}).where(Account.staff == staff_id)

    assert (await sign_in(client, JANE_EMAIL)).status_code == 303

    stored = await Account.select(Account.password_hash).where(Account.staff == staff_id).first()
    assert stored is not None
    assert stored["password_hash"] != weak
    assert not needs_rehash(stored["password_hash"])
    assert verify_password(stored["password_hash"], PASSWORD)


# --- the policy where passwords are set --------------------------------------------------------


async def test_setting_a_weak_password_is_refused_and_keeps_the_old_one():
    staff_id = await make_person(JANE_EMAIL, Role.PROFESSIONAL, name="Jane Okoro")
    before = await Account.select(Account.password_hash).where(Account.staff == staff_id).first()

    with pytest.raises(AccountError, match="name or email"):
        await accounts.set_password(staff_id=staff_id, password="JaneOkoro2024!", actor=CLI_ACTOR)

    after = await Account.select(Account.password_hash).where(Account.staff == staff_id).first()
    assert after == before


async def test_admin_sees_the_policy_problem_beside_the_password_field(client, signed_in_as):
    await signed_in_as(Role.ADMIN)
    staff_id = await make_person(JANE_EMAIL, Role.PROFESSIONAL, name="Jane Okoro")
    path = f"/admin/staff/{staff_id}/access"

    response = await post_form(client, path, {"roles": ["professional"], "password": "password1234"})

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert '<a href="#password">Choose a password that is harder to guess' in response.text
    assert "password1234" not in response.text
    assert verify_password(
        (await Account.select(Account.password_hash).where(Account.staff == staff_id).first())[
            "password_hash"
        ],
        PASSWORD,
    )


async def test_admin_can_set_a_long_passphrase(client, signed_in_as):
    await signed_in_as(Role.ADMIN)
    jane_id = await make_person(JANE_EMAIL, Role.PROFESSIONAL, name="Jane Okoro")
    passphrase = LONG_PASSPHRASE[:150]

    response = await post_form(
        client, f"/admin/staff/{jane_id}/access", {"roles": ["professional"], "password": passphrase}
    )

    assert response.status_code == 303
    stored = await Account.select(Account.password_hash).where(Account.staff == jane_id).first()
    assert stored is not None
    assert verify_password(stored["password_hash"], passphrase)


async def test_password_set_by_an_admin_is_the_one_that_signs_in(app, client, signed_in_as):
    await signed_in_as(Role.ADMIN)
    jane_id = await make_person(JANE_EMAIL, Role.PROFESSIONAL, name="Jane Okoro")

    response = await post_form(
        client, f"/admin/staff/{jane_id}/access", {"roles": ["professional"], "password": GOOD}
    )

    assert response.status_code == 303
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as janes:
        assert (await sign_in(janes, JANE_EMAIL, PASSWORD)).status_code == 400
        assert (await sign_in(janes, JANE_EMAIL, GOOD)).status_code == 303
