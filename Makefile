# The two commands a new user needs: `make demo` and `make test`. Every target
# bootstraps first (a no-op in seconds when nothing changed).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
ENV := source sarl_env.sh
PYTEST_ARGS ?=
# Known flakes (issue 23's note: two fresh-clone runs of the merged tree failed 3 and 4 different tests of
# 1092, each passing alone): a failed test runs up to twice more, and pytest reports every rerun.
# `make test RERUNS=` runs without; `make test-repeat` never reruns, so it still measures the flakes.
# --rerun-show-tracebacks: the summary shows why each rerun failed (under xdist nothing else prints it).
RERUNS ?= --reruns 2 --reruns-delay 2 -rR --rerun-show-tracebacks
# Two pytest-xdist workers: the graph tests wait on process start-up and DDS discovery about a third of the
# time, so two at once fill the machine's two cores (tests/support/scheduling.py says how modules are spread;
# tests/support/domains.py gives each worker its own DDS domains). `make test WORKERS=` runs serially.
WORKERS ?= -n 2 --dist loadgroup

.PHONY: bootstrap demo test test-repeat lint bench clean replay eval interop

bootstrap:
	@bash scripts/bootstrap.sh

## Main job on the built-in simulator (no robot, no GPU, no API key).
demo: bootstrap
	@$(ENV) && bash scripts/demo.sh

## Lint, then every test of every package.
test: bootstrap lint
	@$(ENV) && python -m pytest $(WORKERS) $(RERUNS) $(PYTEST_ARGS)

## The tests that decide on the order or latency of events (marker `timing`), N times in a row, counting
## failed runs (selecting none counts as failed): make test-repeat [N=5] [MARK="timing and not graph"] [PYTEST_ARGS=...]
test-repeat: bootstrap
	@$(ENV) && n=$${N:-5}; failed=0; for run in $$(seq "$$n"); do \
	  echo "[test-repeat] run $$run of $$n: -m '$(or $(MARK),timing)'"; \
	  python -m pytest -q -m "$(or $(MARK),timing)" $(PYTEST_ARGS) || failed=$$((failed + 1)); \
	done; echo "[test-repeat] $$failed of $$n runs failed"; test "$$failed" -eq 0

lint: bootstrap
	@$(ENV) && ruff check .

## Speed and memory numbers (printed, not asserted).
bench: bootstrap
	@$(ENV) && bash scripts/bench.sh

clean:
	rm -rf build install log sarl_env.sh

## Offline Q-updates from bags: make replay BAGS="runs/bags" [UPDATES=2000]
replay: bootstrap
	@$(ENV) && python -m sarl_agent.replay $(BAGS) --updates $${UPDATES:-2000}

## Learning curves of SARL and baselines on the simulator (results/eval); QUICK=1 for a smoke-sized run.
eval: bootstrap
	@$(ENV) && python -m sarl_eval.cli --out results/eval $(if $(QUICK),--quick,)

## The driver <-> Interbotix chain on your own install, before powering the arm (docs/real_robot.md):
## start `ros2 launch interbotix_xsarm_control xsarm_control.launch.py robot_model:=wx250s use_sim:=true` first.
interop: bootstrap
	@$(ENV) && python -m widowx_driver.interop_check --robot-model $${ROBOT_MODEL:-wx250s}
