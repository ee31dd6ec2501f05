"""Build script for the sarl_auth ROS 2 package (ament_python)."""

from setuptools import find_packages, setup

PACKAGE = "sarl_auth"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    maintainer="sarl maintainers",
    maintainer_email="sarl@example.org",
    description="The run secret and message authentication shared by the sarl nodes and the operator panel.",
    license="Apache-2.0",
)
