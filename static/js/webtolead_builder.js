// Move a field up or down; the hidden "order" inputs follow the rows.
(() => {
  const fields = document.getElementById("builder-fields");
  if (!fields) { return; }
  fields.addEventListener("click", (event) => {
    const button = event.target.closest("[data-move]");
    if (!button) { return; }
    const row = button.closest("tr");
    if (button.dataset.move === "-1" && row.previousElementSibling) {
      row.parentNode.insertBefore(row, row.previousElementSibling);
    } else if (button.dataset.move === "1" && row.nextElementSibling) {
      row.parentNode.insertBefore(row.nextElementSibling, row);
    }
    button.focus();
  });
})();
