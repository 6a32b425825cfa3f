// The monthly attendance grid: Enter and the up/down arrows move between rows in
// the same column; each row shows its day total and is marked when it exceeds
// the month; Ctrl+Enter saves. Plain inputs in a table: without this script the grid still works.
(function () {
  "use strict";
  var form = document.getElementById("attendance-grid");
  if (!form) { return; }
  var days = parseInt(form.getAttribute("data-days"), 10);
  var rows = Array.prototype.slice.call(form.querySelectorAll("tr[data-row]"));
  var dirty = false;

  function cellsOf(row) { return Array.prototype.slice.call(row.querySelectorAll("input")); }

  function total(row) {
    var sum = 0;
    row.querySelectorAll("input[data-day]").forEach(function (input) {
      var value = parseInt(input.value, 10);
      if (!isNaN(value)) { sum += value; }
    });
    var cell = row.querySelector("[data-total]");
    if (cell) { cell.textContent = sum ? String(sum) : ""; }
    row.classList.toggle("is-over", sum > days);
  }

  function move(input, step) {
    var row = input.closest("tr");
    var column = cellsOf(row).indexOf(input);
    var index = rows.indexOf(row) + step;
    if (index < 0 || index >= rows.length) { return; }
    var target = cellsOf(rows[index])[column];
    if (target) { target.focus(); target.select(); }
  }

  rows.forEach(function (row) {
    total(row);
    cellsOf(row).forEach(function (input) {
      input.addEventListener("input", function () { dirty = true; total(row); });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          dirty = false;
          form.requestSubmit();
        } else if (event.key === "Enter" || event.key === "ArrowDown") {
          event.preventDefault();
          move(input, event.shiftKey ? -1 : 1);
        } else if (event.key === "ArrowUp") {
          event.preventDefault();
          move(input, -1);
        }
      });
    });
  });

  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
