// Runs in <head>, before the first paint: a reader who chose a theme never sees the other one
// flash. Without a saved choice the stylesheet follows prefers-color-scheme.
(function () {
  try {
    var theme = window.localStorage.getItem("stream.theme");
    if (theme === "dark" || theme === "light") {
      document.documentElement.setAttribute("data-theme", theme);
    }
  } catch (e) { /* storage blocked: follow the system */ }
})();
