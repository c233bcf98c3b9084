// The hand-written cells of cells.py, run in the browser: no DOM here, only numbers.
//
//   MNIST_RNN.register(weights)     called by tools/web/weights/<config>.js (tools/export_weights.py)
//   MNIST_RNN.forward(w, image)     image: 784 pixels in [0, 1], row-major, light digit on dark
//       -> {probabilities: 28 x [10], trace: {i: 28 x [H], f: ..., c: ..., h: ...}}
//   MNIST_RNN.preprocess(rgba, width, height)   a drawing -> 784 pixels in MNIST's form, or null if blank
//
// The equations, gate order as stored (tools/export_weights.py, cells.py):
//   LSTM [i, f, o, g]: i, f, o = sigmoid(x W_x + h W_h + b), g = tanh(...); c = g*i + c_prev*f; h = tanh(c)*o
//   GRU  [r, z, n]:    r, z = sigmoid(x W_x + h W_h + b); n = tanh(x W_nx + (r*h) W_nh + b_n);
//                      h = z*h_prev + (1 - z)*n
// The classifier (logits = h W + b, softmax) is applied to h(t) after every row t; the models were
// trained on the last row only, so earlier rows show what the same classifier makes of part of a digit.
// Arithmetic is in doubles (JavaScript numbers), as helpers/explain.py does it in NumPy.
var MNIST_RNN = (function () {
  "use strict";
  var loaded = {}, listeners = [], failures = [], menu = null;
  var BLOCKS = {lstm: 4, gru: 3, rnn: 1};

  function decode(name, base64, shape) {  // little-endian float32, row-major -> Float64Array, checked
    if (typeof base64 !== "string") throw new Error(name + " is missing");
    var bytes = atob(base64), buffer = new ArrayBuffer(bytes.length), view = new DataView(buffer);
    var size = shape.reduce(function (a, b) { return a * b; }, 1);
    if (bytes.length !== 4 * size) throw new Error(name + " holds " + bytes.length / 4 + " numbers, not " + size);
    for (var k = 0; k < bytes.length; k++) view.setUint8(k, bytes.charCodeAt(k));
    var out = new Float64Array(size);
    for (var j = 0; j < size; j++) {
      out[j] = view.getFloat32(4 * j, true);
      if (!isFinite(out[j])) throw new Error(name + " holds a number that is not finite");
    }
    out.shape = shape;
    return out;
  }

  function build(raw) {  // the weights, each array's shape checked against the model's (throws on any problem)
    var m = raw.model, H = raw.hidden, k = BLOCKS[m];
    if (!k) throw new Error("its model is " + JSON.stringify(m) + ", not lstm, gru or rnn");
    if (!(H > 0 && H % 1 === 0)) throw new Error("its hidden size is " + JSON.stringify(H));
    var want = {}, w = {name: raw.name, model: m, hidden: H, gates: raw.gates, checkpoint: raw.checkpoint,
                        test_accuracy: raw.test_accuracy};
    want[m + "/W_x"] = [28, k * H]; want[m + "/W_h"] = [H, k * H]; want[m + "/b"] = [k * H];
    want["logits/W"] = [H, 10]; want["logits/b"] = [10];
    Object.keys(want).forEach(function (name) {
      if (JSON.stringify((raw.shapes || {})[name]) !== JSON.stringify(want[name])) {
        throw new Error(name + " has shape " + JSON.stringify((raw.shapes || {})[name]) + ", not " + JSON.stringify(want[name]));
      }
    });
    w.Wx = decode(m + "/W_x", raw.arrays[m + "/W_x"], want[m + "/W_x"]);  // [28, kH]
    w.Wh = decode(m + "/W_h", raw.arrays[m + "/W_h"], want[m + "/W_h"]);  // [H, kH]
    w.b = decode(m + "/b", raw.arrays[m + "/b"], want[m + "/b"]);        // [kH]
    w.Wo = decode("logits/W", raw.arrays["logits/W"], want["logits/W"]);   // [H, 10]
    w.bo = decode("logits/b", raw.arrays["logits/b"], want["logits/b"]);   // [10]
    return w;
  }

  function register(raw) {
    var w, name = raw && typeof raw.name === "string" ? raw.name : null;
    try {
      if (!name) throw new Error("it names no configuration");
      if (!raw.arrays) throw new Error("it holds no arrays");
      w = build(raw);
    } catch (e) {
      failures.forEach(function (f) { f(name, e.message); });
      return;
    }
    loaded[name] = w;
    listeners.forEach(function (f) { f(w); });
  }

  function sigmoid(x) { return 1 / (1 + Math.exp(-x)); }

  // out[j] += sum_i v[i] M[i, j] for columns from..to-1 of a row-major [rows, cols] matrix
  function addProduct(out, v, M, cols, from, to) {
    for (var i = 0; i < v.length; i++) {
      var vi = v[i];
      if (vi === 0) continue;
      var row = i * cols;
      for (var j = from; j < to; j++) out[j - from] += vi * M[row + j];
    }
  }

  function softmax(logits) {
    var top = Math.max.apply(null, logits), sum = 0, p = new Array(logits.length);
    for (var k = 0; k < logits.length; k++) { p[k] = Math.exp(logits[k] - top); sum += p[k]; }
    for (k = 0; k < p.length; k++) p[k] /= sum;
    return p;
  }

  function forward(w, image) {
    var H = w.hidden, blocks = w.gates.length, cols = blocks * H, lstm = w.model === "lstm";
    var h = new Float64Array(H), c = new Float64Array(H), probabilities = [], trace = {};
    w.gates.concat(lstm ? ["c", "h"] : ["h"]).forEach(function (k) { trace[k] = []; });
    for (var t = 0; t < 28; t++) {
      var x = Array.prototype.slice.call(image, 28 * t, 28 * t + 28);  // row t: [28]
      var a = Float64Array.from(w.b);                                // b + x W_x: [kH]
      addProduct(a, x, w.Wx, cols, 0, cols);
      var step = {};
      if (lstm) {  // gate order i, f, o, g
        var rec = new Float64Array(cols);
        addProduct(rec, h, w.Wh, cols, 0, cols);
        var i = new Float64Array(H), f = new Float64Array(H), o = new Float64Array(H), g = new Float64Array(H);
        for (var u = 0; u < H; u++) {
          i[u] = sigmoid(a[u] + rec[u]);
          f[u] = sigmoid(a[H + u] + rec[H + u]);
          o[u] = sigmoid(a[2 * H + u] + rec[2 * H + u]);
          g[u] = Math.tanh(a[3 * H + u] + rec[3 * H + u]);
          c[u] = g[u] * i[u] + c[u] * f[u];
          h[u] = Math.tanh(c[u]) * o[u];
        }
        step = {i: i, f: f, o: o, g: g, c: Float64Array.from(c), h: Float64Array.from(h)};
      } else {     // gate order r, z, n; the reset gate acts before the recurrent product of n
        var rz = new Float64Array(2 * H);
        addProduct(rz, h, w.Wh, cols, 0, 2 * H);
        var r = new Float64Array(H), z = new Float64Array(H), rh = new Float64Array(H);
        for (u = 0; u < H; u++) {
          r[u] = sigmoid(a[u] + rz[u]);
          z[u] = sigmoid(a[H + u] + rz[H + u]);
          rh[u] = r[u] * h[u];
        }
        var nr = new Float64Array(H), n = new Float64Array(H);
        addProduct(nr, rh, w.Wh, cols, 2 * H, 3 * H);
        for (u = 0; u < H; u++) {
          n[u] = Math.tanh(a[2 * H + u] + nr[u]);
          h[u] = z[u] * h[u] + (1 - z[u]) * n[u];
        }
        step = {r: r, z: z, n: n, h: Float64Array.from(h)};
      }
      for (var key in trace) trace[key].push(step[key]);
      var logits = Array.prototype.slice.call(w.bo);  // h(t) W + b: [10]
      addProduct(logits, h, w.Wo, 10, 0, 10);
      probabilities.push(softmax(logits));
    }
    return {probabilities: probabilities, trace: trace};
  }

  // --- MNIST's form, as data_loader.load_digit_image makes it (with Pillow's Lanczos resampling) ---

  function median(values) {
    var s = values.slice().sort(function (p, q) { return p - q; }), m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  function roundHalfEven(x) {  // Python's round()
    var r = Math.round(x);
    return (Math.abs(x % 1) === 0.5 && r % 2 !== 0) ? r - 1 : r;
  }

  function lanczos(x) {
    function sinc(v) { if (v === 0) return 1; v *= Math.PI; return Math.sin(v) / v; }
    return (x > -3 && x < 3) ? sinc(x) * sinc(x / 3) : 0;
  }

  // One pass of Pillow's resampling (ImagingResample, 8-bit): lines of `inSize` -> `outSize`, rounded to 0..255.
  function resamplePass(src, lines, inSize, outSize, stride, step) {
    var scale = inSize / outSize, filterScale = Math.max(scale, 1), support = 3 * filterScale;
    var out = new Float64Array(lines * outSize), PRECISION = 22;
    for (var o = 0; o < outSize; o++) {
      var centre = (o + 0.5) * scale, lo = Math.max(Math.floor(centre - support + 0.5), 0);
      var hi = Math.min(Math.floor(centre + support + 0.5), inSize), weights = [], total = 0;
      for (var x = lo; x < hi; x++) { var wgt = lanczos((x - centre + 0.5) / filterScale); weights.push(wgt); total += wgt; }
      // Pillow turns the normalised weights into 22-bit fixed point and rounds the sum
      var fixed = weights.map(function (v) {
        var q = (total ? v / total : 0) * (1 << PRECISION);
        return q < 0 ? Math.trunc(q - 0.5) : Math.trunc(q + 0.5);
      });
      for (var line = 0; line < lines; line++) {
        var sum = 1 << (PRECISION - 1);
        for (var k = 0; k < fixed.length; k++) sum += src[line * stride + (lo + k) * step] * fixed[k];
        out[line * outSize + o] = Math.min(255, Math.max(0, Math.floor(sum / (1 << PRECISION))));
      }
    }
    return out;
  }

  function resize(pixels, width, height, newWidth, newHeight) {  // uint8 values, Pillow's order: across, then down
    var across = pixels;
    if (newWidth !== width) across = resamplePass(pixels, height, width, newWidth, width, 1);
    if (newHeight === height) return across;
    var down = resamplePass(across, newWidth, height, newHeight, 1, newWidth);  // [newWidth, newHeight]
    var out = new Float64Array(newWidth * newHeight);
    for (var x = 0; x < newWidth; x++) for (var y = 0; y < newHeight; y++) out[y * newWidth + x] = down[x * newHeight + y];
    return out;
  }

  function preprocess(rgba, width, height) {
    var grey = new Float64Array(width * height), edge = [];
    for (var p = 0; p < width * height; p++) {  // Pillow's convert("L"): ITU-R 601-2 luma, integer
      var L = Math.floor((rgba[4 * p] * 19595 + rgba[4 * p + 1] * 38470 + rgba[4 * p + 2] * 7471 + 0x8000) / 65536);
      grey[p] = Math.fround(L / 255);
    }
    for (var x = 0; x < width; x++) edge.push(grey[x], grey[(height - 1) * width + x]);
    for (var y = 0; y < height; y++) edge.push(grey[y * width], grey[y * width + width - 1]);
    if (median(edge) > 0.5) { for (p = 0; p < grey.length; p++) grey[p] = 1 - grey[p]; edge = edge.map(function (v) { return 1 - v; }); }
    if (width === 28 && height === 28) return Float32Array.from(grey);
    var background = median(edge), top = -Infinity;
    for (p = 0; p < grey.length; p++) top = Math.max(top, grey[p]);
    var range = Math.max(top - background, 1e-6), peak = 0;
    for (p = 0; p < grey.length; p++) { grey[p] = Math.min(1, Math.max(0, (grey[p] - background) / range)); peak = Math.max(peak, grey[p]); }
    var y0 = height, y1 = -1, x0 = width, x1 = -1;
    for (y = 0; y < height; y++) for (x = 0; x < width; x++) if (grey[y * width + x] > 0.2 * peak) {
      y0 = Math.min(y0, y); y1 = Math.max(y1, y); x0 = Math.min(x0, x); x1 = Math.max(x1, x);
    }
    if (peak < 0.1 || y1 < 0) return null;  // blank
    var h = y1 - y0 + 1, w = x1 - x0 + 1, scale = 20 / Math.max(h, w);
    var newW = Math.max(1, roundHalfEven(w * scale)), newH = Math.max(1, roundHalfEven(h * scale));
    var crop = new Float64Array(w * h);
    for (y = 0; y < h; y++) for (x = 0; x < w; x++) crop[y * w + x] = Math.trunc(Math.fround(Math.fround(grey[(y0 + y) * width + x0 + x]) * 255));  // float32, as NumPy
    var digit = resize(crop, w, h, newW, newH), mass = 0, my = 0, mx = 0;
    for (y = 0; y < newH; y++) for (x = 0; x < newW; x++) {
      var v = Math.fround(digit[y * newW + x] / 255);
      digit[y * newW + x] = v; mass += v; my += y * v; mx += x * v;
    }
    mass = Math.max(mass, 1e-6);
    var topRow = roundHalfEven(14 - my / mass), left = roundHalfEven(14 - mx / mass);
    topRow = Math.min(Math.max(topRow, 0), 28 - newH);
    left = Math.min(Math.max(left, 0), 28 - newW);
    var out = new Float32Array(784);
    for (y = 0; y < newH; y++) for (x = 0; x < newW; x++) out[(topRow + y) * 28 + left + x] = digit[y * newW + x];
    return out;
  }

  return {
    register: register,
    available: function (entries) { menu = entries; },
    menu: function () { return menu; },
    loaded: loaded,
    onLoad: function (f) { listeners.push(f); },
    onFailure: function (f) { failures.push(f); },  // f(name or null, why): a weights file that cannot be used
    forward: forward,
    preprocess: preprocess,
    resize: resize  // Pillow's Lanczos resize of 8-bit values, for tests
  };
})();
