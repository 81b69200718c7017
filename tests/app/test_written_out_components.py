"""GOV.UK Frontend components our templates write out instead of calling their macros (which cost more
than the rest of a row in a list): the markup must stay GOV.UK's, so an upgrade that changes it is seen."""

from __future__ import annotations

import re

import pytest

from app.web.templating import make_environment


@pytest.mark.parametrize(
    ("text", "classes"),
    [("Published v2", "govuk-tag--green"), ("Not sent yet: <failed> & queued", "govuk-tag--red")],
)
def test_tag_is_govuk_tag_byte_for_byte(text, classes):
    template = make_environment("Testshire County Council").from_string(
        '{% from "_tag.html" import tag %}'
        '{% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}'
        '{{ tag(text, classes) }}|{{ govukTag({"text": text, "classes": classes}) }}'
    )

    ours, theirs = template.render(text=text, classes=classes).split("|")

    assert ours == theirs
    assert "<failed>" not in ours


def _markup(html: str) -> str:
    """HTML with the white space around tags dropped: the same page to a browser."""
    return re.sub(r"\s*(<|>)\s*", r"\1", " ".join(html.split()))


@pytest.mark.parametrize(
    ("hint", "error"),
    [
        ("Choose an organisation and filter to list its teams", None),
        (None, None),
        ("The team must belong to the person's organisation", "Select a team that exists"),
        (None, "Select a team that exists"),
    ],
)
def test_select_is_govuk_select(hint, error):
    params = {
        "label": {"text": "Team"},
        "id": "team",
        "name": "team",
        "hint": {"text": hint} if hint else None,
        "errorMessage": {"text": error} if error else None,
        "items": [
            {"value": "", "text": "All teams"},
            {"value": 3, "text": "North & South", "selected": True},
        ],
    }
    template = make_environment("Testshire County Council").from_string(
        '{% from "_select.html" import select %}'
        '{% from "govuk_frontend_jinja/components/select/macro.html" import govukSelect %}'
        '{% call select("team", "Team", hint=hint, error=error) %}'
        '<option value="">All teams</option><option value="3" selected>North &amp; South</option>'
        "{% endcall %}|{{ govukSelect(params) }}"
    )

    ours, theirs = template.render(hint=hint, error=error, params=params).split("|")

    assert _markup(ours) == _markup(theirs)


# Every block layout.html fills, with something in it, and the nonce it sets.
_PAGE_BLOCKS = (
    '{% set cspNonce = "n0nce" %}'
    "{% block pageTitle %}My training - Assure{% endblock %}"
    '{% block head %}<link rel="stylesheet" href="/static/application.css">{% endblock %}'
    '{% block headIcons %}<link rel="icon" href="/static/favicon.svg">{% endblock %}'
    '{% block govukHeader %}<div class="govuk-generic-header">Council</div>{% endblock %}'
    '{% block govukServiceNavigation %}<section class="govuk-service-navigation">Menu</section>{% endblock %}'
    '{% block beforeContent %}<nav class="govuk-breadcrumbs">Home</nav>{% endblock %}'
    '{% block content %}<h1 class="govuk-heading-l">My training</h1>{% endblock %}'
    '{% block footer %}<footer class="govuk-footer">Support links</footer>{% endblock %}'
    '{% block bodyEnd %}<script type="module" src="/static/init.js"></script>{% endblock %}'
)


def test_page_is_govuk_page_template():
    env = make_environment("Testshire County Council")
    ours = env.from_string('{% extends "_page.html" %}' + _PAGE_BLOCKS).render()
    theirs = env.from_string('{% extends "govuk_frontend_jinja/template.html" %}' + _PAGE_BLOCKS).render()

    assert _markup(ours) == _markup(theirs)
    assert 'nonce="n0nce"' in ours and 'id="main-content"' in ours
