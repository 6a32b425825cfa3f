// The yearly grading page (assessments/yearly/grading.html): while the clerk
// picks grades, say how many 优秀 places the page's choices would leave.
// The messages come from #cap-live's data- attributes (translated in the template).
(function () {
  "use strict";
  var box = document.getElementById("cap");
  var live = document.getElementById("cap-live");
  if (!box || !live) { return; }
  var cap = parseInt(box.dataset.cap, 10), given = parseInt(box.dataset.excellent, 10);
  var cells = document.querySelectorAll("td[data-cap] select");
  function update() {
    var delta = 0;
    cells.forEach(function (select) {
      var initial = select.parentNode.dataset.initial === "excellent";
      var now = select.value === "excellent";
      delta += (now ? 1 : 0) - (initial ? 1 : 0);
    });
    if (delta === 0) { live.hidden = true; return; }
    var left = cap - given - delta;
    live.hidden = false;
    live.textContent = left >= 0
      ? live.dataset.left + " " + left + " " + live.dataset.unit
      : live.dataset.over + " " + (-left) + " " + live.dataset.overUnit;
    live.className = left >= 0 ? "hint" : "messages__item messages__item--error";
  }
  cells.forEach(function (select) { select.addEventListener("change", update); });
  update();
})();
