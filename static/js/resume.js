// "Continue where you left off": remembers where the reader is in a lesson and takes them back.
// A place is a heading id and the index of the block (paragraph, list, code…) within that
// heading's section, so it points at the text, not at a scroll offset: it holds on another
// screen and across small edits, and a heading that is gone means "start at the top".
// Readers who are not signed in keep places in this browser (localStorage); signed-in readers'
// places go to the server (progress/positions.py), which also renders their offer. Places are
// saved sparingly: a few seconds after scrolling settles, and when the page is left or hidden.
(function () {
  "use strict";

  var STORE_KEY = "stream.resume.v1";
  var PROGRESS_KEY = "stream.progress.v1"; // progress.js's store: completed lessons
  var SETTLE_MS = 4000;
  var MAX_KEPT = 200;
  // A block whose bottom is above this line has been read past (blocks land 16px from the top,
  // their scroll-margin, when the reader is taken back to them).
  var TOP_EDGE_PX = 24;
  var TOP = "top"; // the fragment of a place before the first heading (see positions.py)

  function readStore() {
    try {
      var data = JSON.parse(window.localStorage.getItem(STORE_KEY) || "{}");
      if (data && typeof data.positions === "object" && data.positions !== null) { return data; }
    } catch (error) { /* unreadable: none */ }
    return { positions: {} };
  }

  function writeStore(data) {
    var ids = Object.keys(data.positions);
    if (ids.length > MAX_KEPT) { // forget the oldest places first
      ids.sort(function (a, b) { return data.positions[a].at < data.positions[b].at ? -1 : 1; });
      ids.slice(0, ids.length - MAX_KEPT).forEach(function (id) { delete data.positions[id]; });
    }
    try { window.localStorage.setItem(STORE_KEY, JSON.stringify(data)); } catch (error) { /* full */ }
  }

  function completedHere(lessonId) {
    try {
      var progress = JSON.parse(window.localStorage.getItem(PROGRESS_KEY) || "{}");
      return Boolean(progress.completions && progress.completions[lessonId]);
    } catch (error) { return false; }
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function fragment(place) { return place.heading || TOP; }

  // Every block of the lesson body with the section it is in: [{heading, index, el}].
  function blocks(body) {
    var found = [];
    var heading = "";
    var index = 0;
    Array.prototype.forEach.call(body.children, function (el) {
      if (/^H[1-6]$/.test(el.tagName) && el.id) {
        heading = el.id;
        index = 0;
      } else {
        found.push({ heading: heading, index: index, el: el });
        index += 1;
      }
    });
    return found;
  }

  // The block the reader has reached: the topmost one still showing at the top of the window
  // (going back puts it there again), or the last one once they are past the body.
  function currentPlace(body) {
    var all = blocks(body);
    if (!all.length) { return { heading: "", paragraph: 0 }; }
    var reached = all[all.length - 1];
    for (var i = 0; i < all.length; i += 1) {
      if (all[i].el.getBoundingClientRect().bottom > TOP_EDGE_PX) { reached = all[i]; break; }
    }
    return { heading: reached.heading, paragraph: reached.index };
  }

  // The element a place points at now: the same block, or the section's last one if the
  // section has shrunk; null when its heading is gone.
  function target(body, place) {
    if (place.heading) {
      var heading = document.getElementById(place.heading);
      if (!heading || heading.parentNode !== body) { return null; }
    }
    var section = blocks(body).filter(function (b) { return b.heading === place.heading; });
    if (!section.length) { return place.heading ? document.getElementById(place.heading) : null; }
    return section[Math.min(place.paragraph, section.length - 1)].el;
  }

  function isTop(place) { return !place.heading && !place.paragraph; }

  function go(el) {
    el.classList.add("resume-target");
    if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "-1"); }
    el.scrollIntoView({ block: "start" });
    el.focus({ preventScroll: true });
  }

  function startLesson(article) {
    var body = article.querySelector(".lesson__body");
    var offer = document.querySelector("[data-resume-offer]");
    if (!body || !offer) { return; } // drafts and previews keep no place
    var lessonId = article.getAttribute("data-lesson-id");
    var saveUrl = offer.getAttribute("data-resume-save");
    var place = null;
    if (saveUrl) {
      if (offer.hasAttribute("data-resume-heading")) {
        place = {
          heading: offer.getAttribute("data-resume-heading"),
          paragraph: Number(offer.getAttribute("data-resume-paragraph")) || 0
        };
      }
    } else if (!completedHere(lessonId)) {
      place = readStore().positions[lessonId] || null;
    }
    var el = place && !isTop(place) ? target(body, place) : null;
    var link = offer.querySelector("[data-resume-go]");
    if (el) {
      link.setAttribute("href", "#" + fragment(place));
      link.addEventListener("click", function (event) {
        event.preventDefault();
        offer.hidden = true;
        go(el);
      });
    }
    offer.hidden = !el;
    // Arriving by a resume link (/progress/, the course page): the browser is at the heading;
    // go on to the paragraph.
    if (el && window.location.hash === "#" + fragment(place)) {
      offer.hidden = true;
      window.requestAnimationFrame(function () { go(el); });
    }

    var saved = place ? JSON.stringify([place.heading, place.paragraph]) : "";
    var scrolled = false;
    var timer = null;

    function save(leaving) {
      timer = null;
      if (!scrolled) { return; } // opening a page and leaving it says nothing about reading
      var now = currentPlace(body);
      var key = JSON.stringify([now.heading, now.paragraph]);
      if (key === saved) { return; }
      saved = key;
      if (saveUrl) {
        var form = new URLSearchParams();
        form.set("heading", now.heading);
        form.set("paragraph", String(now.paragraph));
        form.set("csrfmiddlewaretoken", csrfToken());
        if (leaving && navigator.sendBeacon && navigator.sendBeacon(saveUrl, form)) { return; }
        if (window.fetch) {
          fetch(saveUrl, { method: "POST", body: form, credentials: "same-origin", keepalive: true })
            .catch(function () { /* offline: the next save carries the place */ });
        }
        return;
      }
      var data = readStore();
      data.positions[lessonId] = {
        heading: now.heading, paragraph: now.paragraph, at: new Date().toISOString()
      };
      writeStore(data);
    }

    window.addEventListener("scroll", function () {
      scrolled = true;
      if (!timer) { timer = window.setTimeout(save, SETTLE_MS); }
    }, { passive: true });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { save(true); }
    });
    window.addEventListener("pagehide", function () { save(true); });
  }

  // The course page's "Continue" for a reader who is not signed in: the page is the same for
  // everyone, so the place comes from this browser.
  // The course page's primary button: signed in, the server already points it at the place;
  // otherwise progress.js points it at the lesson to read next, and on the way there the place
  // this browser remembers in that lesson is added.
  function startCourse(button) {
    button.addEventListener("click", function () {
      var href = button.getAttribute("href") || "";
      if (href.indexOf("#") !== -1) { return; }
      var positions = readStore().positions;
      document.querySelectorAll(".outline__item[data-lesson-id]").forEach(function (item) {
        var link = item.querySelector(".outline__title");
        var place = positions[item.getAttribute("data-lesson-id")];
        if (link && place && !isTop(place) && link.getAttribute("href") === href) {
          button.setAttribute("href", href + "#" + fragment(place));
        }
      });
    });
  }

  // Signed in with places kept while signed out: hand them over (the newest place per lesson
  // wins on the server) and forget them once the server has them.
  function mergeIntoAccount(url) {
    var positions = readStore().positions;
    var ids = Object.keys(positions);
    if (!ids.length || !window.fetch) { return; }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({
        positions: ids.map(function (id) {
          var p = positions[id];
          return { lesson: Number(id), heading: String(p.heading || ""),
                   paragraph: Number(p.paragraph) || 0, at: p.at };
        })
      })
    }).then(function (response) {
      // Kept for the next page unless the server has them, or will never take them.
      if (response.ok || response.status === 400) { window.localStorage.removeItem(STORE_KEY); }
    }).catch(function () { /* offline: try again on the next page */ });
  }

  function start() {
    var mergeUrl = document.body.getAttribute("data-resume-merge");
    if (mergeUrl) { mergeIntoAccount(mergeUrl); }
    var article = document.querySelector(".lesson[data-lesson-id]");
    if (article) { startLesson(article); }
    var button = document.querySelector("[data-course-progress] [data-primary]");
    if (button) { startCourse(button); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
