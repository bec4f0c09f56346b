// Criteria rows of rule entries (every kind of rule): each row offers the operators that fit its field's
// type, and lists a picklist's values under the value input.
(function () {
  "use strict";
  const data = document.getElementById("criteria-field-info");
  if (!data) return;
  const info = JSON.parse(data.textContent);
  // Text in the user's language, from the JavaScript catalog that base.html loads (English without it).
  const gettext = window.gettext || ((text) => text);

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
    const valueless = ["is_blank", "is_not_blank", "this_month", "last_month", "this_quarter", "this_year"].includes(operator.value);
    value.disabled = valueless;
    if (valueless) value.value = "";
    hint.textContent = "";
    if (spec && spec.type === "lookup") {
      hint.textContent = gettext("Values: %s").replace("%s", spec.values.map((v) => `${v[0]} (${v[1]})`).join(", "));
    } else if (spec && spec.values.length) {
      hint.textContent = gettext("Values: %s").replace("%s", spec.values.map((v) => v[0]).join(", "));
    } else if (spec && spec.type === "checkbox") {
      hint.textContent = gettext("true or false");
    } else if (spec && (spec.type === "date" || spec.type === "datetime")) {
      hint.textContent = operator.value.endsWith("_n_days") ? gettext("N (days)") : gettext("YYYY-MM-DD");
    }
  }

  function wire(n) {
    document.querySelector(`[data-criteria-field="${n}"]`).addEventListener("change", () => update(n));
    document.querySelector(`[data-criteria-operator="${n}"]`).addEventListener("change", () => update(n));
    update(n);
  }

  document.querySelectorAll("[data-criteria-field]").forEach((select) => wire(select.dataset.criteriaField));

  // "Add a criterion": copy the last row, empty and renumbered; the server reads the row count.
  const add = document.querySelector("[data-criteria-add]");
  const rows = document.querySelector("input[name=rows]");
  if (add && rows) {
    add.addEventListener("click", () => {
      const body = document.querySelector("#criteria-rows tbody");
      const last = body.lastElementChild;
      const n = Number(rows.value) + 1;
      if (n > Number(add.dataset.maxRows)) {
        add.disabled = true;
        return;
      }
      const row = last.cloneNode(true);
      row.dataset.row = String(n);
      row.querySelector("td").textContent = String(n);
      row.querySelectorAll(".text-danger").forEach((el) => el.remove());
      row.querySelectorAll("[name], label, [data-criteria-field], [data-criteria-operator], [data-criteria-value], [data-criteria-hint]").forEach((el) => {
        for (const attr of ["name", "id", "for"]) {
          const value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(/_\d+$/, `_${n}`));
        }
        for (const key of ["criteriaField", "criteriaOperator", "criteriaValue", "criteriaHint"]) {
          if (el.dataset[key] !== undefined) el.dataset[key] = String(n);
        }
        if (el.tagName === "LABEL") el.textContent = el.textContent.replace(/\d+$/, String(n));
        if (el.tagName === "SELECT") el.value = "";
        if (el.tagName === "INPUT") { el.value = ""; el.disabled = false; }
      });
      body.appendChild(row);
      rows.value = String(n);
      wire(n);
      row.querySelector("select").focus();
      if (n >= Number(add.dataset.maxRows)) add.disabled = true;
    });
  }
})();
