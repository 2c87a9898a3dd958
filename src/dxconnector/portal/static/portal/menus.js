// A drop-down menu (<details class="dropdown">) closes on Esc, giving focus back to its button, and when a click or
// the keyboard's focus lands anywhere outside it. Without this script the menu still opens and closes on its button.
(function () {
  "use strict";

  function openMenus() {
    return Array.prototype.slice.call(document.querySelectorAll("details.dropdown[open]"));
  }

  function closeOutside(event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    openMenus().forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", closeOutside);
  document.addEventListener("focusin", closeOutside);
})();
