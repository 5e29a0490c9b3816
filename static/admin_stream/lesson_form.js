/* The lesson form in admin: "Preview" beside the form on wide screens, and link rows.
 *
 * Without this file the form still works: Preview opens in a new tab, and the links field has
 * empty rows to fill (saving brings more). */
(function () {
  "use strict";

  var WIDE = window.matchMedia("(min-width: 1100px)");

  function setUpPreview() {
    var button = document.querySelector("[data-preview-beside]");
    var pane = document.getElementById("stream-preview-pane");
    if (!button || !pane) return;
    var form = document.getElementById(button.getAttribute("form"));
    var frame = pane.querySelector("iframe");
    var refreshTimer = null;

    function open() {
      document.body.classList.add("stream-split");
      pane.hidden = false;
      button.setAttribute("aria-expanded", "true");
    }

    function close() {
      document.body.classList.remove("stream-split");
      pane.hidden = true;
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }

    function show() {
      // Send the form as it is now into the frame; nothing is saved.
      button.formTarget = frame.name;
      button.value = "beside";
      form.requestSubmit(button);
      button.formTarget = "_blank";
      button.value = "tab";
    }

    button.setAttribute("aria-controls", pane.id);
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function (event) {
      if (!WIDE.matches) return; // narrow screens: the preview opens in a tab of its own
      event.preventDefault();
      open();
      show();
    });
    pane.querySelector("[data-preview-refresh]").addEventListener("click", show);
    pane.querySelector("[data-preview-close]").addEventListener("click", close);
    // While the preview is open, it follows the form a moment after the typing stops.
    form.addEventListener("input", function () {
      if (pane.hidden) return;
      window.clearTimeout(refreshTimer);
      refreshTimer = window.setTimeout(show, 1200);
    });
  }

  function setUpLinkRows() {
    document.querySelectorAll("[data-link-rows]").forEach(function (widget) {
      var list = widget.querySelector(".link-rows__list");
      var add = widget.querySelector(".link-rows__add");
      add.hidden = false;
      add.addEventListener("click", function () {
        var rows = list.querySelectorAll(".link-row");
        var template = rows[rows.length - 1];
        var index = rows.length;
        var row = template.cloneNode(true);
        row.classList.remove("link-row--invalid");
        row.querySelectorAll(".link-row__errors").forEach(function (e) { e.remove(); });
        row.querySelector(".link-row__number").textContent = String(index + 1);
        row.querySelectorAll("input").forEach(function (input) {
          input.name = input.name.replace(/-\d+-/, "-" + index + "-");
          input.id = input.id.replace(/-\d+-/, "-" + index + "-");
          input.value = "";
          input.removeAttribute("aria-invalid");
          input.removeAttribute("aria-describedby");
        });
        row.querySelectorAll("label").forEach(function (label) {
          label.htmlFor = label.htmlFor.replace(/-\d+-/, "-" + index + "-");
        });
        row.querySelectorAll(".stream-sr-only").forEach(function (hint) {
          hint.textContent = hint.textContent.replace(/\d+/, String(index + 1));
        });
        list.appendChild(row);
        row.querySelector("input").focus();
      });
    });
  }

  function start() {
    setUpPreview();
    setUpLinkRows();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
