from __future__ import annotations

import uuid

import pytest

from kit.errors import NotFound
from routing.schemas import CategoryRead
from routing.service import route


def test_a_ticket_goes_to_the_group_owning_its_category() -> None:
    group = uuid.uuid4()
    cat = CategoryRead(
        id=uuid.uuid4(), key="printer", name="Printer", description="", group_id=group
    )
    decision = route(cat, cat.id)
    assert decision.group_id == group
    assert decision.assignee_id is None
    assert decision.rule == "category-owner"


def test_an_unknown_or_inactive_category_is_not_found() -> None:
    with pytest.raises(NotFound):
        route(None, uuid.uuid4())
