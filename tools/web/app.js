// The page: draw a digit, watch the cell read it row by row (tools/web/rnn.js does the numbers).
(function () {
  "use strict";
  var ROW_MS = 70, UNITS = 16;  // animation speed; units shown per heatmap (those whose h changes most)
  var pad = document.getElementById("pad"), padCtx = pad.getContext("2d");
  var input = document.getElementById("input"), inputCtx = input.getContext("2d");
  var choice = document.getElementById("config"), status = document.getElementById("status");
  var drawing = false, last = null, timer = null, current = null;

  function clearPad() {
    padCtx.fillStyle = "#000";
    padCtx.fillRect(0, 0, pad.width, pad.height);
  }

  // Nothing on the pad means nothing shown: no answer, bars, preview, history or gates of an earlier digit.
  function resetPanels() {
    if (timer) clearTimeout(timer);
    current = null;
    window.lastReading = null;
    document.getElementById("prediction").textContent = "?";
    document.getElementById("row").textContent = "";
    for (var d = 0; d < 10; d++) {
      document.getElementById("bar" + d).style.width = "0";
      document.getElementById("bar" + d).className = "bar";
      document.getElementById("p" + d).textContent = "";
    }
    inputCtx.clearRect(0, 0, input.width, input.height);
    var history = document.getElementById("history");
    history.getContext("2d").clearRect(0, 0, history.width, history.height);
    document.getElementById("gates").innerHTML = "";
    label("input", "What the network reads: nothing drawn yet");
    label("bars", "Probabilities of the digits: nothing read yet");
    label("history", "Probability of each digit after each row: nothing read yet");
    document.getElementById("announce").textContent = "";
    document.body.setAttribute("data-read", "empty");
  }

  function label(id, text) { document.getElementById(id).setAttribute("aria-label", text); }

  // --- the keyboard: a pen that the arrow keys move (Space lifts or lowers it, Enter reads, Escape clears) ---
  var pen = {x: pad.width / 2, y: pad.height / 2, down: false}, STEP = pad.width / 28;
  function sayPen() {
    document.getElementById("pen").textContent = "pen " + (pen.down ? "down" : "up") + " at column " +
      Math.round(pen.x / STEP) + ", row " + Math.round(pen.y / STEP) + " of 28";
  }
  pad.addEventListener("keydown", function (event) {
    var moves = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]}, move = moves[event.key];
    if (move) {
      var from = {x: pen.x, y: pen.y};
      pen.x = Math.max(0, Math.min(pad.width, pen.x + move[0] * STEP));
      pen.y = Math.max(0, Math.min(pad.height, pen.y + move[1] * STEP));
      if (pen.down) stroke(from, pen);
      sayPen();
    } else if (event.key === " ") {
      pen.down = !pen.down;
      if (pen.down) stroke(pen, pen);
      sayPen();
    } else if (event.key === "Enter") {
      read();
    } else if (event.key === "Escape") {
      clearAll();
    } else {
      return;
    }
    event.preventDefault();
  });
  function clearAll() { clearPad(); resetPanels(); pen.down = false; }

  // --- drawing: pointer events cover mouse, pen and finger ---
  function at(event) {
    var box = pad.getBoundingClientRect();
    return {x: (event.clientX - box.left) * pad.width / box.width, y: (event.clientY - box.top) * pad.height / box.height};
  }
  pad.addEventListener("pointerdown", function (event) {
    drawing = true; last = at(event);
    if (pad.setPointerCapture) pad.setPointerCapture(event.pointerId);
    stroke(last, last);
    event.preventDefault();
  });
  pad.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    var point = at(event);
    stroke(last, point);
    last = point;
    event.preventDefault();
  });
  function finish() { if (drawing) { drawing = false; read(); } }
  pad.addEventListener("pointerup", finish);
  pad.addEventListener("pointercancel", finish);
  function stroke(from, to) {
    padCtx.strokeStyle = "#fff"; padCtx.lineWidth = pad.width / 12; padCtx.lineCap = "round"; padCtx.lineJoin = "round";
    padCtx.beginPath(); padCtx.moveTo(from.x, from.y); padCtx.lineTo(to.x, to.y); padCtx.stroke();
  }

  // --- reading ---
  function read() {
    var w = MNIST_RNN.loaded[choice.value];
    if (!w) return;
    var pixels = padCtx.getImageData(0, 0, pad.width, pad.height).data;
    var image = MNIST_RNN.preprocess(pixels, pad.width, pad.height);
    if (!image) { resetPanels(); return; }  // nothing drawn: nothing of an earlier digit or model may stay
    show(w, image, MNIST_RNN.forward(w, image));
  }

  function show(w, image, result) {
    var busiest = busiestUnits(result.trace.h), final = argmax(result.probabilities[27]);
    current = {config: w.name, image: Array.from(image), probabilities: result.probabilities, prediction: final, done: false};
    window.lastReading = current;  // for the page's test (tests/test_web.py)
    buildPanels(w, result);
    if (timer) clearTimeout(timer);
    var t = 0, reading = current;
    (function next() {
      drawStep(w, image, result, busiest, t);
      if (t === 27) {
        reading.done = true;
        announce(w, result.probabilities[27]);
        document.body.setAttribute("data-read", "done");
        return;
      }
      t += 1;
      timer = setTimeout(next, window.ROW_MS !== undefined ? window.ROW_MS : ROW_MS);
    })();
    document.body.setAttribute("data-read", "reading");
  }

  function announce(w, p) {  // the answer in words, for screen readers (an aria-live region) and the labels
    var order = p.map(function (v, d) { return [v, d]; }).sort(function (a, b) { return b[0] - a[0]; });
    var words = "The " + w.model.toUpperCase() + " reads " + order[0][1] + " (" + (100 * order[0][0]).toFixed(1) +
      "%), then " + order[1][1] + " (" + (100 * order[1][0]).toFixed(1) + "%), after all 28 rows.";
    document.getElementById("announce").textContent = words;
    label("bars", "Probabilities of the digits: " + order.map(function (o) { return o[1] + " " + (100 * o[0]).toFixed(1) + "%"; }).join(", "));
    label("input", "What the network reads: the drawing, cropped and centred to 28 by 28 pixels");
    label("history", "Probability of each digit after each row; after row 28 the highest is " + order[0][1]);
  }

  function argmax(values) { var best = 0; for (var k = 1; k < values.length; k++) if (values[k] > values[best]) best = k; return best; }

  function busiestUnits(hs) {  // units ordered by the spread of h over the 28 rows
    var H = hs[0].length, spread = [];
    for (var u = 0; u < H; u++) {
      var mean = 0, sq = 0;
      for (var t = 0; t < 28; t++) mean += hs[t][u] / 28;
      for (t = 0; t < 28; t++) sq += (hs[t][u] - mean) * (hs[t][u] - mean);
      spread.push([sq, u]);
    }
    spread.sort(function (p, q) { return q[0] - p[0] || p[1] - q[1]; });
    return spread.slice(0, Math.min(UNITS, H)).map(function (p) { return p[1]; });
  }

  function buildPanels(w, result) {
    var holder = document.getElementById("gates");
    holder.innerHTML = "";
    Object.keys(result.trace).forEach(function (name) {
      var figure = document.createElement("figure"), canvas = document.createElement("canvas"), label = document.createElement("figcaption");
      canvas.width = 28 * 10; canvas.height = UNITS * 6; canvas.id = "heat-" + name;
      var kind = name === "c" || name === "h" ? "state" : (name === "g" || name === "n" ? "candidate" : "gate");
      label.textContent = name + " (" + kind + "), rows 1-28 across";
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", name + " (" + kind + ") of the " + UNITS + " busiest units over the 28 rows, as colours");
      figure.appendChild(label); figure.appendChild(canvas); holder.appendChild(figure);
    });
  }

  // colours: gates in [0, 1] dark to bright; signed values (g, n, c, h) blue - white - red over [-1, 1]
  function gateColour(v) { v = Math.max(0, Math.min(1, v)); return "rgb(" + Math.round(255 * Math.sqrt(v)) + "," + Math.round(200 * v * v) + "," + Math.round(80 * (1 - v)) + ")"; }
  function signedColour(v) {
    v = Math.max(-1, Math.min(1, v));
    var a = Math.round(255 * (1 - Math.abs(v)));
    return v >= 0 ? "rgb(255," + a + "," + a + ")" : "rgb(" + a + "," + a + ",255)";
  }

  function drawStep(w, image, result, busiest, t) {
    // the input as MNIST sees it, the row being read marked
    var cell = input.width / 28;
    for (var y = 0; y < 28; y++) for (var x = 0; x < 28; x++) {
      var v = Math.round(255 * image[y * 28 + x]);
      inputCtx.fillStyle = "rgb(" + v + "," + v + "," + v + ")";
      inputCtx.fillRect(x * cell, y * cell, cell, cell);
    }
    inputCtx.strokeStyle = "#e33"; inputCtx.lineWidth = 2;
    inputCtx.strokeRect(0, t * cell, input.width, cell);
    // the classifier after row t: bars, and the probabilities of every row so far
    var p = result.probabilities[t], best = argmax(p);
    document.getElementById("prediction").textContent = String(best);
    document.getElementById("row").textContent = "after row " + (t + 1) + " of 28";
    for (var d = 0; d < 10; d++) {
      var bar = document.getElementById("bar" + d);
      bar.style.width = (100 * p[d]).toFixed(1) + "%";
      bar.className = d === best ? "bar best" : "bar";
      document.getElementById("p" + d).textContent = (100 * p[d]).toFixed(1) + "%";
    }
    var history = document.getElementById("history").getContext("2d"), hw = 10, hh = 10;
    for (d = 0; d < 10; d++) {
      var q = result.probabilities[t][d];
      history.fillStyle = "rgb(" + Math.round(30 + 220 * q) + "," + Math.round(30 + 190 * q) + "," + Math.round(90 - 60 * q) + ")";
      history.fillRect(t * hw, (9 - d) * hh, hw, hh);
    }
    Object.keys(result.trace).forEach(function (name) {
      var canvas = document.getElementById("heat-" + name), ctx = canvas.getContext("2d"), values = result.trace[name][t];
      var signed = name === "g" || name === "n" || name === "c" || name === "h";
      busiest.forEach(function (unit, k) {
        ctx.fillStyle = signed ? signedColour(values[unit]) : gateColour(values[unit]);
        ctx.fillRect(t * 10, k * 6, 10, 6);
      });
    });
  }

  function say(text) { status.textContent = text; }

  // --- weights: one script per configuration (tools/web/weights/<config>.js, written by tools/export_weights.py) ---
  function load(name) {
    say("loading " + name + " ...");
    if (MNIST_RNN.loaded[name]) { ready(MNIST_RNN.loaded[name]); return; }
    var script = document.createElement("script");
    script.src = "weights/" + name + ".js";
    script.onerror = function () { say("tools/web/weights/" + name + ".js is missing: run python tools/export_weights.py"); };
    script.onload = function () {  // it ran; if it gave no usable weights of this name, say so instead of waiting
      if (!MNIST_RNN.loaded[name] && choice.value === name && !damaged[name]) {
        damage(name, "it did not register " + name + "'s weights");
      }
    };
    document.head.appendChild(script);
  }
  var damaged = {};
  function damage(name, why) {
    damaged[name] = true;
    say("tools/web/weights/" + name + ".js cannot be used (" + why + "): run python tools/export_weights.py");
    document.body.setAttribute("data-weights", "");
  }
  MNIST_RNN.onFailure(function (name, why) { damage(name || choice.value, why); });
  function ready(w) {
    if (w.name !== choice.value) return;
    var accuracy = w.test_accuracy ? ", " + (100 * w.test_accuracy).toFixed(2) + "% on the MNIST test set" : "";
    say(w.model.toUpperCase() + " with " + w.hidden + " units (" + w.checkpoint + accuracy + "). Draw a digit.");
    document.title = "Watch " + (w.model === "lstm" ? "an LSTM" : "a " + w.model.toUpperCase()) + " read your digit";
    document.body.setAttribute("data-weights", w.name);
    read();
  }
  MNIST_RNN.onLoad(ready);

  var entries = MNIST_RNN.menu();
  if (!entries || !entries.length) {
    say("tools/web/weights/index.js lists no configurations: run python tools/export_weights.py");
    return;
  }
  if (!entries.every(function (e) { return e && typeof e.name === "string" && typeof e.model === "string"; })) {
    say("tools/web/weights/index.js is damaged (an entry without a name or model): run python tools/export_weights.py");
    return;
  }
  entries.forEach(function (e) {
    var option = document.createElement("option");
    option.value = e.name;
    option.textContent = e.model.toUpperCase() + " " + e.hidden + (e.test_accuracy ? " (" + (100 * e.test_accuracy).toFixed(2) + "%)" : "");
    choice.appendChild(option);
  });
  choice.value = entries.some(function (e) { return e.name === "lstm_h128"; }) ? "lstm_h128" : entries[0].name;
  choice.addEventListener("change", function () { load(choice.value); });
  document.getElementById("clear").addEventListener("click", clearAll);
  clearPad();
  resetPanels();
  sayPen();
  load(choice.value);
  window.readDrawing = read;
})();
