from __future__ import annotations

import pytest

from kit.config import ServiceSettings, load_settings


def test_missing_settings_stop_the_process_naming_each_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DATABASE_URL", "NATS_URL", "HTTP_PORT", "GRPC_PORT", "IDENTITY_URL"):
        monkeypatch.delenv(f"HELPDESK_{name}", raising=False)
    monkeypatch.setenv("HELPDESK_HTTP_PORT", "not-a-number")
    with pytest.raises(SystemExit) as exit_:
        load_settings(ServiceSettings)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    for name in (
        "HELPDESK_DATABASE_URL",
        "HELPDESK_NATS_URL",
        "HELPDESK_GRPC_PORT",
        "HELPDESK_IDENTITY_URL",
    ):
        assert f"{name}: Field required" in err
    assert "HELPDESK_HTTP_PORT: Input should be a valid integer" in err


def test_settings_load_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "DATABASE_URL": "postgresql+psycopg://u:p@h/db",
        "NATS_URL": "nats://h:4222",
        "HTTP_PORT": "8000",
        "GRPC_PORT": "50051",
        "IDENTITY_URL": "http://identity:8000",
    }
    for k, v in env.items():
        monkeypatch.setenv(f"HELPDESK_{k}", v)
    settings = load_settings(ServiceSettings)
    assert settings.http_port == 8000
    assert settings.grpc_deadline_s == 2.0
