"""SARL agent: the ROS-free learning core and bag I/O, plus the agent, proposer and recorder nodes."""
