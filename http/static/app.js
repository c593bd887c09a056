// diembao web interface: small progressive enhancements. Every page works
// without this script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Changing the sort order re-runs the search at once.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () {
      if (sel.form && sel.form.elements.q && sel.form.elements.q.value.trim() !== "") {
        sel.form.submit();
      }
    });
  });
})();
