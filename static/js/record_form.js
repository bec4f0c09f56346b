// Choosing another record type reloads the form with its picklist values.
(() => {
  const select = document.querySelector("#record-type-form select");
  if (select) select.addEventListener("change", () => select.form.submit());
})();
