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
});

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
