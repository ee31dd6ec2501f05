"""Built-in simulator: WidowX tabletop, task suite, stand-in VLA, openpi-protocol policy server."""
