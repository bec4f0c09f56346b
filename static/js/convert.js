// Convert page: "Don't create an opportunity" disables the opportunity fields; Escape leaves the
// page (outside inputs and dialogs); choosing an account reloads the contact choices.
(function () {
  var box = document.getElementById("id_no_opportunity");
  var fields = document.getElementById("opportunity-fields");
  function sync() {
    if (box && fields) {
      fields.classList.toggle("opacity-50", box.checked);
      fields.querySelectorAll("input:not([type=hidden]),select").forEach(function (el) { el.disabled = box.checked; });
    }
  }
  if (box) { box.addEventListener("change", sync); sync(); }
  // Choosing an account reloads the contact choices (an htmx trigger filter would need eval).
  document.body.addEventListener("change", function (e) {
    if (e.target.name === "account" && window.htmx) { htmx.trigger(document.body, "account-changed"); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !document.querySelector(".modal.show")) {
      var c = document.querySelector("[data-cancel]");
      if (c && document.activeElement && document.activeElement.tagName !== "INPUT") { window.location = c.href; }
    }
  });
})();
