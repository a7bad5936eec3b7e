// Progressive enhancement: the pages work without JavaScript; this only saves a click.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("browse");
  if (!form) return;
  var sort = document.getElementById("sort");
  if (sort) sort.addEventListener("change", function () { form.submit(); });
});
