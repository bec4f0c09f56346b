// Small behaviours shared by every page.
document.addEventListener("click", (event) => {
  // "Select all" checkbox of a list view.
  const all = event.target.closest("[data-select-all]");
  if (all) {
    document.querySelectorAll(all.dataset.selectAll).forEach((box) => { box.checked = all.checked; });
  }
  // Copy-to-clipboard buttons.
  const copy = event.target.closest("[data-copy-target]");
  if (copy) {
    const source = document.querySelector(copy.dataset.copyTarget);
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.value || source.textContent);
      copy.textContent = gettext("Copied");
    }
  }
});
// Escape leaves an inline edit without saving.
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    const cancel = event.target.closest("form")?.querySelector("[data-inline-cancel]");
    if (cancel) { cancel.click(); }
  }
});
// A form with data-confirm asks before it is sent (no inline onsubmit: the Content-Security-Policy
// allows script files only).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
// A select with data-autosubmit sends its form when it changes.
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-autosubmit]");
  if (select && select.form) { select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit(); }
});
