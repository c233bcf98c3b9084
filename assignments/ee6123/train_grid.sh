#!/usr/bin/env bash
# EE6123 Question 1's runs in the background, one at a time, cheapest comparisons first, so that whatever
# finishes is whole rows of three seeds (#45). Each q1.py call skips the seeds already tested and resumes an
# interrupted one; kill it and start it again at any time:
#     nohup nice -n 10 bash assignments/ee6123/train_grid.sh > runs/ee6123/train_grid.log 2>&1 &
# Pass DATA=<folder> for MNIST elsewhere than ../data.
set -u
cd "$(dirname "$0")/../.."
P=${PYTHON:-.venv/bin/python}
DATA=${DATA:-../data}
q1() { echo "[$(date '+%F %T')] q1.py $*"; $P assignments/ee6123/q1.py --data_dir="$DATA" "$@" || echo "[$(date '+%F %T')] failed: $*"; }
# The vanilla RNN's rate, on validation (one seed of RNN-128, one way).
q1 --model RNN --bi 0 -l 128 --seeds 1 --rates 0.01,0.003,0.001
# Question 3's hidden sizes (seconds each; the runs already in results/tasks/ are skipped).
echo "[$(date '+%F %T')] q3.py --loss MSE,CE --L 5 --H 2,3,5,10"
$P assignments/ee6123/q3.py --loss MSE,CE --L 5 --H 2,3,5,10 > /dev/null || echo "[$(date '+%F %T')] failed: q3.py"
# The gates (128 units, one way), then both directions (128), then width (64), then depth (64,64).
for m in LSTM GRU RNN; do q1 --model $m --bi 0 -l 128; done
for m in LSTM RNN GRU; do q1 --model $m --bi 1 -l 128; done
for m in LSTM GRU RNN; do q1 --model $m --bi 0 -l 64; done
for m in LSTM GRU RNN; do q1 --model $m --bi 0 -l 64,64; done
for m in LSTM GRU RNN; do q1 --model $m --bi 1 -l 64; done
for m in LSTM GRU RNN; do q1 --model $m --bi 1 -l 64,64; done
echo "[$(date '+%F %T')] done"
