"""WidowX 250 driver: interbotix or simulator backend, camera, and the safety envelope."""
