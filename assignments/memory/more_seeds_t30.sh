#!/usr/bin/env bash
# Ten more seeds (6-15) of the three groups behind the one framework difference at T = 30 (#26): the vanilla
# RNN in TensorFlow (assignments/memory/sequence_tasks.py), in PyTorch on the course skeleton, and PyTorch with RMSprop's mean
# square started at TensorFlow's 1. With 5 seeds they tied by the comparison rule (3/5, 0/5, 1/5 reached the
# target). Two queues side by side, about 20 minutes on two cores; each run appends to results/tasks/.
#     nohup bash assignments/memory/more_seeds_t30.sh > runs/more_seeds_t30.log 2>&1 &
set -u
cd "$(dirname "$0")/../.."
P=${PYTHON:-.venv/bin/python}
SEEDS="6 7 8 9 10 11 12 13 14 15"
torch_run() {  # seed, then train.py's extra flags
  local S=$1; shift
  echo "[$(date '+%F %T')] PyTorch RNN T=30 seed $S $*"
  $P assignments/palindrome_pytorch/train.py --model_type=RNN --input_length=29 --seed="$S" --results=results/tasks/palindrome_pytorch.jsonl "$@" > /dev/null \
    || echo "[$(date '+%F %T')] failed: PyTorch RNN T=30 seed $S $*"
}
queue_a() {
  echo "[$(date '+%F %T')] TensorFlow RNN T=30 seeds $SEEDS"
  $P assignments/memory/sequence_tasks.py --task=palindrome --model=rnn --length=30 --seeds="${SEEDS// /,}" > /dev/null \
    || echo "[$(date '+%F %T')] failed: TensorFlow RNN T=30"
  for S in 6 7 8 9 10; do torch_run "$S" --rmsprop_start=1; done
}
queue_b() {
  for S in $SEEDS; do torch_run "$S"; done
  for S in 11 12 13 14 15; do torch_run "$S" --rmsprop_start=1; done
}
queue_a & queue_b & wait
echo "[$(date '+%F %T')] done"
