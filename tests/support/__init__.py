"""Helpers shared by the integration tests (processes, in-process ROS nodes)."""
