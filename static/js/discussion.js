// Comment times as "3 minutes ago" in the page's language. The thread is cached for every
// reader, so the server writes the exact time (in <time datetime> and as its text); this keeps
// that text as the tooltip, turns it into relative text and keeps it current. Without
// JavaScript, or without Intl.RelativeTimeFormat, the exact time shows.
(function () {
  "use strict";
  // Code in a comment scrolls sideways inside its box (stream.css): reachable by keyboard to be
  // scrolled. (site.js does the same for the lesson's own code.)
  var scrollers = document.querySelectorAll(".comment > div pre");
  for (var n = 0; n < scrollers.length; n++) {
    if (!scrollers[n].hasAttribute("tabindex")) scrollers[n].setAttribute("tabindex", "0");
  }

  if (!window.Intl || !Intl.RelativeTimeFormat) return;
  var format = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, {
    numeric: "auto",
  });
  var units = [
    ["year", 365 * 24 * 3600],
    ["month", 30 * 24 * 3600],
    ["week", 7 * 24 * 3600],
    ["day", 24 * 3600],
    ["hour", 3600],
    ["minute", 60],
  ];

  function relative(seconds) {
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(seconds) >= units[i][1]) {
        // Whole units passed, as a clock reads: 3 min 50 s is "3 minutes ago".
        return format.format(Math.trunc(seconds / units[i][1]), units[i][0]);
      }
    }
    return format.format(0, "second"); // "now"
  }

  function refresh() {
    var now = Date.now();
    var times = document.querySelectorAll(".comment time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var at = Date.parse(times[i].getAttribute("datetime"));
      if (isNaN(at)) continue;
      // The exact time, as the server wrote it (not repeated in the page: it is long already).
      if (!times[i].title) times[i].title = times[i].textContent;
      // A clock a little behind the server's must not say "in 1 minute".
      times[i].textContent = relative(Math.min(0, (at - now) / 1000));
    }
  }

  refresh();
  setInterval(refresh, 60 * 1000);
})();
