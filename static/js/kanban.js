// The lead Kanban board: HTML5 drag and drop of cards between columns. A drop posts the move
// through htmx; the server answers the updated card, a redirect to the convert page (converted
// status) or an error, and the card goes back to its column. The "Move to…" menu of each card is
// the keyboard way and works without this script; with it, the left and right arrow keys move a
// focused card to the neighbouring column (a converted status only through the menu, as it leaves
// the board). The "Group by" select applies on change.
(function () {
  "use strict";
  var board = document.querySelector(".kanban-board");
  if (!board) return;
  var dragged = null;
  var origin = null;

  var group = document.getElementById("kanban-group");
  if (group) {
    group.addEventListener("change", function () { group.form.submit(); });
  }

  function say(text) {
    var status = document.getElementById("kanban-status");
    if (status) status.textContent = text;
  }

  function showError(text) {
    var box = document.getElementById("kanban-error");
    if (!box) return;
    box.textContent = text;
    box.classList.toggle("d-none", !text);
  }

  function recount(column) {
    if (!column) return;
    var cards = column.querySelectorAll(".kanban-card").length;
    var badge = column.querySelector(".kanban-count");
    if (badge) badge.textContent = String(cards) + (badge.textContent.indexOf("+") >= 0 ? "+" : "");
    var empty = column.querySelector(".kanban-empty");
    if (empty) empty.classList.toggle("d-none", cards > 0);
  }

  function columnOf(element) {
    return element ? element.closest(".kanban-column") : null;
  }

  function putBack(card, place) {
    if (!place) return;
    place.parent.insertBefore(card, place.next);
    recount(columnOf(card));
  }

  function move(card, column, keepFocus) {
    var from = columnOf(card);
    if (!column || column === from) return;
    var place = { parent: card.parentNode, next: card.nextSibling };
    var cards = column.querySelector(".kanban-cards");
    cards.insertBefore(card, cards.firstChild);
    recount(from);
    recount(column);
    card.classList.add("kanban-saving");
    showError("");
    htmx.ajax("POST", board.dataset.moveUrl, {
      source: card,
      target: card,
      swap: "outerHTML",
      values: {
        lead: card.dataset.lead,
        field: board.dataset.field,
        value: column.dataset.value,
        version: card.dataset.version,
        next: window.location.pathname + window.location.search
      }
    }).then(function () {
      var fresh = document.getElementById(card.id);
      if (fresh && fresh !== card) {
        say(column.dataset.label);
        if (keepFocus) fresh.focus();
      } else if (card.isConnected) {
        card.classList.remove("kanban-saving");
      }
    });
    card._kanbanPlace = place;
  }

  document.body.addEventListener("htmx:responseError", function (event) {
    var card = event.detail.elt;
    if (!card || !card.classList || !card.classList.contains("kanban-card")) return;
    card.classList.remove("kanban-saving");
    var from = columnOf(card);
    putBack(card, card._kanbanPlace);
    recount(from);
    showError(event.detail.xhr.responseText || "");
  });

  board.addEventListener("keydown", function (event) {
    var card = event.target;
    if (!card.classList || !card.classList.contains("kanban-card")) return;
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    var columns = Array.prototype.filter.call(board.querySelectorAll(".kanban-column"), function (c) {
      return c.dataset.accepts === "true" && c.dataset.converted !== "true";
    });
    var from = columnOf(card);
    var index = columns.indexOf(from);
    var next = columns[index + (event.key === "ArrowRight" ? 1 : -1)];
    if (index < 0 || !next) return;
    event.preventDefault();
    move(card, next, true);
  });

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".kanban-card") : null;
    if (!card) return;
    dragged = card;
    origin = columnOf(card);
    card.classList.add("kanban-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.lead);
  });

  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("kanban-dragging");
    board.querySelectorAll(".kanban-over").forEach(function (c) { c.classList.remove("kanban-over"); });
    dragged = null;
    origin = null;
  });

  board.addEventListener("dragover", function (event) {
    var column = columnOf(event.target);
    if (!dragged || !column || column.dataset.accepts !== "true") return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".kanban-over").forEach(function (c) { if (c !== column) c.classList.remove("kanban-over"); });
    column.classList.add("kanban-over");
  });

  board.addEventListener("drop", function (event) {
    var column = columnOf(event.target);
    if (!dragged || !column) return;
    event.preventDefault();
    column.classList.remove("kanban-over");
    if (column !== origin) move(dragged, column);
  });
})();
