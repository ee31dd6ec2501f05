"""Installs the workspace's top-level launch/ and config/ folders as sarl_bringup's share."""

from glob import glob

from setuptools import setup

PACKAGE = "sarl_bringup"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=[PACKAGE],
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/launch", sorted(glob("../../launch/*.py"))),
        (f"share/{PACKAGE}/config", sorted(glob("../../config/*.yaml"))),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    maintainer="sarl maintainers",
    maintainer_email="sarl@example.org",
    description="Launch files and parameter files for the sarl node graph.",
    license="Apache-2.0",
    entry_points={"console_scripts": [
        "sarl = sarl_bringup.cli:main",
        "local_launch = sarl_bringup.local_launch:main",
        "doctor = sarl_bringup.doctor:main",
    ]},
)
