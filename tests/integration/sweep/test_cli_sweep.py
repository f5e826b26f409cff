"""`glasnost sweep` refuses bad input with one clear line (exit 2), before computing anything,
and never overwrites or mixes sweeps."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from glasnost.cli import app
from glasnost.sweep import runner
from tests.integration.sweep.conftest import VARY


def _run(*args: str) -> tuple[int, str]:
    """Exit code and output (on one line) of ``glasnost sweep ARGS``."""
    result = CliRunner().invoke(app, ["sweep", *args])
    assert "Traceback" not in result.output
    return result.exit_code, " ".join(result.output.split())


def _vary() -> list[str]:
    return [x for text in VARY for x in ("--vary", text)]


def _sweep(scenario: Path, out: Path, *args: str) -> tuple[int, str]:
    """``glasnost sweep`` of the test scenario's two inputs into ``out``."""
    return _run("--scenario", str(scenario), "--out", str(out), *_vary(), *args)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--vary", "interceptor_types.gbi.burnout_speed=uniform(4,6)"],
            "no key 'burnout_speed' at interceptor_types.gbi",
        ),
        (
            ["--vary", "parties.US.interceptor_sites.greely.count=uniform(-4, 10)"],
            "parties[0].interceptor_sites[0].count: must be >= 0, got -4",
        ),
        (
            ["--vary", "interceptor_types.gbi.burnout_velocity_kms=uniform(6, 9)"],
            "burnout_velocity_kms: must be below orbital speed (7.9 km/s)",
        ),
        (["--vary", "assessment.launch_delay_s=uniform(60)"], "uniform takes 2 numbers"),
        ([], "nothing varies"),
        ([*_vary(), "--method", "grid", "--levels", "1"], "an empty grid"),
        (["--vary", "assessment.launch_delay_s=[]", "--method", "grid"], "an empty list"),
        ([*_vary(), "--method", "saltelli", "--samples", "12"], "needs a power of 2"),
        ([*_vary(), "--method", "random"], "choose one of sobol, lhs"),
        ([*_vary(), "--site", "nowhere"], "no interceptor site 'nowhere'"),
        ([*_vary(), "--workers", "2", "--scheduler", "tcp://127.0.0.1:9"], "starts a local"),
    ],
)
def test_bad_input_is_one_clear_line(
    mini_file: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    code, output = _run("--scenario", str(mini_file), "--out", str(out), *args)
    assert code == 2
    assert message in output
    assert not out.exists()  # nothing written


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["confirm", "request", *_vary(), "--method", "random"], "choose one of sobol, lhs"),
        (
            ["confirm", "request", "--declared", "--workers", "2", "--scheduler", "tcp://h:1"],
            "--workers starts a local cluster",
        ),
        (
            ["confirm", "check", "--workers", "2", "--scheduler", "tcp://h:1"],
            "--workers starts a local cluster",
        ),
    ],
)
def test_the_sweep_options_of_confirm_are_checked_before_the_node_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [*args, "--db", str(tmp_path / "node.db")])
    assert "Traceback" not in result.output
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == []  # no database, no sweep folder


def test_an_unreachable_scheduler_is_named(
    mini_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT_S", 1.0)
    code, output = _sweep(mini_file, tmp_path / "o", "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2
    assert "--scheduler tcp://127.0.0.1:9: cannot reach the Dask scheduler" in output


def test_a_folder_with_a_sweep_is_not_overwritten_nor_resumed_with_another_plan(
    mini_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / "plan.json").write_text('{"plan": {"seed": 1}}')
    code, output = _sweep(mini_file, out)
    assert code == 2
    assert "holds a sweep already; add --resume" in output
    code, output = _sweep(mini_file, out, "--resume")
    assert code == 2
    assert "--resume needs the same sweep; differs in: " in output
    assert (out / "plan.json").read_text() == '{"plan": {"seed": 1}}'


def test_resume_without_a_sweep_says_so(mini_file: Path, tmp_path: Path) -> None:
    code, output = _sweep(mini_file, tmp_path / "o", "--resume")
    assert code == 2
    assert "no sweep to resume" in output


def test_a_grid_sweep_prints_the_verdict_and_draws_the_feasibility_map(
    mini_file: Path, tmp_path: Path
) -> None:
    html = tmp_path / "map.html"
    code, output = _sweep(
        mini_file,
        tmp_path / "o",
        "--method",
        "grid",
        "--levels",
        "2",
        "--workers",
        "1",
        "--site",
        "greely",
        "--html",
        str(html),
    )
    assert code == 0, output
    assert "4 of 4 samples assessed (grid, seed 0; 1 workers)" in output
    assert "P(no threat) = " in output
    assert "The verdict flips between" in output
    page = html.read_text()
    assert "Feasibility map of greely" in page
    assert (tmp_path / "o" / "samples.parquet").exists()
