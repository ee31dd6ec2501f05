"""Small real ROS processes that serve the panel's peers' contracts (the agent's labels, the driver's e-stop)."""
