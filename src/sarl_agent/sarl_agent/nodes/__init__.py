"""ROS 2 nodes of sarl_agent: thin wrappers that convert messages and call the ROS-free core."""
