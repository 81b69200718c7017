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
