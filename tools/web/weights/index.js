// Written by tools/export_weights.py: the configurations in this folder, for the page's menu.
MNIST_RNN.available([
 {
  "checkpoint": "best-76",
  "gates": [
   "i",
   "f",
   "o",
   "g"
  ],
  "hidden": 32,
  "model": "lstm",
  "name": "lstm_h32",
  "test_accuracy": 0.9906
 },
 {
  "checkpoint": "best-46",
  "gates": [
   "i",
   "f",
   "o",
   "g"
  ],
  "hidden": 64,
  "model": "lstm",
  "name": "lstm_h64",
  "test_accuracy": 0.9933
 },
 {
  "checkpoint": "best-26",
  "gates": [
   "i",
   "f",
   "o",
   "g"
  ],
  "hidden": 128,
  "model": "lstm",
  "name": "lstm_h128",
  "test_accuracy": 0.993
 },
 {
  "checkpoint": "best-40",
  "gates": [
   "i",
   "f",
   "o",
   "g"
  ],
  "hidden": 256,
  "model": "lstm",
  "name": "lstm_h256",
  "test_accuracy": 0.9939
 },
 {
  "checkpoint": "best-65",
  "gates": [
   "r",
   "z",
   "n"
  ],
  "hidden": 32,
  "model": "gru",
  "name": "gru_h32",
  "test_accuracy": 0.9915
 },
 {
  "checkpoint": "best-75",
  "gates": [
   "r",
   "z",
   "n"
  ],
  "hidden": 64,
  "model": "gru",
  "name": "gru_h64",
  "test_accuracy": 0.994
 },
 {
  "checkpoint": "best-37",
  "gates": [
   "r",
   "z",
   "n"
  ],
  "hidden": 128,
  "model": "gru",
  "name": "gru_h128",
  "test_accuracy": 0.9932
 },
 {
  "checkpoint": "best-35",
  "gates": [
   "r",
   "z",
   "n"
  ],
  "hidden": 256,
  "model": "gru",
  "name": "gru_h256",
  "test_accuracy": 0.993
 }
]);
