"""The same solution always builds into the same bytes, whenever and wherever it is built."""

import io
import zipfile

from dxconnector.dynamics.solution import DYNAMICS_XERO_CONNECTOR, build_solution_zip, solution_zip_bytes, zip_name


def test_two_builds_are_byte_identical():
    assert build_solution_zip(DYNAMICS_XERO_CONNECTOR) == build_solution_zip(DYNAMICS_XERO_CONNECTOR)


def test_zip_entries_carry_a_fixed_timestamp():
    with zipfile.ZipFile(io.BytesIO(build_solution_zip())) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_portals_download_is_built_once_and_is_the_same_zip():
    assert solution_zip_bytes() is solution_zip_bytes()
    assert solution_zip_bytes() == build_solution_zip(DYNAMICS_XERO_CONNECTOR)


def test_the_file_name_follows_dataverses_export_naming():
    assert zip_name(DYNAMICS_XERO_CONNECTOR) == "DynamicsXeroConnector_1_2_0_0_managed.zip"
