"""Bridge from execute_prompt goals to an openpi policy server and arm_command at the control rate."""
