# Course commands. Each target creates .venv and installs the pinned set (requirements.txt) plus
# aigc_helpers in editable mode when the environment is missing or older than those files.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# How notebooks are tested; tests/test_notebooks.py reads this line to check every notebook is collected.
NBVAL  := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# Tests run on JOBS worker processes (pytest-xdist; `make test JOBS=0` runs them in one process). loadfile
# keeps each file on one worker: a notebook's cells share one kernel and must run in order.
JOBS   ?= 2
XDIST  := -n $(JOBS) --dist loadfile

export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: lab test test-oldest notebooks badges bench lint env clean-venv

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 11) else "error: the course needs Python 3.11 or newer, found %d.%d. Fix: install Python 3.11 and run: make PYTHON=python3.11 ..." % v[:2])'
	@[ -x $(BIN)/python ] || { echo "creating $(VENV) ..."; $(PYTHON) -m venv $(VENV); }
	@echo "installing the pinned set from requirements.txt and aigc_helpers (editable) ..."
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt -e .
	@touch $@

env: $(STAMP)  ## create/refresh .venv only

lab: $(STAMP)  ## open JupyterLab at the course index
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root,) notebooks/00_index.ipynb

lint: $(STAMP)  ## ruff lint and layout (format) checks on .py and .ipynb
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(STAMP)  ## lint, layout, unit tests and the package's doctests, then every notebook under ci
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest tests/ --doctest-modules aigc_helpers $(XDIST)
	AIGC_PROFILE=ci $(BIN)/python -m pytest $(NBVAL) notebooks/ $(XDIST)

# The oldest versions the package declares, on Colab's Python (3.12): every shipped model loads and
# generates, the CLI works, and the notebooks that load shipped models run under ci. tests/test_packaging.py
# checks that these lists name every test file and notebook that loads a shipped model.
OLDEST       := .venv-oldest
OLDEST_TESTS := tests/test_gan.py tests/test_vae.py tests/test_generation.py tests/test_metrics.py tests/test_deploy.py tests/test_cli.py tests/test_cli_generate.py tests/test_latent_diffusion.py
OLDEST_NBS   := notebooks/02_core_concepts.ipynb notebooks/05_dcgan_mnist.ipynb notebooks/08_vae_mnist.ipynb notebooks/09_lab_to_production.ipynb notebooks/10_marketing.ipynb notebooks/12_art_and_design.ipynb notebooks/14_challenges_and_outlook.ipynb notebooks/15_faq_and_references.ipynb notebooks/17_diffusion_mnist.ipynb notebooks/18_latent_diffusion.ipynb

$(OLDEST)/.installed: pyproject.toml tools/oldest_env.sh
	tools/oldest_env.sh $(OLDEST)
	@touch $@

test-oldest: $(OLDEST)/.installed  ## the shipped models, CLI and model-loading notebooks on Python 3.12 with the lowest declared versions
	$(OLDEST)/bin/python -m pytest -p no:cacheprovider $(OLDEST_TESTS) $(XDIST)
	AIGC_PROFILE=ci $(OLDEST)/bin/python -m pytest -p no:cacheprovider $(NBVAL) $(OLDEST_NBS) $(XDIST)

notebooks: $(STAMP)  ## re-run every notebook in place under the cpu profile (committed outputs)
	$(BIN)/python tools/notebooks.py run --profile cpu

badges: $(STAMP)  ## rewrite every Colab/Binder badge from [tool.aigc-course] in pyproject.toml
	$(BIN)/python tools/badges.py

bench: $(STAMP)  ## quality and speed benchmarks (minutes; not part of `make test`)
	@set -e; for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f; done

clean-venv:
	rm -rf $(VENV)
