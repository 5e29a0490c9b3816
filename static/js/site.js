// Small page comforts that need a script: the theme switch and the reading-progress line.
// Every page works without it (the switch stays hidden, the line stays empty).
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "stream.theme";

  function effectiveTheme() {
    var chosen = root.getAttribute("data-theme");
    if (chosen) { return chosen; }
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function setUpThemeSwitch() {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) { return; }
    function show() { button.setAttribute("aria-pressed", String(effectiveTheme() === "dark")); }
    button.hidden = false;
    show();
    button.addEventListener("click", function () {
      var next = effectiveTheme() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { window.localStorage.setItem(KEY, next); } catch (e) { /* not remembered */ }
      show();
    });
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", show);
  }

  // Browsers without ::details-content cannot show a closed <details> by CSS alone: open the
  // header menu and the table of contents where the wide layout shows them inline.
  function openWideDisclosures() {
    if (window.CSS && CSS.supports && CSS.supports("selector(::details-content)")) { return; }
    document.querySelectorAll("[data-open-when-wide]").forEach(function (node) {
      var wide = window.matchMedia("(min-width: " + node.getAttribute("data-open-when-wide") + ")");
      function apply() { node.open = wide.matches; }
      apply();
      wide.addEventListener("change", apply);
    });
  }

  function setUpReadingProgress() {
    var line = document.querySelector("[data-reading-progress]");
    var article = document.querySelector(".lesson__body");
    if (!line || !article) { return; }
    var fill = line.firstElementChild;
    var pending = false;
    function update() {
      pending = false;
      var box = article.getBoundingClientRect();
      var travel = box.height - window.innerHeight;
      var read = travel > 0 ? -box.top / travel : (box.bottom <= window.innerHeight ? 1 : 0);
      fill.style.transform = "scaleX(" + Math.min(1, Math.max(0, read)) + ")";
    }
    function schedule() {
      if (!pending) { pending = true; window.requestAnimationFrame(update); }
    }
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    update();
  }

  // Code and tables that scroll sideways must be reachable by keyboard to be scrolled.
  function makeScrollersFocusable() {
    document.querySelectorAll(".prose pre, .prose table, .comment__body pre").forEach(function (node) {
      if (!node.hasAttribute("tabindex")) { node.setAttribute("tabindex", "0"); }
    });
  }

  makeScrollersFocusable();
  setUpThemeSwitch();
  openWideDisclosures();
  setUpReadingProgress();
})();
