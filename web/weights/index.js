// Written by export_weights.py: the configurations in this folder, for the page's menu.
MNIST_RNN.available([
 {
  "checkpoint": "best-59",
  "gates": [
   "i",
   "f",
   "o",
   "g"
  ],
  "hidden": 32,
  "model": "lstm",
  "name": "lstm_h32",
  "test_accuracy": 0.9903
 },
 {
  "checkpoint": "best-44",
  "gates": [
   "i",
   "f",
   "o",
   "g"
  ],
  "hidden": 64,
  "model": "lstm",
  "name": "lstm_h64",
  "test_accuracy": 0.9883
 },
 {
  "checkpoint": "best-24",
  "gates": [
   "i",
   "f",
   "o",
   "g"
  ],
  "hidden": 128,
  "model": "lstm",
  "name": "lstm_h128",
  "test_accuracy": 0.99
 },
 {
  "checkpoint": "best-23",
  "gates": [
   "i",
   "f",
   "o",
   "g"
  ],
  "hidden": 256,
  "model": "lstm",
  "name": "lstm_h256",
  "test_accuracy": 0.9903
 },
 {
  "checkpoint": "best-57",
  "gates": [
   "r",
   "z",
   "n"
  ],
  "hidden": 32,
  "model": "gru",
  "name": "gru_h32",
  "test_accuracy": 0.9899
 },
 {
  "checkpoint": "best-27",
  "gates": [
   "r",
   "z",
   "n"
  ],
  "hidden": 64,
  "model": "gru",
  "name": "gru_h64",
  "test_accuracy": 0.9869
 },
 {
  "checkpoint": "best-25",
  "gates": [
   "r",
   "z",
   "n"
  ],
  "hidden": 128,
  "model": "gru",
  "name": "gru_h128",
  "test_accuracy": 0.9904
 },
 {
  "checkpoint": "best-15",
  "gates": [
   "r",
   "z",
   "n"
  ],
  "hidden": 256,
  "model": "gru",
  "name": "gru_h256",
  "test_accuracy": 0.9902
 }
]);
