"""The review UI's commands as interfaces.md describes them: `users add`
(password from standard input), `users disable`, and `serve` with /healthz."""

import io
import os
import socket
import subprocess
import sys
import time

import httpx

from pipeline import accounts, cli, storage
from pipeline import storage_review as store
from review_ui import security


def test_users_add_reads_the_password_from_stdin_and_disable_refuses_logins(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GBIZ_REVIEW_DATABASE_URL", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert cli.main(["--home", str(tmp_path), "users", "add", "kato", "--role", "supervisor"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert cli.main(["--home", str(tmp_path), "users", "add", "sato", "--role", "reviewer"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    url = f"sqlite:///{tmp_path / 'gbiz-review.db'}"
    with storage.session_for(url) as session:
        assert accounts.verify(session, "kato", "a long enough password").role == "supervisor"
        security.new_session(session, "kato")
        session.commit()
    assert cli.main(["--home", str(tmp_path), "users", "disable", "kato"]) == 0
    assert "1 session(s) ended" in capsys.readouterr().err
    with storage.session_for(url) as session:
        assert accounts.verify(session, "kato", "a long enough password") is None
        assert all(row.ended_at is not None for row in session.exec(storage.select(store.SessionRow)))
    assert cli.main(["--home", str(tmp_path), "users", "disable", "nobody"]) == 2


def test_serve_answers_healthz_without_a_login(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "GBIZ_REVIEW_DATABASE_URL"}
    server = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "--home", str(tmp_path), "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        for _ in range(200):
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert (response.status_code, response.text) == (200, "ok")
        queue = httpx.get(f"http://127.0.0.1:{port}/queue")
        assert queue.status_code == 303 and queue.headers["location"].startswith("/login")
    finally:
        server.terminate()
        server.wait(10)
