"""Physics and catalog errors say where they happened: the ``where`` of each error kind names
the vehicle, the row, the route, the time or the id it concerns, and the command line's one-line
message (and its ``--json`` error) carries it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from glasnost.cli import app
from glasnost.demo.missile_flight import OutOfRangeError, fly_missile
from glasnost.physics.coast import GravityOnly, NoImpactError, march_to_altitude
from glasnost.physics.constants import WGS84
from glasnost.physics.max_range import max_range
from glasnost.physics.targeting import TargetingError, aim
from glasnost.physics.trajectory import GroundContactError, fly
from glasnost.physics.vehicle import stack
from glasnost.scenario.missiles import UnknownMissileError, missile

runner = CliRunner(env={"COLUMNS": "200"})


def test_ground_contact_names_the_row_its_vehicle_and_the_burnout_time() -> None:
    # Row 1's 60 deg pitch-over drives its Minuteman III into the ground (its envelope keeps
    # kicks below about 48 deg); row 0's 10 deg kick is an ordinary flight.
    vehicles = stack([missile("rs24_yars").vehicle(), missile("minuteman_iii").vehicle()])
    with pytest.raises(GroundContactError) as caught:
        fly(vehicles, [0.0, 0.0], [0.0, 0.0], [90.0, 90.0], [10.0, 60.0], None)
    where = caught.value.where
    assert where is not None
    assert where.startswith("row 1 (minuteman_iii), burnout at t = ")
    # The time named is the burnout of the full burn: the vehicle's last stage burnout.
    burnout_s = float(where.rsplit("= ", 1)[1].removesuffix(" s"))
    assert burnout_s == pytest.approx(vehicles.burnout_s[1, -1], abs=0.1)
    assert str(caught.value).startswith(f"{where}: the boost ends ")


def test_a_flight_that_stays_up_names_its_rows() -> None:
    # Row 0 falls straight down from 200 km; row 1 is on a circular orbit at 400 km
    # (v = sqrt(mu / r)), which never descends to 100 km.
    radius = WGS84.equatorial_radius_m + np.array([200e3, 400e3])
    r0 = np.stack([radius, np.zeros(2), np.zeros(2)], axis=1)
    v0 = np.array([[0.0, 0.0, 0.0], [0.0, np.sqrt(WGS84.mu / radius[1]), 0.0]])
    with pytest.raises(NoImpactError) as caught:
        march_to_altitude(
            GravityOnly(WGS84),
            np.zeros(2),
            r0,
            v0,
            100e3,
            WGS84,
            step=lambda r, v, rows: np.full(rows.size, 10.0),
            max_time_s=3600.0,
        )
    assert caught.value.where == "row 1"
    assert "did not come down within the time limit (3600 s)" in str(caught.value)


def test_bad_target_names_the_point_and_the_rows_with_their_vehicles() -> None:
    vehicles = stack([missile("minuteman_iii").vehicle(), missile("rs24_yars").vehicle()])
    with pytest.raises(TargetingError) as caught:
        aim(vehicles, [0.0, 0.0], [0.0, 0.0], [30.0, 95.0], [10.0, 10.0])
    assert caught.value.where == "target of row 1 (rs24_yars)"
    assert str(caught.value) == (
        "target of row 1 (rs24_yars): latitude must be within [-90, 90] degrees"
    )


def test_bad_launch_point_names_every_row_that_has_it() -> None:
    vehicles = stack([missile("minuteman_iii").vehicle()] * 3)
    with pytest.raises(TargetingError) as caught:
        aim(vehicles, [np.nan, 0.0, np.inf], [0.0] * 3, [30.0] * 3, [10.0] * 3)
    assert caught.value.where == "launch point of rows 0, 2 (minuteman_iii)"


def test_bad_apogee_names_the_condition_and_the_row() -> None:
    vehicles = stack([missile("minuteman_iii").vehicle()] * 2)
    with pytest.raises(TargetingError) as caught:
        aim(
            vehicles,
            [0.0, 0.0],
            [0.0, 0.0],
            [30.0, 30.0],
            [10.0, 10.0],
            shape="lofted",
            apogee_m=np.array([1e6, np.nan]),
        )
    assert caught.value.where == "apogee of row 1 (minuteman_iii)"


def test_bad_azimuth_names_the_row() -> None:
    vehicles = stack([missile("minuteman_iii").vehicle()])
    with pytest.raises(TargetingError) as caught:
        max_range(vehicles, [0.0], [0.0], [np.inf])
    assert caught.value.where == "azimuth of row 0 (minuteman_iii)"


def test_out_of_range_names_the_missile_and_the_route() -> None:
    with pytest.raises(OutOfRangeError) as caught:
        fly_missile("minuteman_iii", 47.5, -111.2, target=(30.0, 31.0))
    assert caught.value.where == "minuteman_iii from 47.5,-111.2 to 30,31"
    assert "target out of reach" in caught.value.message


def test_target_too_close_names_the_route() -> None:
    with pytest.raises(TargetingError) as caught:
        fly_missile("minuteman_iii", 47.5, -111.2, target=(47.6, -111.2))
    assert caught.value.where == "minuteman_iii from 47.5,-111.2 to 47.6,-111.2"


def test_unknown_missile_names_the_id() -> None:
    with pytest.raises(UnknownMissileError) as caught:
        missile("scud")
    assert caught.value.where == "missile 'scud'"
    assert str(caught.value.args[0]).startswith("missile 'scud': unknown missile; known: ")


def test_the_command_line_message_names_the_place() -> None:
    args = ["trajectory", "--missile", "minuteman_iii", "--from", "47.5,-111.2", "--to", "30,31"]
    plain = runner.invoke(app, args)
    assert plain.exit_code == 2
    lines = plain.stderr.strip().splitlines()
    assert len(lines) == 1, plain.stderr
    assert lines[0].startswith(
        "error: minuteman_iii from 47.5,-111.2 to 30,31: target out of reach"
    )
    as_json = runner.invoke(app, [*args, "--json"])
    error = json.loads(as_json.stdout)["error"]
    assert (error["kind"], error["where"]) == (
        "OutOfRangeError",
        "minuteman_iii from 47.5,-111.2 to 30,31",
    )
