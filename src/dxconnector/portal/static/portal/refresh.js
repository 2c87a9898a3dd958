// A page showing work in progress looks again by itself: an element with data-look-again="<seconds>" reloads the
// page after that many seconds. It replaces <meta http-equiv="refresh">, which a person cannot stop (WCAG 2.2.1):
// this waits while the person is typing in a field or the page is in a hidden tab.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var marked = document.querySelector("[data-look-again]");
    if (!marked) {
      return;
    }
    var seconds = Math.max(1, parseInt(marked.getAttribute("data-look-again"), 10) || 3);

    function busy() {
      var focused = document.activeElement;
      return document.hidden || (focused && /^(INPUT|SELECT|TEXTAREA)$/.test(focused.tagName));
    }

    function lookAgain() {
      if (busy()) {
        window.setTimeout(lookAgain, seconds * 1000);
      } else {
        window.location.reload();
      }
    }

    window.setTimeout(lookAgain, seconds * 1000);
  });
})();
