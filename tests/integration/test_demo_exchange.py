"""``glasnost demo exchange`` end to end: two real nodes, the agreement signed, declarations,
a notification, a confirmed assessment, one successor adopting and one refusing; finished in
under two minutes with both databases left to inspect and verify."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from glasnost.cli import app
from glasnost.exchange.node import Node

runner = CliRunner(env={"COLUMNS": "200", "GLASNOST_DB": None, "GLASNOST_KEY": None})


def test_demo_exchange_runs_the_agreement_end_to_end(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "exchange", "--dir", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["seconds"] < 120  # the bound for the whole demo

    state = report["lifecycle"]
    assert state["state"] == "terminated"  # Russia's successor refused
    us, ru = state["parties"]["US"], state["parties"]["RU"]
    assert (us["state"], us["administration"]) == ("in force", "us-2")
    assert (ru["state"], ru["administration"]) == ("refused", "ru-2")
    actions = [(e["party"], e["type"]) for e in state["timeline"]]
    assert actions[0] == ("US", "propose")
    assert sorted(actions[1:3]) == [("RU", "sign"), ("US", "sign")]  # order within a second
    # each party's own order (across parties, entries written in one second sort by party)
    assert [t for p, t in actions[3:] if p == "US"] == ["final", "adopt"]
    assert [t for p, t in actions[3:] if p == "RU"] == ["final", "refuse"]

    compliance = report["compliance"]
    assert [a["status"] for a in compliance["assessments"]] == ["confirmed"]
    assert not [f for f in compliance["findings"] if f["severity"] == "violation"], compliance[
        "findings"
    ]

    # both databases are left, and every log in them verifies
    for name in ("us.db", "ru.db"):
        node = Node.open(str(folder / name))
        for store in (node.own, *node.peers()):
            assert store.verify().ok, (name, store.origin)
    status = runner.invoke(app, ["agreement", "status", "--db", str(folder / "ru.db"), "--json"])
    assert json.loads(status.stdout)["state"] == "terminated"

    # every part that takes seconds says so on stderr first (a line each, stderr not a
    # terminal here), in the order the demo runs them; stdout holds only the JSON
    progress = [line.split(": ", 1)[1].rsplit(" (", 1)[0] for line in result.stderr.splitlines()]
    assert all(line.startswith("demo exchange: ") for line in result.stderr.splitlines())
    expected = [
        "starting the US node",
        "starting the RU node",
        "syncing US with RU over HTTP",
        "the United States assesses the declared postures",
        "Russia recomputes the assessment from the logged declarations",
        "waiting for the change of administration",
        "restarting the US node with the successor's key",
        "restarting the RU node with the successor's key",
        "the agreement's status and compliance report",
    ]
    found = [next(k for k, line in enumerate(progress) if line.startswith(e)) for e in expected]
    assert found == sorted(found), progress


def test_demo_exchange_quiet_prints_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "exchange", "--dir", str(folder), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (result.stdout, result.stderr) == ("", "")
    status = runner.invoke(app, ["agreement", "status", "--db", str(folder / "us.db"), "--json"])
    assert json.loads(status.stdout)["state"] == "terminated"


def test_demo_exchange_never_deletes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    precious = tmp_path / "notes.txt"
    precious.write_text("keep me")
    (tmp_path / "us.db").write_bytes(b"")
    result = runner.invoke(app, ["demo", "exchange", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "holds files other than an earlier demo's (notes.txt)" in result.output
    assert precious.read_text() == "keep me"
