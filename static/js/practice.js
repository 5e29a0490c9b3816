// Knowledge checks answered in place, and the exercise's answer box (practice.parts draws
// both; everything here is an enhancement: without JavaScript the forms post and the page
// comes back to the same place with the same result).
//
// Signed in, the server keeps every answer and draft. Not signed in, this browser keeps them
// (localStorage "stream.practice") and hands them over once its reader signs in, where the
// server grades the answers itself: the browser's word is never taken for "right".
(function () {
  "use strict";
  var STORE_KEY = "stream.practice";
  var SAVE_AFTER_MS = 1500; // a pause in typing
  var SAVE_AT_MOST_MS = 8000; // and at least this often while typing on

  function readStore() {
    try {
      var data = JSON.parse(window.localStorage.getItem(STORE_KEY) || "{}");
      return { answers: data.answers || [], drafts: data.drafts || {} };
    } catch (error) {
      return { answers: [], drafts: {} };
    }
  }

  function writeStore(data) {
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(data));
    } catch (error) { /* full or off: the page still works */ }
  }

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) { return field.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function signedIn() {
    return document.body.hasAttribute("data-practice-merge");
  }

  function lessonId() {
    var article = document.querySelector("[data-lesson-id]");
    return article ? Number(article.getAttribute("data-lesson-id")) : null;
  }

  // --- Checks -----------------------------------------------------------------------------

  function chosenOf(form) {
    return Array.prototype.map.call(
      form.querySelectorAll("input[name=option]:checked"),
      function (input) { return Number(input.value); }
    );
  }

  function send(form, chosen, quiet) {
    var section = form.closest("[data-check]");
    var result = section.querySelector("[data-check-result]");
    var button = form.querySelector("button[type=submit]");
    var body = new URLSearchParams();
    chosen.forEach(function (index) { body.append("option", String(index)); });
    if (button) { button.disabled = true; }
    return fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
      body: body
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) {
          result.innerHTML = "";
          var error = document.createElement("p");
          error.className = "check-result__error";
          error.textContent = answer.error || "";
          result.appendChild(error);
          return;
        }
        result.innerHTML = answer.html;
        if (button) { button.textContent = button.getAttribute("data-again") || button.textContent; }
        if (!signedIn() && !quiet) {
          var data = readStore();
          data.answers.push({
            check: Number(section.getAttribute("data-check")),
            lesson: lessonId(),
            chosen: chosen,
            at: new Date().toISOString()
          });
          writeStore(data);
          showLocalCounts();
        }
      });
    }).catch(function () { /* offline: the form still posts without this */ })
      .then(function () { if (button) { button.disabled = false; } });
  }

  function enhanceChecks() {
    var stored = signedIn() ? null : readStore();
    document.querySelectorAll("[data-check-form]").forEach(function (form) {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.setAttribute("data-again", form.getAttribute("data-again") || button.textContent); }
      form.addEventListener("submit", function (event) {
        var chosen = chosenOf(form);
        if (!chosen.length || !window.fetch) { return; } // the server says what is missing
        event.preventDefault();
        send(form, chosen, false);
      });
      // A reader who is not signed in sees their last answer again, graded by the server.
      if (stored) {
        var id = Number(form.closest("[data-check]").getAttribute("data-check"));
        var last = null;
        stored.answers.forEach(function (answer) { if (answer.check === id) { last = answer; } });
        if (last && window.fetch) {
          last.chosen.forEach(function (index) {
            var input = form.querySelector("input[name=option][value='" + index + "']");
            if (input) { input.checked = true; }
          });
          send(form, last.chosen, true);
        }
      }
    });
  }

  function showLocalCounts() {
    if (signedIn()) { return; }
    var data = readStore();
    var checks = {};
    var perLesson = {};
    data.answers.forEach(function (answer) {
      if (checks[answer.check]) { return; }
      checks[answer.check] = true;
      perLesson[answer.lesson] = (perLesson[answer.lesson] || 0) + 1;
    });
    var count = Object.keys(checks).length;
    document.querySelectorAll("[data-bar=checks]").forEach(function (node) {
      node.textContent = String(count);
    });
    document.querySelectorAll("[data-lesson-id] [data-outline-checks]").forEach(function (node) {
      var item = node.closest("[data-lesson-id]");
      var done = perLesson[item.getAttribute("data-lesson-id")] || 0;
      var figure = node.querySelector("[data-checks-answered]");
      if (figure) { figure.textContent = String(Math.min(done, Number(node.getAttribute("data-outline-checks")))); }
    });
  }

  // --- The exercise's answer box ----------------------------------------------------------

  function enhanceExercise() {
    var section = document.querySelector("[data-exercise]");
    if (!section) { return; }
    var text = section.querySelector("[data-exercise-text]");
    var status = section.querySelector("[data-exercise-status]");
    var form = section.querySelector("[data-exercise-form]");
    var lesson = section.getAttribute("data-exercise");
    if (!text) { return; }
    if (!form) { // not signed in: this browser keeps the draft
      var data = readStore();
      if (data.drafts[lesson]) { text.value = data.drafts[lesson].text; }
      text.addEventListener("input", function () {
        var now = readStore();
        now.drafts[lesson] = { text: text.value, at: new Date().toISOString() };
        writeStore(now);
      });
      return;
    }
    var timer = null;
    var lastSaved = Date.now();
    var saving = false;
    function save() {
      timer = null;
      if (saving || !window.fetch) { return; }
      saving = true;
      lastSaved = Date.now();
      var body = new URLSearchParams();
      body.append("action", "draft");
      body.append("text", text.value);
      fetch(form.getAttribute("data-save-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
        body: body
      }).then(function (response) {
        return response.json().then(function (answer) {
          if (status) { status.textContent = answer.message || answer.error || ""; }
        });
      }).catch(function () { /* offline: saved with the next change, or by the button */ })
        .then(function () { saving = false; });
    }
    text.addEventListener("input", function () {
      if (timer) { window.clearTimeout(timer); }
      var overdue = Date.now() - lastSaved > SAVE_AT_MOST_MS;
      timer = window.setTimeout(save, overdue ? 0 : SAVE_AFTER_MS);
    });
  }

  // --- Handing over at sign-in ------------------------------------------------------------

  function mergeIntoAccount() {
    var url = document.body.getAttribute("data-practice-merge");
    var data = readStore();
    var drafts = Object.keys(data.drafts).map(function (lesson) {
      return { lesson: Number(lesson), text: data.drafts[lesson].text, at: data.drafts[lesson].at };
    });
    if (!url || !window.fetch || (!data.answers.length && !drafts.length)) { return; }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(null) },
      body: JSON.stringify({ answers: data.answers, drafts: drafts })
    }).then(function (response) {
      if (response.ok || response.status === 400) { // 400: nothing in it can ever be taken
        window.localStorage.removeItem(STORE_KEY);
      }
    }).catch(function () { /* offline: handed over on a later page */ });
  }

  function start() {
    if (signedIn()) { mergeIntoAccount(); }
    enhanceChecks();
    enhanceExercise();
    showLocalCounts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
