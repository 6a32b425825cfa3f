// The printable record (teams/person_record.html): the print button prints.
(function () {
  "use strict";
  var button = document.getElementById("print-record");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
})();
