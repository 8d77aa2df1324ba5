"""Sources of synthetic tasks and their licences, read from the metadata of real archive layouts
built here (a wheel's METADATA, an sdist's PKG-INFO), of an installed package and of a folder."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from data.archives import CODE, make_sdist, make_wheel
from vibecli.data.sources import census, licence_permissive, open_source

MIT_TEXT = "MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy...\n"


def test_a_wheel_gives_its_name_version_licence_expression_and_code(tmp_path):
    source = open_source(str(make_wheel(tmp_path, "geo", "1.2", License_Expression="MIT")))
    assert (source.package.name, source.package.version, source.package.licence) == ("geo", "1.2", "MIT")
    assert source.package.licence_from == "License-Expression" and source.package.permissive
    assert source.files == [("geo/geometry.py", CODE)]


def test_an_sdist_gives_its_licence_from_classifiers_and_keeps_its_tests_apart(tmp_path):
    files = {"src/geo/geometry.py": CODE, "tests/test_geometry.py": "def test_area():\n    assert area(2, 3) == 6\n",
             "setup.py": "from setuptools import setup\nsetup()\n"}
    path = make_sdist(tmp_path, "geo", "0.3", files, Classifier=["License :: OSI Approved :: BSD License",
                                                                    "Programming Language :: Python"])
    source = open_source(str(path))
    assert source.package.licence == "BSD" and source.package.licence_from == "Classifier"
    assert [p for p, _ in source.files] == ["setup.py", "src/geo/geometry.py"]
    assert [p for p, _ in source.tests] == ["tests/test_geometry.py"]


def test_the_license_field_and_a_licence_file_are_read_when_there_is_nothing_better(tmp_path):
    wheel = make_wheel(tmp_path, "one", "1.0", License="Apache 2.0")
    assert open_source(str(wheel)).package.licence == "Apache-2.0"
    bare = make_sdist(tmp_path, "two", "1.0", {"two.py": CODE, "LICENSE": MIT_TEXT})
    package = open_source(str(bare)).package
    assert (package.licence, package.licence_from) == ("MIT", "LICENSE file")
    nothing = make_sdist(tmp_path, "three", "1.0", {"three.py": CODE})
    assert open_source(str(nothing)).package.licence == "unknown"
    assert not open_source(str(nothing)).package.permissive


@pytest.mark.parametrize("expression, usable", [
    ("MIT", True), ("BSD-3-Clause", True), ("Apache-2.0 OR BSD-2-Clause", True), ("PSF-2.0", True),
    ("ISC", True), ("Unlicense", True), ("Zlib", True),
    ("MPL-2.0", False), ("MIT AND MPL-2.0", False), ("LGPL-2.1-or-later", False), ("GPL-3.0", False),
    ("Public-Domain AND BSD AND GPL", False), ("unknown", False), ("", False),
])
def test_only_permissive_licences_are_used(expression, usable):
    assert licence_permissive(expression) is usable


def test_a_gpl_classifier_beside_a_bsd_one_leaves_the_package_out(tmp_path):
    wheel = make_wheel(tmp_path, "mixed", "1.0", Classifier=["License :: OSI Approved :: BSD License",
                                                             "License :: OSI Approved :: GNU General Public License (GPL)"])
    package = open_source(str(wheel)).package
    assert "GPL" in package.licence and not package.permissive


def test_an_installed_package_and_the_standard_library_are_sources_too():
    typer = open_source("typer")
    assert typer.package.name == "typer" and typer.package.permissive and typer.files
    stdlib = open_source(str(Path(sysconfig.get_paths()["stdlib"]) / "json"))
    assert (stdlib.package.name, stdlib.package.licence) == ("stdlib", "PSF-2.0")


def test_an_unknown_source_is_one_clear_error():
    from vibecli.core import VibeError

    with pytest.raises(VibeError, match="no such file, folder or installed package"):
        open_source("no-such-package-anywhere-xyz")


def test_vendored_code_is_not_taken_under_the_vendoring_packages_name(tmp_path):
    wheel = make_wheel(tmp_path, "big", "1.0", files={"big/core.py": CODE, "big/_vendor/other/x.py": CODE},
                       License_Expression="MIT")
    assert [p for p, _ in open_source(str(wheel)).files] == ["big/core.py"]


def test_the_census_lists_each_licence_with_its_packages_and_what_was_left_out(tmp_path):
    packages = [open_source(str(make_wheel(tmp_path, n, "1.0", License_Expression=lic))).package
                for n, lic in (("a", "MIT"), ("b", "MIT"), ("c", "MPL-2.0"))]
    text = census(packages, used={"a": 3, "b": 0})
    assert "MIT [used]: 2 package(s): a 1.0 (3), b 1.0 (0)" in text
    assert "MPL-2.0 [LEFT OUT]: 1 package(s): c 1.0" in text
