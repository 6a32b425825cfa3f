// Admin person page: a reveal of the full ID number and phone asks first,
// since it is written to the audit trail (the question: the form's data-confirm).
(function () {
  "use strict";
  document.querySelectorAll("form.reveal-form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
