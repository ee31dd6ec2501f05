"""Evaluation of SARL and its baselines on the built-in simulator, without ROS."""
