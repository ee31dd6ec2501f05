"""A pixel stand-in VLA with a flow-matching action head (issue 18, part 3).

``flow``: the flow-matching maths (training loss, Euler integration from a given noise);
``network``: the policy (image + proprioception + prompt embedding -> velocity field over
action chunks). The initial noise is an explicit input, so noise-space RL (DSRL) can steer it.
"""
