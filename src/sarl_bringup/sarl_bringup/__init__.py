"""Launch files and parameter files for the sarl node graph (simulator and real WidowX 250)."""
