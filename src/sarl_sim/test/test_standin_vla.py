"""Stand-in VLA: openpi Policy contract, shipped weights and embedding cache."""

import threading

import numpy as np
import pytest
from openpi_client.base_policy import BasePolicy

from sarl_sim import embedding
from sarl_sim.embedding import DEFAULT_CACHE_PATH, EmbeddingUnavailableError, PromptEmbedder, load_cache
from sarl_sim.policy_net import DEFAULT_WEIGHTS_PATH, NetConfig, NumpyPolicyNet
from sarl_sim.prompts import cached_prompts, normalize_prompt
from sarl_sim.semantic_env import SemanticEnv
from sarl_sim.standin_vla import StandinVLA


@pytest.fixture(scope="module")
def env():
    e = SemanticEnv("pot_lid_to_towel")
    e.reset(0)
    return e


def test_is_an_openpi_policy_returning_an_action_chunk(env):
    policy = env.policy
    assert isinstance(policy, BasePolicy)
    result = policy.infer(env.observation("pick up the lid"))
    assert result["actions"].shape == (policy.action_horizon, 7)
    assert np.all(np.isfinite(result["actions"]))
    assert 0.0 <= result["actions"][:, 6].min() and result["actions"][:, 6].max() <= 1.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda o: o.pop("observation/scene"), "observation/scene"),
        (lambda o: o.__setitem__("observation/state", np.zeros(6)), "observation/state"),
        (lambda o: o.__setitem__("observation/image", np.zeros((8, 8))), "observation/image"),
        (lambda o: o.__setitem__("observation/scene", np.zeros((2, 3))), "observation/scene"),
    ],
)
def test_bad_observations_raise_clear_errors(env, change, message):
    obs = env.observation("pick up the lid")
    change(obs)
    with pytest.raises(ValueError, match=message):
        env.policy.infer(obs)


def test_shipped_files_are_small_and_cover_every_runtime_prompt():
    assert DEFAULT_WEIGHTS_PATH.stat().st_size + DEFAULT_CACHE_PATH.stat().st_size <= 1_200_000
    cache = load_cache(DEFAULT_CACHE_PATH)
    assert set(cached_prompts()) <= set(cache)
    vectors = np.stack(list(cache.values()))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=2e-3)


def test_weights_hold_no_prompt_table():
    with np.load(DEFAULT_WEIGHTS_PATH) as data:
        names = [n for n in data.files if not n.startswith(("config/", "meta/"))]
        assert sorted(names) == sorted(NetConfig().shapes())
        assert all(data[n].dtype.kind == "f" for n in names)


def test_uncached_prompt_without_model_is_a_clear_error():
    embedder = PromptEmbedder(allow_model=False)
    assert "pick up the lid" in embedder
    with pytest.raises(EmbeddingUnavailableError, match="not in the embedding cache"):
        embedder.embed("juggle three oranges")


@pytest.mark.parametrize("prompt", ["x" * 10_000, "pick up the \u202elid", "pick up\nthe lid"])
def test_pathological_prompts_are_refused_before_any_embedding(env, prompt, monkeypatch):
    def no_model(_prompts):
        raise AssertionError("the sentence model was asked to embed a refused prompt")

    monkeypatch.setattr(embedding, "encode_with_model", no_model)
    with pytest.raises(ValueError, match=r"characters|bidirectional|control"):
        env.policy.infer(env.observation(prompt))


def test_a_background_model_load_refuses_uncached_prompts_at_once_until_ready(monkeypatch):
    """The policy server loads the model at start; meanwhile an uncached prompt is refused, never waited on."""
    release = threading.Event()

    def slow_model(prompts):
        release.wait(10)
        return np.ones((len(prompts), embedding.EMBEDDING_DIM), dtype=np.float32) / np.sqrt(embedding.EMBEDDING_DIM)

    monkeypatch.setattr(embedding, "encode_with_model", slow_model)
    monkeypatch.setattr(embedding, "model_available", lambda: True)
    embedder = PromptEmbedder()
    loader = embedder.load_model_in_background()
    assert embedder.embed("pick up the lid").shape == (embedding.EMBEDDING_DIM,), "cached prompts are served"
    with pytest.raises(EmbeddingUnavailableError, match="still loading"):
        embedder.embed("juggle three oranges")
    release.set()
    loader.join(10)
    assert embedder.model_ready
    assert embedder.embed("juggle three oranges").shape == (embedding.EMBEDDING_DIM,)


def test_prompts_are_normalised():
    assert normalize_prompt("  Pick up   the LID ") == "pick up the lid"
    with pytest.raises(ValueError, match="empty"):
        normalize_prompt("   ")


def test_unseen_embeddings_still_drive_the_network(env):
    """Behaviour comes from the network: any point of embedding space gives an action chunk."""
    policy = StandinVLA(NumpyPolicyNet.load(), PromptEmbedder(allow_model=False))
    embedder = PromptEmbedder(allow_model=False)
    blend = embedder.embed("pick up the lid") + embedder.embed("put it on the cloth")
    code = policy.net.encode_prompt(blend / np.linalg.norm(blend))
    obs = env.observation("x", with_image=False)
    chunk = policy.net.act(code, obs["observation/state"], obs["observation/scene"])
    assert chunk.shape == (policy.action_horizon, 7) and np.all(np.isfinite(chunk))
