"""Build script for the rqt_sarl_operator ROS 2 package (ament_python).

plugin.xml goes to share/ so rqt finds the plugin through the package.xml export; the
``operator`` console script is the standalone window for machines without rqt.
"""

from setuptools import find_packages, setup

PACKAGE = "rqt_sarl_operator"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml", "plugin.xml"]),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    maintainer="sarl maintainers",
    maintainer_email="sarl@example.org",
    description=open("package.xml").read().split("<description>")[1].split("</description>")[0],
    license="Apache-2.0",
    entry_points={"console_scripts": [f"operator = {PACKAGE}.standalone:main"]},
)
