"""GOV.UK Frontend components our templates write out instead of calling their macros (which cost more
than the rest of a row in a list): the markup must stay GOV.UK's, so an upgrade that changes it is seen."""

from __future__ import annotations

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
