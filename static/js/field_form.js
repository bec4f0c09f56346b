// New custom field: the API name follows the label until the admin types one of their own; the
// picklist values box is shown only for picklists.
(() => {
  const label = document.getElementById("id_label");
  const api = document.getElementById("id_api_name");
  const type = document.getElementById("id_field_type");
  const values = document.getElementById("picklist-values-group");
  if (!label || !api || !type || !values) { return; }
  let edited = api.value !== "";
  const fromLabel = (text) => {
    let base = text.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
    if (!base) return "";
    if (!/^[A-Za-z]/.test(base)) base = "F_" + base;
    return base.slice(0, 60) + "__c";
  };
  api.placeholder = gettext("Filled from the label");
  label.addEventListener("input", () => { if (!edited) api.value = fromLabel(label.value); });
  api.addEventListener("input", () => { edited = api.value !== ""; });
  const toggle = () => { values.hidden = type.value !== "picklist"; };
  type.addEventListener("change", toggle);
  toggle();
})();
