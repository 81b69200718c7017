"""The Jinja environment's own rules, beyond Jinja's defaults."""

from __future__ import annotations

from app.web.templating import make_environment


def test_a_dicts_keys_come_before_its_methods_and_its_methods_still_work():
    env = make_environment("Testshire County Council")
    row = {"title": "EHCP <process>", "values": [1, 2], "id": 7}

    html = env.from_string(
        "{{ row.title }}|{{ row.values | join(',') }}|{{ row.items() | list | length }}|"
        "{{ row.get('id') }}|{{ row.missing is undefined }}|{{ [1].append is defined }}"
    ).render(row=row)

    assert html == "EHCP &lt;process&gt;|1,2|3|7|True|True"
