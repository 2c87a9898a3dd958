// A pop-up shown with the page (role="dialog" aria-modal="true") behaves as a modal dialog: focus moves into it (to
// its [autofocus] control, else its first one), Tab and Shift+Tab stay inside it, the page behind it is inert, and
// Esc closes it with its close control ([data-close], else the button labelled "Close"). A dialog that closes
// without leaving the page gives focus back to where it was.
(function () {
  "use strict";

  var FOCUSABLE =
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), " +
    "textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function focusables(dialog) {
    return Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (element) {
      return element.getClientRects().length > 0;
    });
  }

  // Everything beside the dialog's branch of the page, up to <body>, is made inert while the dialog is open.
  function makeRestInert(dialog) {
    var made = [];
    for (var node = dialog; node.parentElement && node !== document.body; node = node.parentElement) {
      Array.prototype.forEach.call(node.parentElement.children, function (sibling) {
        if (sibling !== node && sibling.tagName !== "SCRIPT" && !sibling.inert) {
          sibling.inert = true;
          made.push(sibling);
        }
      });
    }
    return made;
  }

  function open(dialog) {
    var before = document.activeElement;
    var inert = makeRestInert(dialog);
    var first = dialog.querySelector("[autofocus]") || focusables(dialog)[0];
    if (!first) {
      dialog.setAttribute("tabindex", "-1");
      first = dialog;
    }
    first.focus();

    function close() {
      var control = dialog.querySelector("[data-close]") || dialog.querySelector("button[aria-label='Close']");
      if (control) {
        control.click();
      }
      if (!dialog.isConnected || dialog.getClientRects().length === 0) {
        inert.forEach(function (element) {
          element.inert = false;
        });
        if (before && before.focus) {
          before.focus();
        }
      }
    }

    // On the document, so that Esc and Tab work too after a click on the shade around the dialog.
    document.addEventListener("keydown", function (event) {
      if (!dialog.isConnected || dialog.getClientRects().length === 0) {
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        close();
        return;
      }
      if (event.key !== "Tab") {
        return;
      }
      var controls = focusables(dialog);
      if (!controls.length) {
        event.preventDefault();
        return;
      }
      var last = controls[controls.length - 1];
      var inside = dialog.contains(document.activeElement);
      if (event.shiftKey && (!inside || document.activeElement === controls[0] || document.activeElement === dialog)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (!inside || document.activeElement === last)) {
        event.preventDefault();
        controls[0].focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[role=dialog][aria-modal=true]").forEach(function (dialog) {
      if (dialog.getClientRects().length > 0) {
        open(dialog);
      }
    });
  });
})();
