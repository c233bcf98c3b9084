// Written by tools/export_weights.py: the configurations in this folder, for the page's menu.
MNIST_RNN.available([
 {
  "checkpoint": "best-25",
  "gates": [
   "i",
   "f",
   "o",
   "g"
  ],
  "hidden": 32,
  "model": "lstm",
  "name": "lstm_h32",
  "test_accuracy": 0.9886
 },
 {
  "checkpoint": "best-12",
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
  "checkpoint": "best-12",
  "gates": [
   "i",
   "f",
   "o",
   "g"
  ],
  "hidden": 128,
  "model": "lstm",
  "name": "lstm_h128",
  "test_accuracy": 0.9938
 },
 {
  "checkpoint": "best-7",
  "gates": [
   "i",
   "f",
   "o",
   "g"
  ],
  "hidden": 256,
  "model": "lstm",
  "name": "lstm_h256",
  "test_accuracy": 0.9941
 },
 {
  "checkpoint": "best-31",
  "gates": [
   "r",
   "z",
   "n"
  ],
  "hidden": 32,
  "model": "gru",
  "name": "gru_h32",
  "test_accuracy": 0.9889
 },
 {
  "checkpoint": "best-19",
  "gates": [
   "r",
   "z",
   "n"
  ],
  "hidden": 64,
  "model": "gru",
  "name": "gru_h64",
  "test_accuracy": 0.9921
 },
 {
  "checkpoint": "best-10",
  "gates": [
   "r",
   "z",
   "n"
  ],
  "hidden": 128,
  "model": "gru",
  "name": "gru_h128",
  "test_accuracy": 0.9937
 },
 {
  "checkpoint": "best-8",
  "gates": [
   "r",
   "z",
   "n"
  ],
  "hidden": 256,
  "model": "gru",
  "name": "gru_h256",
  "test_accuracy": 0.9934
 }
]);
