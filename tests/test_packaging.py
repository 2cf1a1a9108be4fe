"""The project's metadata builds without build-backend warnings.

setuptools announces removals as warnings first (the TOML-table `project.license` stops building
on 2027-02-18); turning them into errors here makes `make test` fail the day a new one appears,
instead of the day the install breaks. requirements.txt pins the setuptools the build uses.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import setuptools
from setuptools.config.pyprojecttoml import apply_configuration
from setuptools.dist import Distribution

ROOT = Path(__file__).resolve().parents[1]


def test_pyproject_applies_without_setuptools_warnings() -> None:
    assert int(setuptools.__version__.split(".")[0]) >= 77, "requirements.txt pins the build's setuptools"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dist = apply_configuration(Distribution(), ROOT / "pyproject.toml")
    assert dist.metadata.license_expression == "MIT"
    assert [Path(f).name for f in dist.metadata.license_files] == ["LICENSE"]
