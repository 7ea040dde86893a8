// convx console: the little script it needs. Everything works without it; this adds
// auto-applying filters, expand/collapse controls and opening the event a link points to.
"use strict";
(function () {
  // Filters apply as soon as a menu or date changes.
  document.querySelectorAll(".autosubmit").forEach(function (el) {
    el.addEventListener("change", function () {
      if (el.form) el.form.submit();
    });
  });

  // Open the collapsed blocks around the event a URL fragment points to (search links).
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var el = document.getElementById(id);
    if (!el) return;
    for (var p = el; p; p = p.parentElement) {
      if (p.tagName === "DETAILS") p.open = true;
    }
    var inner = el.querySelector("details");
    if (inner) inner.open = true;
    el.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", reveal);
  reveal();

  var bar = document.getElementById("toolbar");
  var timeline = document.getElementById("timeline");
  if (!bar || !timeline) return;
  bar.hidden = false;
  bar.addEventListener("click", function (ev) {
    var action = ev.target.getAttribute && ev.target.getAttribute("data-action");
    if (!action) return;
    timeline.querySelectorAll("details").forEach(function (d) {
      d.open = action === "expand";
    });
  });
  bar.querySelectorAll("input[data-toggle]").forEach(function (box) {
    var cls = "hide-" + box.getAttribute("data-toggle");
    var key = "convx." + cls;
    if (window.localStorage && localStorage.getItem(key) === "1") {
      box.checked = false;
      document.body.classList.add(cls);
    }
    box.addEventListener("change", function () {
      document.body.classList.toggle(cls, !box.checked);
      try { localStorage.setItem(key, box.checked ? "0" : "1"); } catch (e) { /* private mode */ }
    });
  });
})();
