// Progress for readers who are not signed in lives only in this browser (localStorage).
// The server sends every anonymous reader the same page; this script fills in the learner bar,
// the "Mark complete" control, the course outline and the catalogue's cards from local
// progress, and, once the reader signs in, hands the local completions to the server, which
// computes XP itself. For a signed-in reader it completes lessons in place (enhanceCompleteForm).
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
      var holder = document.querySelector("[data-catalogue-url]");
      var url = holder && holder.getAttribute("data-catalogue-url");
      cataloguePromise = url && window.fetch
        ? fetch(url, { credentials: "same-origin" }).then(function (response) {
            return response.ok ? response.json() : null;
          }).catch(function () { return null; })
        : Promise.resolve(null);
    }
    return cataloguePromise;
  }

  // Every node of that name: a figure may be both shown and spelled out for screen readers.
  function setText(bar, name, value) {
    bar.querySelectorAll('[data-bar="' + name + '"]').forEach(function (node) {
      node.textContent = String(value);
    });
  }

  // The streak in words, from the wording the bar carries in the page's language.
  function drawStreak(bar, days, todayCounts) {
    var line = bar.querySelector('[data-bar="streak-line"]');
    if (line) {
      var wording = todayCounts ? "data-msg-today" : days ? "data-msg-keep" : "data-msg-start";
      line.textContent = line.getAttribute(wording).replace("{days}", days);
    }
    var chip = bar.querySelector('[data-bar="streak-chip"]');
    if (chip) { chip.classList.toggle("learner-bar__streak--today", Boolean(todayCounts)); }
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // The XP figure counts up to its new value, unless the reader asked for less motion.
  function countUp(node, to) {
    var from = parseInt(node.textContent, 10) || 0;
    if (reducedMotion() || from >= to || !window.requestAnimationFrame) {
      node.textContent = String(to);
      return;
    }
    var began = null, duration = 700;
    function step(now) {
      if (began === null) { began = now; }
      var share = Math.min(1, (now - began) / duration);
      node.textContent = String(Math.round(from + (to - from) * (1 - Math.pow(1 - share, 3))));
      if (share < 1) { window.requestAnimationFrame(step); }
    }
    window.requestAnimationFrame(step);
  }

  // figures: by the names the bar's template gives them (progress.summaries.bar_figures).
  function drawBar(bar, figures, animate) {
    if (!bar) { return; }
    Object.keys(figures).forEach(function (name) {
      if (name === "xp" && animate) {
        var node = bar.querySelector('[data-bar="xp"]');
        if (node) { countUp(node, figures.xp); }
      } else if (name !== "meter" && name !== "top" && name !== "streak-today") {
        setText(bar, name, figures[name]);
      }
    });
    var next = bar.querySelector('[data-bar="next"]'), top = bar.querySelector('[data-bar="top"]');
    if (next) { next.hidden = figures.top; }
    if (top) { top.hidden = !figures.top; }
    var meter = bar.querySelector('[data-bar="meter"]');
    if (meter) {
      meter.setAttribute("aria-valuenow", String(figures.meter));
      meter.querySelector(".meter__fill").style.width = figures.meter + "%";
    }
    if ("streak" in figures) { drawStreak(bar, figures.streak, figures["streak-today"]); }
  }

  function today(zone) {
    return rules.calendarDay(new Date(), zone);
  }

  // The bar's figures from this browser's history, as the server's bar_figures names them.
  function localFigures(data, cat) {
    // Streak days are calendar days in the reader's own zone, as the server counts them in
    // the learner's.
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var day = today(zone);
    var figures = rules.figures(data.completions, cat, zone, day);
    // Today counts when a lesson the catalogue knows (as the streak's days) was done today.
    var todayCounts = Object.keys(data.completions).some(function (id) {
      return Boolean(cat.lessons[id]) && rules.calendarDay(data.completions[id], zone) === day;
    });
    var place = rules.standing(figures.xp, cat.levels);
    var into = figures.xp - place.current.xp;
    var span = place.next ? place.next.xp - place.current.xp : 0;
    return {
      raw: figures,
      bar: {
        level: place.current.number,
        "level-name": place.current.name,
        xp: figures.xp,
        lessons: figures.done,
        achievements: figures.achievements.length,
        "into-level": into,
        "level-span": span,
        percent: figures.total ? Math.floor((figures.done * 100) / figures.total) : 0,
        meter: place.next ? Math.min(100, Math.floor((into * 100) / span)) : 100,
        top: !place.next,
        streak: figures.currentStreak,
        "streak-today": todayCounts
      }
    };
  }

  function renderBar(data, cat, animate) {
    if (!cat) { return; }
    drawBar(document.querySelector("[data-learner-bar].learner-bar--local"),
      localFigures(data, cat).bar, animate);
  }

  function escapeHtml(text) {
    var node = document.createElement("span");
    node.textContent = String(text);
    return node.innerHTML;
  }

  // The lines a completion earned, in the page's language (the block carries the wording).
  function showMoment(block, lines) {
    var region = block.querySelector("[data-moment]");
    if (!region) { return; }
    region.innerHTML = '<ul class="moment__lines">' + lines.map(function (line) {
      return "<li>" + line + "</li>";
    }).join("") + "</ul>";
  }

  function localMoment(block, id, before, after, cat) {
    var lesson = cat.lessons[id];
    var lines = [escapeHtml(block.getAttribute("data-msg-complete").replace("{xp}", lesson ? lesson.xp : 0))];
    after.achievements.forEach(function (index) {
      if (before.achievements.indexOf(index) !== -1) { return; }
      var achievement = cat.achievements[index];
      var words = escapeHtml(block.getAttribute("data-msg-achievement"))
        .replace(/&lt;(\/?)strong&gt;/g, "<$1strong>")
        .replace("{name}", escapeHtml(achievement.name || ""));
      lines.push('<span aria-hidden="true">' + escapeHtml(achievement.icon || "🏅") + "</span> " +
        words + (achievement.xp ? " · +" + achievement.xp + " XP" : ""));
    });
    if (after.currentStreak) {
      lines.push(escapeHtml(block.getAttribute("data-msg-streak").replace("{days}", after.currentStreak)));
    }
    showMoment(block, lines);
  }

  // Is every lesson of the course done in this browser's history?
  function courseFinished(data, cat, courseId) {
    return Object.keys(cat.lessons).every(function (id) {
      return String(cat.lessons[id].course) !== String(courseId) || Boolean(data.completions[id]);
    });
  }

  function showWhatNext(block, data, cat) {
    var finished = block.querySelector("[data-when-finished]");
    var unfinished = block.querySelector("[data-when-unfinished]");
    if (!finished || !unfinished) { return; }
    var done = cat ? courseFinished(data, cat, block.getAttribute("data-course-id")) : false;
    finished.hidden = !done;
    unfinished.hidden = done;
  }

  function renderLessonControl() {
    var block = document.querySelector("[data-progress-local]");
    if (!block) { return; }
    var id = block.getAttribute("data-lesson-id");
    var control = block.querySelector("[data-local-control]");
    if (!control) { return; }
    var button = block.querySelector("[data-complete]");
    var doneNote = block.querySelector("[data-completed]");
    control.hidden = false;
    function show(data, cat) {
      var done = Boolean(data.completions[id]);
      button.hidden = done;
      doneNote.hidden = !done;
      if (done) { showWhatNext(block, data, cat); }
    }
    button.addEventListener("click", function () {
      var fresh = readStore();
      if (fresh.completions[id]) { return; }
      catalogue().then(function (cat) {
        var before = cat ? localFigures(fresh, cat).raw : null;
        fresh.completions[id] = new Date().toISOString();
        writeStore(fresh);
        show(fresh, cat);
        var title = doneNote.querySelector(".progress-block__done");
        if (title) { title.focus({ preventScroll: true }); }
        if (!cat) { return; }
        localMoment(block, id, before, localFigures(fresh, cat).raw, cat);
        renderBar(fresh, cat, true);
      });
    });
    var data = readStore();
    if (data.completions[id]) {
      catalogue().then(function (cat) { show(data, cat); });
    } else {
      show(data, null);
    }
  }

  // Signed in: the form posts in the background and the server answers with the block's new
  // state, the moment's words and the bar's figures; anything else and the form posts as usual.
  function enhanceCompleteForm() {
    var block = document.querySelector("[data-progress-block]:not([data-progress-local])");
    var form = block && block.querySelector("[data-complete-form]");
    if (!form || !window.fetch || !window.FormData) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: new FormData(form)
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (answer) {
        block.querySelector("[data-progress-state]").innerHTML = answer.state_html;
        block.querySelector("[data-moment]").innerHTML = answer.moment_html;
        var done = block.querySelector(".progress-block__done");
        if (done) {
          done.setAttribute("tabindex", "-1");
          done.focus({ preventScroll: true });
        }
        drawBar(document.querySelector("[data-learner-bar]"), answer.bar, true);
      }).catch(function () {
        form.submit(); // the page way: post, then back to this block with the same words
      });
    });
  }

  // Where each lesson of a course stands in this browser's history: the outline's states and
  // the course page's one button, which the server drew for a reader without any.
  function renderOutline(data) {
    if (document.body.hasAttribute("data-progress-merge")) { return; } // the server marks these
    var items = document.querySelectorAll(".outline__item[data-lesson-id]");
    if (!items.length) { return; }
    var current = null, done = 0, total = 0;
    items.forEach(function (item) {
      if (item.classList.contains("outline__item--draft")) { return; }
      total += 1;
      item.classList.remove("outline__item--current");
      if (data.completions[item.getAttribute("data-lesson-id")]) {
        item.classList.add("outline__item--done");
        done += 1;
      } else if (!current) {
        current = item;
      }
    });
    if (!done) { return; }
    if (current) { current.classList.add("outline__item--current"); }
    var course = document.querySelector("[data-course-progress]");
    if (!course) { return; }
    var percent = total ? Math.floor((done * 100) / total) : 0;
    course.querySelectorAll("[data-course-done]").forEach(function (node) { node.textContent = String(done); });
    course.querySelectorAll("[data-course-percent]").forEach(function (node) { node.textContent = String(percent); });
    var meter = course.querySelector(".meter");
    if (meter) {
      meter.setAttribute("aria-valuenow", String(percent));
      meter.querySelector(".meter__fill").style.width = percent + "%";
    }
    var primary = course.querySelector("[data-primary]");
    if (primary) {
      var link = current ? current.querySelector(".outline__title") : items[0].querySelector(".outline__title");
      var words = current
        ? course.getAttribute("data-msg-continue")
          .replace("{number}", current.getAttribute("data-number"))
          .replace("{title}", link.textContent)
        : course.getAttribute("data-msg-review");
      primary.textContent = words;
      primary.setAttribute("href", link.getAttribute("href"));
    }
  }

  // Catalogue cards: lessons done per course in this browser's history.
  function renderCards(data, cat) {
    if (!cat || document.body.hasAttribute("data-progress-merge")) { return; }
    var doneByCourse = {};
    Object.keys(data.completions).forEach(function (id) {
      var lesson = cat.lessons[id];
      if (lesson) { doneByCourse[lesson.course] = (doneByCourse[lesson.course] || 0) + 1; }
    });
    document.querySelectorAll("[data-card-course]").forEach(function (card) {
      var done = doneByCourse[card.getAttribute("data-card-course")] || 0;
      var total = Number(card.getAttribute("data-card-total")) || 0;
      var progress = card.querySelector("[data-card-progress]");
      if (!progress || !done) { return; }
      var percent = total ? Math.floor((done * 100) / total) : 0;
      progress.querySelector("[data-course-done]").textContent = String(done);
      var meter = progress.querySelector(".meter");
      meter.setAttribute("aria-valuenow", String(percent));
      meter.querySelector(".meter__fill").style.width = percent + "%";
      progress.hidden = false;
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
      enhanceCompleteForm();
      mergeIntoAccount(data);
      return;
    }
    if (Object.keys(data.completions).length) {
      catalogue().then(function (cat) {
        renderBar(readStore(), cat, false);
        renderCards(readStore(), cat);
      });
    }
    renderLessonControl();
    renderOutline(data);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
