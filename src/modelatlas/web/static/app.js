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

// The Hardware page: a pasted config is posted (the page swaps in the result the server renders, or
// its one-line reason why there is none: the X-Modelatlas-Inline header has a bad config answered with
// a 200, not a 422 the browser would log as a failed request); otherwise the form is sent as a GET
// without its empty fields, so the URL stays short and shareable.
function estimate(event) {
  var form = event.target;
  var params = new URLSearchParams();
  new FormData(form).forEach(function (value, key) {
    if (String(value).trim() !== "") params.append(key, value);
  });
  var pasted = document.getElementById("hw-config");
  event.preventDefault();
  if (!pasted || pasted.value.trim() === "") {
    window.location.assign(form.action + (params.toString() ? "?" + params.toString() : ""));
    return;
  }
  params.delete("model");
  var result = document.getElementById("result");
  result.setAttribute("aria-busy", "true");
  fetch("/hardware?" + params.toString(), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Modelatlas-Inline": "1" },
    body: pasted.value,
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
