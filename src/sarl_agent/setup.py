"""Build script for the sarl_agent ROS 2 package (ament_python)."""

from setuptools import find_packages, setup

PACKAGE = "sarl_agent"

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
    description=open("package.xml").read().split("<description>")[1].split("</description>")[0],
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "agent = sarl_agent.nodes.agent_node:main",
            "vlm_proposer = sarl_agent.nodes.vlm_proposer_node:main",
            "recorder = sarl_agent.nodes.recorder_node:main",
            "replay = sarl_agent.replay:main",
            "inspect_bag = sarl_agent.bag.inspect:main",
        ]
    },
)
