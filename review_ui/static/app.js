// gbiz-review UI: keyboard shortcuts and zoom. Vendored, no dependencies; every
// action is a real form or link, so the pages work without this file too.
(function () {
  "use strict";
  var page = document.body.getAttribute("data-page");
  var $ = function (sel) { return document.querySelector(sel); };
  var $$ = function (sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); };
  var typing = function (el) {
    return el && (el.tagName === "INPUT" && el.type !== "checkbox" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  };
  var submit = function (form) { if (form) { if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); } } };
  var go = function (sel) { var a = $(sel); if (a) { window.location.href = a.getAttribute("href"); } };
  var help = $("#help");
  var helpButton = $("#help-button");
  if (helpButton && help) { helpButton.addEventListener("click", function () { help.showModal(); }); }

  // The queue and search lists: j/k move, Enter opens.
  var rows = $$("tr.row");
  var current = -1;
  var select = function (i) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, j) { r.classList.toggle("selected", j === current); });
    rows[current].querySelector("a").focus();
  };

  // Zoom: the full-resolution image replaces the preview, in a scrolling frame.
  var zoomed = false;
  var zoom = function () {
    zoomed = !zoomed;
    var pages = $("#pages");
    if (pages) { pages.classList.toggle("zoomed", zoomed); }
    $$("img.page").forEach(function (img) {
      if (zoomed && img.getAttribute("data-full")) { img.setAttribute("data-small", img.src); img.src = img.getAttribute("data-full"); }
    });
  };
  var zoomButton = $("#zoom");
  if (zoomButton) { zoomButton.addEventListener("click", zoom); }
  $$("img.page").forEach(function (img) { img.addEventListener("click", zoom); });

  var denyOpen = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key;
    var target = event.target;
    if (key === "Escape") {
      if (typing(target)) { target.blur(); }
      denyOpen = false;
      var panel = $("#deny-panel"); if (panel) { panel.classList.remove("open"); }
      return;
    }
    if (typing(target)) { return; }
    if (key === "?") { if (help) { help.showModal(); } event.preventDefault(); return; }
    if (key === "/") { event.preventDefault(); window.location.href = "/search"; return; }
    if (page === "queue" || page === "search") {
      if (key === "j" || key === "ArrowDown") { select(current + 1); event.preventDefault(); }
      else if (key === "k" || key === "ArrowUp") { select(current - 1); event.preventDefault(); }
      else if ((key === "Enter" || key === "o") && current < 0 && rows.length) {
        event.preventDefault(); window.location.href = rows[0].getAttribute("data-href");
      }
      return;
    }
    if (page !== "application") { return; }
    if (denyOpen && /^[1-9]$/.test(key)) {
      var box = $('#deny-panel input[data-key="' + key + '"]');
      if (box) { box.checked = !box.checked; if (box.value === "OTHER" && box.checked) { $("#note").focus(); } }
      event.preventDefault(); return;
    }
    if (denyOpen && key === "Enter") { event.preventDefault(); submit($("#deny-form")); return; }
    switch (key) {
      case "a": submit($("#approve-form")); break;
      case "d": {
        var p = $("#deny-panel");
        if (p) { denyOpen = true; p.classList.add("open"); p.scrollIntoView({block: "center"}); }
        break;
      }
      case "e": { var input = $(".correct-input"); if (input) { input.focus(); input.select(); } break; }
      case "y": submit($("#confirm-form")); break;
      case "r": submit($("#reject-form")); break;
      case "n": case "ArrowRight": go("#next"); break;
      case "p": case "ArrowLeft": go("#prev"); break;
      case "q": go("#back"); break;
      case "z": zoom(); break;
      default: return;
    }
    event.preventDefault();
  });
})();
