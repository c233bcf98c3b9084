#!/usr/bin/env bash
# The palindrome assignment's experiment in PyTorch (#26): RNN and LSTM over T = 5, 10, 15, 20, 30, 5 seeds
# each, in the course skeleton's setting (train.py's defaults). Two queues side by side (one per model; each
# run uses one CPU thread); each run appends its line to results/tasks/palindrome_pytorch.jsonl.
#     nohup bash assignments/palindrome_pytorch/experiments.sh > runs/palindrome_pytorch.log 2>&1 &
# Then python assignments/memory/sequence_tasks.py --plot puts them beside the TensorFlow runs in results/tasks/README.md.
set -u
cd "$(dirname "$0")/../.."
P=${PYTHON:-.venv/bin/python}
queue() {
  for T in 5 10 15 20 30; do
    for S in 1 2 3 4 5; do
      echo "[$(date '+%F %T')] $1 T=$T seed $S"
      $P assignments/palindrome_pytorch/train.py --model_type="$1" --input_length="$((T - 1))" --seed="$S" --results=results/tasks/palindrome_pytorch.jsonl > /dev/null \
        || echo "[$(date '+%F %T')] failed: $1 T=$T seed $S"
    done
  done
}
queue RNN & queue LSTM & wait
echo "[$(date '+%F %T')] done"
# The ablation behind the one difference from TensorFlow's runs (the vanilla RNN at T = 30): RMSprop's mean
# square started at 1, as TensorFlow's is, instead of PyTorch's 0.
ablation() { for S in "$@"; do
  echo "[$(date '+%F %T')] RNN T=30 seed $S, --rmsprop_start=1"
  $P assignments/palindrome_pytorch/train.py --model_type=RNN --input_length=29 --seed="$S" --rmsprop_start=1 --results=results/tasks/palindrome_pytorch.jsonl > /dev/null \
    || echo "[$(date '+%F %T')] failed: RNN T=30 seed $S --rmsprop_start=1"
done; }
ablation 1 2 3 & ablation 4 5 & wait
echo "[$(date '+%F %T')] ablation done"
