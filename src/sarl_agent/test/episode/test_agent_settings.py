"""Agent settings refuse wrong values with the parameter's name."""

import pytest
from sarl_agent.agent_settings import AgentSettings


@pytest.mark.parametrize("overrides,fragment", [
    ({"reward_source": "human"}, "reward_source must be one of"),
    ({"max_semantic_steps": 0}, "max_semantic_steps must be >= 1"),
    ({"propose_timeout": 0.0}, "propose_timeout must be > 0"),
    ({"reward_source": "operator", "task": " "}, "task (the instruction) must be set"),
    ({"label_timeout": -1.0}, "label_timeout must be >= 0"),
    ({"warm_start_updates": 100}, "warm_start_updates needs warm_start_bags"),
    ({"warm_start_bags": ["runs/bags", " "]}, "warm_start_bags must name bag paths"),
])
def test_invalid_settings_name_the_parameter(overrides, fragment):
    with pytest.raises(ValueError) as error:
        AgentSettings(**overrides)
    assert fragment in str(error.value)


def test_run_id_and_paths_default_sensibly(tmp_path):
    settings = AgentSettings(output_dir=str(tmp_path))
    assert settings.run_id.startswith("run-")
    assert settings.checkpoint == tmp_path / settings.run_id / "checkpoint.pt"


def test_warm_start_bags_take_one_path_or_a_list():
    assert AgentSettings(warm_start_bags="runs/bags").warm_start_bags == ("runs/bags",)
    assert AgentSettings(warm_start_bags=["a", "b"], warm_start_updates=5).warm_start_bags == ("a", "b")
    assert AgentSettings(warm_start_bags="").warm_start_bags == ()
