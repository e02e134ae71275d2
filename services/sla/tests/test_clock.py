from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sla.schemas import PolicyRead
from sla.service import plan_clock

POLICY = PolicyRead(
    id=uuid.uuid4(), priority="high", response_minutes=30, resolution_minutes=240, warn_ratio=0.8
)
START = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_due_times_follow_the_policy() -> None:
    clock = plan_clock(POLICY, uuid.uuid4(), START)
    assert clock.response_due_at == START + timedelta(minutes=30)
    assert clock.resolution_due_at == START + timedelta(hours=4)
    assert clock.warn_at == START + timedelta(minutes=192)  # 80% of four hours


def test_state_moves_from_on_track_to_warning_to_breached() -> None:
    clock = plan_clock(POLICY, uuid.uuid4(), START)
    assert clock.state(START) == "on_track"
    assert clock.state(START + timedelta(minutes=191)) == "on_track"
    assert clock.state(START + timedelta(minutes=192)) == "warning"
    assert clock.state(START + timedelta(hours=4)) == "breached"
