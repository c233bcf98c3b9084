#!/usr/bin/env bash
# Every memory-task run behind results/tasks/ (#25), cheapest first; each appends its JSON lines to
# results/tasks/<task>.jsonl, and `python assignments/memory/sequence_tasks.py --plot` then writes the figures and README.
# About 2 hours of training in all (the files record each run's seconds and machine); in the background:
#     nohup bash assignments/memory/experiments.sh > runs/tasks.log 2>&1 &
# A run already in the files is trained again and appended: start from empty files for a clean set.
# Then assignments/memory/more_seeds_t30.sh: ten more seeds of the vanilla RNN at T = 30 (TensorFlow and PyTorch).
set -u
cd "$(dirname "$0")/../.."
P=${PYTHON:-.venv/bin/python}
run() { echo "[$(date '+%F %T')] $*"; $P assignments/memory/sequence_tasks.py "$@" > /dev/null || echo "[$(date '+%F %T')] failed: $*"; }
run --task=recall --model=lstm --hidden=2,5,10 --seeds=1,2,3,4,5
run --task=binary_addition --model=lstm --length=3,5,10 --loss=ce,mse --seeds=1,2,3,4,5
run --task=palindrome --model=rnn,lstm,gru --length=5,10,15,20,30 --seeds=1,2,3,4,5
# One factor at a time at T = 20 against the assignment's setting:
run --task=palindrome --model=rnn --length=20 --encoding=onehot --seeds=1,2,3,4,5
run --task=palindrome --model=rnn,lstm,gru --length=20 --recurrent_init=gaussian --seeds=1,2,3,4,5
run --task=palindrome --model=lstm,gru --length=20 --keep_bias=0 --seeds=1,2,3,4,5
echo "[$(date '+%F %T')] done; now: $P assignments/memory/sequence_tasks.py --plot"
