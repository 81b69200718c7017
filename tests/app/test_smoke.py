import gc

from app.database import close_pool, open_pool
from app.enums import Role
from tests.conftest import make_person, sign_in


async def test_health_answers_without_sign_in(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_admin_signs_in_and_sees_people(client):
    await make_person("admin@testshire.example", Role.ADMIN)
    response = await sign_in(client, "admin@testshire.example")
    assert response.status_code == 303
    page = await client.get("/admin/staff")
    assert page.status_code == 200
    assert "admin@testshire.example" in page.text


async def test_the_server_freezes_what_it_made_at_start_up(app):
    # The objects made at start-up live as long as the process: frozen, full garbage collections do not
    # walk them again and again while requests wait.
    gc.unfreeze()
    await close_pool()  # the lifespan opens (and closes) the pool itself, as when the server runs
    try:
        async with app.lifespan():  # in this event loop, as the server starts and stops it
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # the other tests' objects come and go as usual
        await open_pool()  # the pool the tests share
