// diembao web interface: small progressive enhancements. Every page works
// without this script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Empty date fields are left out of the address of the results.
  document.querySelectorAll("form[role=search]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[type=date]").forEach(function (input) {
        if (input.value === "") {
          input.disabled = true;
        }
      });
    });
  });
  // Changing the sort order re-runs the search at once.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () {
      if (sel.form && sel.form.elements.q && sel.form.elements.q.value.trim() !== "") {
        sel.form.requestSubmit();
      }
    });
  });
})();
