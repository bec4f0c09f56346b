// Sequence builder: show only the fields of the chosen step kind (without script, all show).
(function () {
  "use strict";
  document.querySelectorAll("form[data-step-form]").forEach(function (form) {
    var kind = form.querySelector("[name=kind]");
    if (!kind) return;
    function show() {
      form.querySelectorAll("fieldset[data-kind]").forEach(function (set) {
        set.hidden = set.getAttribute("data-kind") !== kind.value;
      });
    }
    kind.addEventListener("change", show);
    show();
  });
})();
