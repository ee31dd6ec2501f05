"""Build script for the sarl_eval ROS 2 package (ament_python)."""

from setuptools import find_packages, setup

PACKAGE = "sarl_eval"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    package_data={PACKAGE: ["assets/*.yaml", "assets/*.npz"]},
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    maintainer="sarl maintainers",
    maintainer_email="sarl@example.org",
    description="Evaluation of SARL and baselines on the built-in simulator.",
    license="Apache-2.0",
    entry_points={"console_scripts": [f"eval = {PACKAGE}.cli:main"]},
)
