// Progress for readers who are not signed in lives only in this browser (localStorage).
// The server sends every anonymous reader the same page; this script fills in the learner bar,
// the "Mark complete" control and the course outline from local progress, and, once the
// reader signs in, hands the local completions to the server, which computes XP itself.
(function () {
  "use strict";

  var STORE_KEY = "stream.progress.v1";
  // The rules themselves (levels, streaks, achievements) live in progress-rules.js, loaded
  // first, so that Node can check them against the server's rules on shared cases.
  var rules = window.StreamProgressRules;

  function readStore() {
    try {
      var data = JSON.parse(window.localStorage.getItem(STORE_KEY) || "{}");
      if (data && typeof data.completions === "object" && data.completions !== null) {
        return data;
      }
    } catch (error) {
      // Unreadable local data counts as none; it is only this browser's copy.
    }
    return { completions: {} };
  }

  function writeStore(data) {
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(data));
      return true;
    } catch (error) {
      return false; // private mode or storage full: the page still works, progress is not kept
    }
  }

  // What the bar is computed from (published lessons, levels, achievements) is fetched from its
  // own address, which changes with the content, so the browser keeps it and the page stays the
  // same for everyone. Fetched once, and only when there is local progress to show: the page
  // already shows a reader without any the right figures.
  var cataloguePromise = null;

  function catalogue() {
    if (!cataloguePromise) {
      var bar = document.querySelector("[data-learner-bar][data-catalogue-url]");
      var url = bar && bar.getAttribute("data-catalogue-url");
      cataloguePromise = url && window.fetch
        ? fetch(url, { credentials: "same-origin" }).then(function (response) {
            return response.ok ? response.json() : null;
          }).catch(function () { return null; })
        : Promise.resolve(null);
    }
    return cataloguePromise;
  }

  function refreshBar() {
    return catalogue().then(function (cat) { renderBar(readStore(), cat); });
  }

  function setText(bar, name, value) {
    var node = bar.querySelector('[data-bar="' + name + '"]');
    if (node) { node.textContent = String(value); }
  }

  function renderBar(data, cat) {
    var bar = document.querySelector("[data-learner-bar].learner-bar--local");
    if (!bar || !cat) { return; }
    // Streak days are calendar days in the reader's own zone, as the server counts them in
    // the learner's.
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var figures = rules.figures(data.completions, cat, zone, rules.calendarDay(new Date(), zone));
    var place = rules.standing(figures.xp, cat.levels);
    var into = figures.xp - place.current.xp;
    var span = place.next ? place.next.xp - place.current.xp : 0;
    var percentOfLevel = place.next ? Math.min(100, Math.floor((into * 100) / span)) : 100;
    setText(bar, "level", place.current.number);
    setText(bar, "level-name", place.current.name);
    setText(bar, "xp", figures.xp);
    setText(bar, "lessons", figures.done);
    setText(bar, "achievements", figures.achievements.length);
    setText(bar, "into-level", into);
    setText(bar, "level-span", span);
    setText(bar, "to-go", place.next ? Math.max(place.next.xp - figures.xp, 0) : 0);
    setText(bar, "percent", figures.total ? Math.floor((figures.done * 100) / figures.total) : 0);
    bar.querySelector('[data-bar="next"]').hidden = !place.next;
    bar.querySelector('[data-bar="top"]').hidden = !!place.next;
    var meter = bar.querySelector('[data-bar="meter"]');
    meter.setAttribute("aria-valuenow", String(percentOfLevel));
    meter.querySelector(".meter__fill").style.width = percentOfLevel + "%";
  }

  function renderLessonControl() {
    var block = document.querySelector("[data-progress-local]");
    if (!block) { return; }
    var id = block.getAttribute("data-lesson-id");
    var control = block.querySelector("[data-local-control]");
    var button = block.querySelector("[data-complete]");
    var doneNote = block.querySelector("[data-completed]");
    control.hidden = false;
    function show() {
      var done = Boolean(readStore().completions[id]);
      button.hidden = done;
      doneNote.hidden = !done;
    }
    button.addEventListener("click", function () {
      var fresh = readStore();
      if (!fresh.completions[id]) {
        fresh.completions[id] = new Date().toISOString();
        writeStore(fresh);
      }
      show();
      refreshBar();
      doneNote.focus();
    });
    doneNote.setAttribute("tabindex", "-1");
    show();
  }

  function renderOutline(data) {
    if (document.body.hasAttribute("data-progress-merge")) { return; } // the server marks these
    document.querySelectorAll(".outline__item[data-lesson-id]").forEach(function (item) {
      if (data.completions[item.getAttribute("data-lesson-id")]) {
        item.classList.add("outline__item--done");
      }
    });
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Signed in with local completions: hand them over; clear them only when the server says
  // it has them, then reload so the bar shows the server's figures. Lessons the server no
  // longer publishes are dropped from the local copy and the rest sent again, once.
  function mergeIntoAccount(data, retried) {
    var url = document.body.getAttribute("data-progress-merge");
    var ids = Object.keys(data.completions);
    if (!url || !window.fetch) { return; }
    if (!ids.length) {
      if (retried) { window.localStorage.removeItem(STORE_KEY); }
      return;
    }
    var payload = {
      completions: ids.map(function (id) {
        return { lesson: Number(id), completed_at: data.completions[id] };
      })
    };
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload)
    }).then(function (response) {
      if (response.status === 400 && !retried) {
        return response.json().then(function (answer) {
          if (!answer.unknown_lessons) { return; }
          answer.unknown_lessons.forEach(function (id) { delete data.completions[String(id)]; });
          writeStore(data);
          mergeIntoAccount(data, true);
        });
      }
      if (!response.ok) { return; } // kept for the next page; nothing is lost
      return response.json().then(function () {
        window.localStorage.removeItem(STORE_KEY);
        window.location.reload();
      });
    }).catch(function () { /* offline: try again on the next page */ });
  }

  function start() {
    var data = readStore();
    if (document.body.hasAttribute("data-progress-merge")) {
      mergeIntoAccount(data);
      return;
    }
    if (Object.keys(data.completions).length) { refreshBar(); }
    renderLessonControl();
    renderOutline(data);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
