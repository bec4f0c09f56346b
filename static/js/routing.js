// Criteria rows of assignment rule entries: each row offers the operators that fit its field's
// type, and lists a picklist's values under the value input.
(function () {
  "use strict";
  const data = document.getElementById("criteria-field-info");
  if (!data) return;
  const info = JSON.parse(data.textContent);

  function update(n) {
    const field = document.querySelector(`[data-criteria-field="${n}"]`);
    const operator = document.querySelector(`[data-criteria-operator="${n}"]`);
    const value = document.querySelector(`[data-criteria-value="${n}"]`);
    const hint = document.querySelector(`[data-criteria-hint="${n}"]`);
    const spec = info[field.value];
    for (const option of operator.options) {
      option.hidden = Boolean(option.value) && Boolean(spec) && !spec.operators.includes(option.value);
    }
    if (operator.selectedOptions[0] && operator.selectedOptions[0].hidden) operator.value = "";
    const valueless = operator.value === "is_blank" || operator.value === "is_not_blank";
    value.disabled = valueless;
    if (valueless) value.value = "";
    hint.textContent = "";
    if (spec && spec.type === "lookup") {
      hint.textContent = "Values: " + spec.values.map((v) => `${v[0]} (${v[1]})`).join(", ");
    } else if (spec && spec.values.length) {
      hint.textContent = "Values: " + spec.values.map((v) => v[0]).join(", ");
    } else if (spec && spec.type === "checkbox") {
      hint.textContent = "true or false";
    } else if (spec && (spec.type === "date" || spec.type === "datetime")) {
      hint.textContent = "YYYY-MM-DD";
    }
  }

  document.querySelectorAll("[data-criteria-field]").forEach((select) => {
    const n = select.dataset.criteriaField;
    select.addEventListener("change", () => update(n));
    document.querySelector(`[data-criteria-operator="${n}"]`).addEventListener("change", () => update(n));
    update(n);
  });
})();
