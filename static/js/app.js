// Enhancements only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A page restored from the back-forward cache may show stale answers: fetch it again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }

    // Conditionally revealed follow-up questions (all shown when JavaScript is off). The
    // choice names its panel with aria-controls; aria-expanded is not allowed on a radio or
    // checkbox (axe aria-allowed-attr), as GOV.UK Frontend found and dropped in v4.
    var reveals = document.querySelectorAll("[data-reveal-for]");
    function syncReveals() {
      reveals.forEach(function (panel) {
        var input = document.getElementById(panel.getAttribute("data-reveal-for"));
        if (!input) { return; }
        panel.hidden = !input.checked;
      });
    }
    var selectReveals = document.querySelectorAll("[data-reveal-select]");
    selectReveals.forEach(function (panel) {
      var select = document.getElementById(panel.getAttribute("data-reveal-select"));
      if (!select) { return; }
      var sync = function () { panel.hidden = select.value !== panel.getAttribute("data-reveal-value"); };
      select.addEventListener("change", sync);
      sync();
    });
    document.querySelectorAll("[data-reveal-filled]").forEach(function (panel) {
      var input = document.getElementById(panel.getAttribute("data-reveal-filled"));
      if (!input) { return; }
      var sync = function () { panel.hidden = input.value.trim() === ""; };
      input.addEventListener("input", sync);
      sync();
    });
    if (reveals.length) {
      document.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (el) {
        el.addEventListener("change", syncReveals);
      });
      syncReveals();
    }

    // "None of these" style checkboxes clear the others, and the others clear them.
    document.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.addEventListener("change", function () {
        if (!box.checked) { return; }
        var group = document.querySelectorAll("input[type=checkbox][name='" + box.name + "']");
        group.forEach(function (other) {
          if (other === box) { return; }
          if (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive")) {
            other.checked = false;
          }
        });
        syncReveals();
      });
    });

    // Stop a double click sending the same answers twice.
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function () {
        var button = form.querySelector("[data-prevent-double-click]");
        if (!button) { return; }
        if (button.getAttribute("data-clicked")) { return; }
        window.setTimeout(function () { button.setAttribute("data-clicked", "1"); button.disabled = true; }, 0);
      });
    });

    var printButton = document.querySelector("[data-print]");
    if (printButton) {
      printButton.hidden = false;
      printButton.addEventListener("click", function () { window.print(); });
    }
  });
})();
