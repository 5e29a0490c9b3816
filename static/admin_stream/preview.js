/* The lesson preview, often shown in a frame half the screen wide: code blocks that scroll
 * sideways there can be reached and scrolled with the keyboard too. */
(function () {
  "use strict";
  document.querySelectorAll("pre").forEach(function (block) {
    if (block.scrollWidth > block.clientWidth && !block.hasAttribute("tabindex")) {
      block.tabIndex = 0;
    }
  });
})();
