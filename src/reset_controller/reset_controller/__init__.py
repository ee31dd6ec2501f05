"""PID reset-to-home action server for the WidowX 250."""
