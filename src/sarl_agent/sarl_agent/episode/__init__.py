"""Running semantic episodes, free of ROS: the same loop drives the ROS agent node and the evaluation."""
