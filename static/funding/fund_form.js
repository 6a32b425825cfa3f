// The fund form (funding/fund_form.html): suggest the source of funds the policy
// names for the chosen team's county, and warn when another one is chosen.
// The messages come from #source-hint's data- attributes (translated in the template).
(function () {
  "use strict";
  var suggestions = JSON.parse(document.getElementById("fund-suggestions").textContent);
  var labels = JSON.parse(document.getElementById("fund-source-labels").textContent);
  var team = document.getElementById("id_team"), source = document.getElementById("id_source");
  var hint = document.getElementById("source-hint");
  if (!team || !source || !hint) { return; }
  function show(fill) {
    var wanted = suggestions[team.value];
    if (!wanted) { hint.textContent = hint.dataset.empty; return; }
    if (fill) { source.value = wanted; }
    hint.textContent = source.value === wanted
      ? hint.dataset.suggested + labels[wanted]
      : hint.dataset.differs + labels[wanted] + hint.dataset.differsEnd;
    // A CSSOM change, which the Content-Security-Policy allows (no inline style).
    hint.style.color = source.value === wanted ? "" : "#b3261e";
  }
  team.addEventListener("change", function () { show(true); });
  source.addEventListener("change", function () { show(false); });
  if (team.value) { show(false); }
})();
