"""Build script for the sarl_sim ROS 2 package (ament_python)."""

from setuptools import find_packages, setup

PACKAGE = "sarl_sim"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    package_data={PACKAGE: ["data/*.npz"]},
    include_package_data=True,
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
    ],
    install_requires=["setuptools"],
    zip_safe=False,
    maintainer="sarl maintainers",
    maintainer_email="sarl@example.org",
    description=open("package.xml").read().split("<description>")[1].split("</description>")[0],
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            f"policy_server = {PACKAGE}.policy_server:main",
            f"train_policy = {PACKAGE}.train_policy:main",
            f"sim_benchmark = {PACKAGE}.benchmark:main",
            f"sim_evaluation = {PACKAGE}.evaluation:main",
        ]
    },
)
