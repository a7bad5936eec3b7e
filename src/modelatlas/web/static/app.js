// Progressive enhancement: the pages work without JavaScript; this only saves a click, except for
// estimating a pasted config.json on the Hardware page, which is posted from here.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("browse");
  if (form) {
    ["sort", "gpu", "gpu-precision"].forEach(function (id) {
      var select = document.getElementById(id);
      if (select) select.addEventListener("change", function () { form.submit(); });
    });
  }
  var calculator = document.getElementById("calculator");
  if (calculator) calculator.addEventListener("submit", estimate);
  if (window.modelatlasCharts) drawCharts(window.modelatlasCharts);
});

// Charts: each page embeds its Vega-Lite specs (window.modelatlasCharts); chart i is drawn in #chart-i.
// A narrow card (a phone) gets its legends below the plot and its subtitle wrapped to the card, so the
// plot keeps the card's width. The views are kept in window.modelatlasViews for the downloads.
var NARROW = 600;

function drawCharts(specs) {
  window.modelatlasViews = [];
  // Vega sizes legends and titles by measuring their text: with the Chinese font loaded first, not after
  var fonts = document.fonts ? document.fonts.load('11px "Noto Sans SC Subset"', "中文") : Promise.resolve();
  var ready = fonts.then(null, function () { return null; });
  specs.forEach(function (spec, i) {
    var box = document.getElementById("chart-" + i);
    if (!box) return;
    window.modelatlasViews[i] = ready.then(function () {
      var shown = box.clientWidth < NARROW ? narrowed(spec, box.clientWidth) : spec;
      return vegaEmbed(box, shown, {actions: false, renderer: "svg"});
    }).then(function (result) {
      box.setAttribute("data-drawn", "true");
      return result.view;
    });
  });
  document.querySelectorAll("button.export").forEach(function (button) {
    button.addEventListener("click", function () {
      download(Number(button.dataset.chart), button.dataset.format);
    });
  });
}

function narrowed(spec, width) {
  var copy = Object.assign({}, spec);
  copy.config = Object.assign({}, spec.config || {});
  copy.config.legend = Object.assign({}, copy.config.legend || {},
    {orient: "bottom", direction: "horizontal", columns: 2, labelLimit: Math.floor(width / 2) - 30,
      layout: {bottom: {anchor: "start", direction: "vertical", margin: 8}}});  // legends one above the other
  var title = spec.title;
  if (title && typeof title === "object" && title.subtitle) {
    var joiner = /[\u2e80-\u9fff]$/.test([].concat(title.subtitle)[0]) ? "" : " ";
    var lines = wrapped([].concat(title.subtitle).join(joiner), width - 110, "11px sans-serif");
    copy.title = Object.assign({}, title, {subtitle: lines, subtitleFontSize: 11});
  }
  return copy;
}

// ``text`` broken into lines no wider than ``width`` pixels in ``font`` (at spaces; Chinese anywhere).
function wrapped(text, width, font) {
  var context = document.createElement("canvas").getContext("2d");
  context.font = font;
  var size = parseFloat(font);
  // a Chinese character is a square (the bundled font may not be loaded yet, so it is not measured)
  var measure = function (line) {
    var wide = (line.match(/[\u2e80-\u9fff\uff00-\uffef]/g) || []).length;
    return context.measureText(line.replace(/[\u2e80-\u9fff\uff00-\uffef]/g, "")).width + wide * size;
  };
  var pieces = text.match(/[\u2e80-\u9fff\uff00-\uffef][，：。、）]?|[^\s\u2e80-\u9fff\uff00-\uffef]+\s*|\s+/g) || [];
  var lines = [], line = "";
  pieces.forEach(function (piece) {
    var closing = /^[，。、：；）」』》]/.test(piece);  // never the first character of a line
    if (line && !closing && measure((line + piece).trimEnd()) > width) {
      lines.push(line.trimEnd());
      line = piece.trimStart();
    } else {
      line += piece;
    }
  });
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

// Downloads: the chart as drawn, as PNG or SVG with its citation line below it, or the points it plots
// (the dataset the spec's usermeta names) as CSV, the citation first as a "#" comment line.
var LINE = 16;  // the height of a citation line in the image, in CSS pixels
var CITE_FONT = '"Noto Sans SC Subset", sans-serif';  // the bundled font first: Chinese has no system font

function download(index, format) {
  var spec = window.modelatlasCharts[index];
  var cite = document.getElementById("cite-" + index);
  var citation = cite.textContent.trim();
  var name = "modelatlas-" + (cite.dataset.file || "chart-" + (index + 1));
  if (format === "csv") {
    save(new Blob(["\ufeff" + csv(spec, citation)], {type: "text/csv;charset=utf-8"}), name + ".csv");
    return;
  }
  window.modelatlasViews[index].then(function (view) {
    if (format === "svg") {
      return view.toSVG().then(function (svg) {
        save(new Blob([citedSvg(svg, citation)], {type: "image/svg+xml"}), name + ".svg");
      });
    }
    return view.toCanvas(2).then(function (chart) {
      var width = chart.width / 2, lines = wrapped(citation, width - 16, "11px sans-serif");
      var canvas = document.createElement("canvas");
      canvas.width = chart.width;
      canvas.height = chart.height + (lines.length * LINE + 8) * 2;
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(chart, 0, 0);
      context.scale(2, 2);
      context.fillStyle = "#444";
      context.font = "11px " + CITE_FONT;
      lines.forEach(function (line, i) { context.fillText(line, 8, chart.height / 2 + (i + 1) * LINE); });
      canvas.toBlob(function (blob) { save(blob, name + ".png"); }, "image/png");
    });
  });
}

function citedSvg(svg, citation) {
  var ns = "http://www.w3.org/2000/svg";
  var doc = new DOMParser().parseFromString(svg, "image/svg+xml"), root = doc.documentElement;
  var width = parseFloat(root.getAttribute("width")), height = parseFloat(root.getAttribute("height"));
  var lines = wrapped(citation, width - 16, "11px sans-serif"), extra = lines.length * LINE + 8;
  root.setAttribute("height", height + extra);
  root.setAttribute("viewBox", "0 0 " + width + " " + (height + extra));
  var background = doc.createElementNS(ns, "rect");
  [["x", 0], ["y", height], ["width", width], ["height", extra], ["fill", "#fff"]].forEach(function (a) {
    background.setAttribute(a[0], a[1]);
  });
  root.appendChild(background);
  lines.forEach(function (line, i) {
    var text = doc.createElementNS(ns, "text");
    [["x", 8], ["y", height + (i + 1) * LINE], ["font-size", 11], ["font-family", CITE_FONT],
      ["fill", "#444"], ["class", "citation"]].forEach(function (a) { text.setAttribute(a[0], a[1]); });
    text.textContent = line;
    root.appendChild(text);
  });
  return new XMLSerializer().serializeToString(doc);
}

function csv(spec, citation) {
  var meta = (spec.usermeta || {}).modelatlas || {};
  // the points' layer's own data, or the chart's when its layers share it (Vega-Lite lifts it up)
  var layer = meta.points === null || meta.points === undefined ? null : (spec.layer || [])[meta.points];
  var source = (layer && layer.data) || spec.data;
  var rows = (spec.datasets || {})[source && source.name] || [];
  var columns = meta.columns || (rows.length ? Object.keys(rows[0]) : []);
  var cell = function (value) {
    var text = value === null || value === undefined ? "" : String(value);
    return /[",\n\r#]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  };
  var out = ["# " + citation, columns.map(cell).join(",")];
  rows.forEach(function (row) { out.push(columns.map(function (c) { return cell(row[c]); }).join(",")); });
  return out.join("\r\n") + "\r\n";
}

function save(blob, name) {
  var link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
}

// The Hardware page: a pasted config, or the header of a chosen .gguf file, is posted (the page swaps in
// the result the server renders, or its one-line reason why there is none: the X-Modelatlas-Inline header has a bad config answered with
// a 200, not a 422 the browser would log as a failed request); otherwise the form is sent as a GET
// without its empty fields, so the URL stays short and shareable.
function estimate(event) {
  var form = event.target;
  var params = new URLSearchParams();
  new FormData(form).forEach(function (value, key) {
    if (String(value).trim() !== "") params.append(key, value);
  });
  var pasted = document.getElementById("hw-config");
  var gguf = document.getElementById("hw-gguf");
  event.preventDefault();
  if (gguf && gguf.files && gguf.files.length) {
    var chosen = gguf.files[0];
    params.delete("model");
    if (/\.json$/i.test(chosen.name)) {  // an uploaded config.json: sent as if pasted
      chosen.text().then(function (text) { send(form, params, text, "application/json"); });
      return;
    }
    // the header only: llama.cpp's GGUF keeps its tensor list before the weights
    chosen.slice(0, GGUF_HEADER).arrayBuffer().then(function (head) {
      send(form, params, head, "application/octet-stream");
    });
    return;
  }
  if (!pasted || pasted.value.trim() === "") {
    window.location.assign(form.action + (params.toString() ? "?" + params.toString() : ""));
    return;
  }
  params.delete("model");
  send(form, params, pasted.value, "application/json");
}

// At most this much of a .gguf file is sent: the server reads no more (MAX_HEADER).
var GGUF_HEADER = 64 * 1024 * 1024;

function send(form, params, body, type) {
  var result = document.getElementById("result");
  result.setAttribute("aria-busy", "true");
  fetch("/hardware?" + params.toString(), {
    method: "POST",
    headers: { "Content-Type": type, "X-Modelatlas-Inline": "1" },
    body: body,
  })
    .then(function (response) { return response.text(); })
    .then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("result");
      if (fresh) result.replaceWith(fresh);
      // the URL no longer names a model: what is shown came from the pasted text
      window.history.replaceState(null, "", form.action + "?" + params.toString());
    })
    .catch(function (problem) {
      result.textContent = String(problem);
      result.removeAttribute("aria-busy");
    });
}

// On a phone the facets are a drawer above the results, closed until asked for; on a desk they stay open
// beside them (the page is served with the drawer open, so it works without this script too).
(function () {
  const drawer = document.getElementById("facet-drawer");
  if (drawer && window.matchMedia("(max-width: 800px)").matches) drawer.open = false;
})();
