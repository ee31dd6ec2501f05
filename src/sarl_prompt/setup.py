"""Build script for the sarl_prompt ROS 2 package (ament_python)."""

from setuptools import find_packages, setup

PACKAGE = "sarl_prompt"

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
    description="The rules every prompt obeys before a robot acts on it.",
    license="Apache-2.0",
)
