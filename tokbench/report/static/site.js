/* tokbench report pages: numeric sorting (missing values last), row filter, pivot re-normalisation. */
(function () {
  "use strict";
  // numbers come from data-sort; an empty one (missing value) sorts after every number
  Tablesort.extend("tbnum", function () { return false; }, function (a, b) {
    var x = a === "" ? NaN : parseFloat(a), y = b === "" ? NaN : parseFloat(b);
    if (isNaN(x)) { x = Infinity; }
    if (isNaN(y)) { y = Infinity; }
    if (x === y) { return 0; }
    return x < y ? 1 : -1;
  });

  function filterRows(input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var text = row.textContent.toLowerCase();
      var ok = terms.every(function (t) { return text.indexOf(t) >= 0; });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var counter = document.getElementById(input.getAttribute("data-count"));
    if (counter) { counter.textContent = shown + " of " + table.tBodies[0].rows.length + " rows"; }
  }

  function fmt(v) { return isFinite(v) ? v.toFixed(3) : "–"; }

  // premium(L) = tokens(L) / tokens(pivot) on the same parallel text: re-normalise from token counts
  function renderPivot(data, pivot) {
    var table = document.getElementById("premium-table");
    var body = table.tBodies[0];
    var rows = body.rows;
    for (var i = 0; i < rows.length; i++) {
      var lang = rows[i].getAttribute("data-lang");
      for (var j = 0; j < data.tokenizers.length; j++) {
        var tok = data.tokenizers[j];
        var counts = data.tokens[tok];
        var v = counts[lang] / counts[pivot];
        var cell = rows[i].cells[j + 2];
        cell.textContent = fmt(v);
        cell.setAttribute("data-sort", isFinite(v) ? v.toString() : "");
        var unk = data.unk[tok] && data.unk[tok].indexOf(lang) >= 0;
        cell.className = unk ? "unk" : "";
        cell.title = unk ? "over the UNK threshold: this tokenizer cannot represent the language" : "";
      }
    }
    Array.prototype.forEach.call(document.querySelectorAll(".pivot-name"), function (el) { el.textContent = pivot; });
    if (table.tablesort) { table.tablesort.refresh(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (t) {
      t.tablesort = new Tablesort(t);
    });
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"), function (input) {
      input.addEventListener("input", function () { filterRows(input); });
      filterRows(input);
    });
    var dataEl = document.getElementById("premium-data");
    var select = document.getElementById("pivot-select");
    if (dataEl && select) {
      var data = JSON.parse(dataEl.textContent);
      select.addEventListener("change", function () { renderPivot(data, select.value); });
      renderPivot(data, select.value);
    }
  });
}());
