// Activities on record pages: one keystroke opens a form (t: task, c: call, e: event), the form
// takes the focus, Cancel and Escape close it. No inline scripts: the Content-Security-Policy
// allows script files only.
(() => {
  if (window.leadcrmActivities) { return; }
  window.leadcrmActivities = true;

  const typing = (target) => target.closest("input, textarea, select, [contenteditable=true], [contenteditable='']");

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || typing(event.target)) { return; }
    const trigger = document.querySelector(`[data-activity-shortcut="${event.key.toLowerCase()}"]`);
    if (trigger) {
      event.preventDefault();
      trigger.click();
    }
  });

  const closeForm = () => {
    const slot = document.getElementById("activity-form-slot");
    if (slot) { slot.innerHTML = ""; }
  };

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-activity-cancel]")) { closeForm(); }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && event.target.closest("[data-activity-form]")) { closeForm(); }
  });

  // A form newly swapped into the slot takes the focus (its first field), so one types at once.
  document.addEventListener("htmx:afterSettle", () => {
    const form = document.querySelector("#activity-form-slot form[data-activity-form]:not([data-focused])");
    if (!form) { return; }
    form.dataset.focused = "true";
    const first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus();
      form.scrollIntoView({ block: "nearest" });
    }
  });
})();
