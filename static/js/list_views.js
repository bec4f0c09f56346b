// The lead list's list view dialogs: move a column up or down to set the order of the columns.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-column-order] [data-move]");
    if (!button) {
      return;
    }
    var item = button.closest("li");
    var list = item.parentElement;
    if (button.dataset.move === "up" && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
    } else if (button.dataset.move === "down" && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
    }
    button.focus();
  });
})();
