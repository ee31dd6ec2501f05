"""Reading and writing sarl's rosbag2 (MCAP, CDR) bags without a rosbag2 install."""
