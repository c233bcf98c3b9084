# make run    set up the modern runtime, then train (or resume) and test one configuration
# make test   all tests on both runtimes (TensorFlow 2.x and TensorFlow 1.5 on Python 3.6)
# make results  train the missing shipped configurations, test all eight, plot, Report.pdf
#               (RECIPES=budget: only train that named set's 24 seed runs, apart from the shipped record)
# make submission ROLL=<roll> [A3=98.7]  Assignment4_<roll>.zip for the assignment (tools/handin.py)
# Variables: MODEL=lstm HIDDEN=32 DATA_DIR=... RUNTIME=modern|tf1.5 JOBS=1 PYTHON=python3 PY36=/path/to/python3.6

PYTHON ?= python3
PY36 ?= $(shell (p=$$(pyenv prefix 3.6.15 2>/dev/null) && echo $$p/bin/python3.6) || command -v python3.6 2>/dev/null)
MODEL ?= lstm
HIDDEN ?= 32
# The assignment keeps data in ../data; course machines have it in ../shared/data/mnist.
DATA_DIR ?= $(firstword $(wildcard ../data) $(wildcard ../shared/data/mnist) ../data)
RUNTIME ?= modern
# make results: trainings at a time (2 on two cores: 1.2-1.35x as fast with the early-stop recipes, about 1x
# with the budget ones on TensorFlow 2; tools/benchmarks/README.md)
JOBS ?= 1
VENV_modern = .venv
VENV_tf1.5 = .venv36
RUN_PY = $(VENV_$(RUNTIME))/bin/python

# What a user types for these reaches the programs as it is, through the environment: make neither expands it
# ($(value ...)) nor lets a shell read it as code (the recipes quote "$$ROLL"); tools/handin.py checks it.
override ROLL := $(value ROLL)
override ASSIGNMENT := $(value ASSIGNMENT)
override A3 := $(value A3)
override WEIGHTS := $(value WEIGHTS)
override AUTHOR := $(value AUTHOR)
override RECIPES := $(value RECIPES)
override IE643_Q2 := $(value IE643_Q2)
export ROLL ASSIGNMENT A3 WEIGHTS AUTHOR RECIPES IE643_Q2

.PHONY: setup setup-tf1.5 setup-torch setup-docs run results test test-fast test-modern test-tf1.5 submission handin clean-venvs

setup: .venv/installed
setup-tf1.5: .venv36/installed
# PyTorch (CPU), optional: assignments/palindrome_pytorch/ and the benchmarks. CI installs it (its tests must run there).
setup-torch: .venv/torch-installed
# Jupyter's nbclient and kernel, pypdf: to build and test assignments/numpy_rnn/notebooks/ and assignments/numpy_rnn/lstm_bptt.pdf (CI installs them).
setup-docs: .venv/docs-installed

.venv/installed: requirements.txt
	$(PYTHON) -m venv .venv
	.venv/bin/pip install -q --upgrade pip
	.venv/bin/pip install -q -r requirements.txt
	touch $@

.venv/torch-installed: .venv/installed assignments/palindrome_pytorch/requirements.txt
	.venv/bin/pip install -q -r assignments/palindrome_pytorch/requirements.txt || \
		.venv/bin/pip install -q -r assignments/palindrome_pytorch/requirements.txt --extra-index-url https://download.pytorch.org/whl/cpu
	touch $@

.venv/docs-installed: .venv/installed tools/requirements-docs.txt
	.venv/bin/pip install -q -r tools/requirements-docs.txt
	touch $@

.venv36/installed: requirements-tf1.5.txt
	@test -x "$(PY36)" || { echo "error: Python 3.6 not found; install it (pyenv install 3.6.15) or pass PY36=/path/to/python3.6"; exit 1; }
	"$(PY36)" -m venv .venv36
	.venv36/bin/pip install -q pip==21.3.1
	.venv36/bin/pip install -q -r requirements-tf1.5.txt
	touch $@

run: $(VENV_$(RUNTIME))/installed
	$(RUN_PY) main.py --model=$(MODEL) --train --hidden_unit=$(HIDDEN) --data_dir=$(DATA_DIR) --download
	$(RUN_PY) main.py --model=$(MODEL) --test --hidden_unit=$(HIDDEN) --data_dir=$(DATA_DIR)

results: $(VENV_$(RUNTIME))/installed
	$(RUN_PY) tools/reproduce.py --data_dir=$(DATA_DIR) --jobs=$(JOBS) --recipes="$${RECIPES:-recorded}" \
		$$([ "$${RECIPES:-recorded}" = recorded ] || echo --train_only)

# Both legs at once, each in its own process (measured: about 19 minutes for both on two cores, against 34 one
# after the other); each leg's output is printed whole when it ends.
test:
	$(MAKE) --no-print-directory -j2 --output-sync=target test-modern test-tf1.5

# The edit-test loop: everything but the slow tests (training, real MNIST, the browser), modern runtime.
test-fast: .venv/installed
	.venv/bin/python -m pytest -q -m "not slow"

# Every hand-in, each under the name its assignment gives it: make handin ROLL=<roll> [AUTHOR='<your name>']
# [IE643_Q2=<your Question 2 notebook>.ipynb]
# [ASSIGNMENT=a4|cs324|ee6123|ie643|no-rnn-api];
# without ROLL it lists them.
handin: .venv/installed
	@if [ -z "$$ROLL" ]; then .venv/bin/python tools/handin.py --list; \
	else .venv/bin/python tools/handin.py --roll="$$ROLL" --author="$$AUTHOR" --assignment="$${ASSIGNMENT:-all}" \
		$${IE643_Q2:+--ie643_q2="$$IE643_Q2"}; fi

# The assignment's zip: make submission ROLL=<your roll number> [A3=<your Assignment 3 accuracy in %>]
submission: .venv/installed
	.venv/bin/python tools/handin.py --roll="$$ROLL" $${A3:+--a3="$$A3"} $${WEIGHTS:+--weights="$$WEIGHTS"}

test-modern: .venv/installed
	.venv/bin/python -m pytest -q

# In CI (CI=true) the pinned leg must run; elsewhere it is skipped, visibly, if Python 3.6 is missing.
test-tf1.5:
	@if [ -x "$(PY36)" ] || [ "$$CI" = "true" ]; then \
		$(MAKE) --no-print-directory .venv36/installed && .venv36/bin/python -m pytest -q; \
	else \
		echo "SKIPPED: the TensorFlow 1.5 leg, because Python 3.6 was not found (set PY36=...)"; \
	fi

clean-venvs:
	rm -rf .venv .venv36
