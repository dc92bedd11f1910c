/* tokbench report pages: numeric sorting (missing values last in both directions), row filter, frozen columns,
   pivot re-normalisation, and the tokenization viewer. No network, no dependencies beyond tablesort. */
(function () {
  "use strict";
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  // numbers come from data-sort; missing values are moved after every number once a sort is done (below)
  Tablesort.extend("tbnum", function () { return false; }, function (a, b) {
    var x = a === "" ? NaN : parseFloat(a), y = b === "" ? NaN : parseFloat(b);
    if (isNaN(x)) { x = Infinity; }
    if (isNaN(y)) { y = Infinity; }
    if (x === y) { return 0; }
    return x < y ? 1 : -1;
  });

  function isMissing(cell) {
    if (!cell) { return true; }
    var v = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    return v === "" || v === "–";
  }

  // tablesort reverses the whole order for the other direction; put rows without a value back at the end
  function missingLast(table) {
    var col = table.tablesort ? table.tablesort.col : undefined;
    if (col === undefined) { return; }
    each(table.tBodies, function (body) {
      var missing = Array.prototype.filter.call(body.rows, function (r) { return isMissing(r.cells[col]); });
      missing.forEach(function (r) { body.appendChild(r); });
    });
  }

  function filterRows(input) {
    var ids = input.getAttribute("data-filter").split(/\s+/).filter(Boolean);
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0, total = 0;
    ids.forEach(function (id) {
      var table = document.getElementById(id);
      if (!table) { return; }
      each(table.tBodies[0].rows, function (row) {
        var text = (row.textContent + " " + (row.getAttribute("data-search") || "")).toLowerCase();
        var ok = terms.every(function (t) { return text.indexOf(t) >= 0; });
        row.hidden = !ok;
        total += 1;
        if (ok) { shown += 1; }
      });
    });
    var counter = document.getElementById(input.getAttribute("data-count"));
    if (counter) { counter.textContent = shown + " of " + total + " rows"; }
  }

  // the second frozen column starts where the first ends
  function freeze(table) {
    var first = table.tHead && table.tHead.rows[0] && table.tHead.rows[0].cells[0];
    if (first) { table.style.setProperty("--freeze-left", first.getBoundingClientRect().width + "px"); }
  }

  function fmt(v) { return isFinite(v) ? v.toFixed(3) : "–"; }

  // premium(L) = tokens(L) / tokens(pivot) on the same parallel text: re-normalise from token counts
  function renderPivot(data, pivot) {
    var table = document.getElementById("premium-table");
    var rows = table.tBodies[0].rows;
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
    each(document.querySelectorAll(".pivot-name"), function (el) {
      el.textContent = (data.labels && data.labels[pivot]) || pivot;
    });
    if (table.tablesort) { table.tablesort.refresh(); }
  }

  /* ---- tokenization viewer ---- */
  var DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  function unpack(s) {
    var out = [], i = 0;
    while (i < s.length) {
      if (s[i] === "{") { var j = s.indexOf("}", i); out.push(parseInt(s.slice(i + 1, j), 10)); i = j + 1; }
      else { out.push(DIGITS.indexOf(s[i])); i += 1; }
    }
    return out;
  }
  var strict = new TextDecoder("utf-8", { fatal: true });
  var lenient = new TextDecoder("utf-8");
  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16).toUpperCase(); }).join(" ");
  }
  function seqLen(lead) {
    if (lead < 0x80) { return 1; }
    if ((lead >> 5) === 6) { return 2; }
    if ((lead >> 4) === 14) { return 3; }
    if ((lead >> 3) === 30) { return 4; }
    return 0;
  }
  // whole characters as text, stray bytes as ‹E1 80›
  function showBytes(bytes) {
    var out = "", stray = [], any = false, i = 0;
    function flush() { if (stray.length) { out += "‹" + hex(stray) + "›"; stray = []; any = true; } }
    while (i < bytes.length) {
      var n = seqLen(bytes[i]), ch = null;
      if (n && i + n <= bytes.length) {
        try { ch = strict.decode(bytes.subarray(i, i + n)); } catch (e) { ch = null; }
      }
      if (ch !== null) { flush(); out += ch; i += n; } else { stray.push(bytes[i]); i += 1; }
    }
    if (!out && stray.length) { return { text: hex(stray), stray: true }; }  // bytes only: no brackets needed
    flush();
    return { text: out, stray: any };
  }
  // the whole characters that a byte range [a, b) of the text's UTF-8 falls in
  function charsAround(bytes, a, b) {
    while (a > 0 && (bytes[a] & 0xC0) === 0x80) { a -= 1; }
    while (b < bytes.length && (bytes[b] & 0xC0) === 0x80) { b += 1; }
    return lenient.decode(bytes.subarray(a, b));
  }

  function tokensOf(entry, text) {
    var out = [], i, pos = 0;
    if (entry.b !== undefined) {
      var raw = new TextEncoder().encode(entry.t !== undefined ? entry.t : text), bytes = raw;
      if (entry.p) { bytes = new Uint8Array(raw.length + 1); bytes[0] = 0x20; bytes.set(raw, 1); }
      var lens = unpack(entry.b);
      for (i = 0; i < lens.length; i++) {
        var slice = bytes.subarray(pos, pos + lens[i]), shown = showBytes(slice);
        out.push(shown.stray
          ? { text: shown.text, kind: "b", hint: "bytes " + hex(slice) + " of '" + charsAround(bytes, pos, pos + lens[i]) + "'" }
          : { text: shown.text, kind: "" });
        pos += lens[i];
      }
      return out;
    }
    var chars = Array.from(entry.d !== undefined ? entry.d : text), lens2 = unpack(entry.l), kind = {};
    Object.keys(entry.k || {}).forEach(function (k) { entry.k[k].forEach(function (idx) { kind[idx] = k; }); });
    for (i = 0; i < lens2.length; i++) {
      var piece = chars.slice(pos, pos + lens2[i]).join(""), k2 = kind[i] || "";
      var hint = (entry.h && entry.h[i]) || (k2 === "u" ? "UNK: the tokenizer cannot represent '" + piece + "'" : "");
      out.push({ text: piece, kind: k2, hint: hint });
      pos += lens2[i];
    }
    return out;
  }

  function initViewer(el) {
    var data = JSON.parse(el.textContent);
    var defaults = (el.getAttribute("data-default") || "").split(" ");
    var langSel = document.getElementById("viewer-lang"), unitSel = document.getElementById("viewer-unit");
    var boxes = document.getElementById("viewer-tokenizers"), out = document.getElementById("viewer-out");
    var source = document.getElementById("viewer-source");
    function unitName(u) {
      if (data.corpus === "udhr") { return u === "0" ? "Preamble" : "Article " + u; }
      return "unit " + u;
    }
    data.languages.forEach(function (l) { langSel.add(new Option(l.label, l.code)); });
    data.tokenizers.forEach(function (t) {
      var label = document.createElement("label"), box = document.createElement("input");
      box.type = "checkbox"; box.value = t; box.checked = defaults.indexOf(t) >= 0;
      box.addEventListener("change", render);
      label.appendChild(box); label.appendChild(document.createTextNode(" " + t));
      boxes.appendChild(label);
    });
    function fillUnits() {
      var keep = unitSel.value;
      while (unitSel.options.length) { unitSel.remove(0); }
      data.units.forEach(function (u, i) {
        if (u.lang === langSel.value) {
          var excerpt = Array.from(u.text).slice(0, 56).join("") + (Array.from(u.text).length > 56 ? "…" : "");
          var o = new Option(unitName(u.unit) + " · " + excerpt, String(i));
          o.setAttribute("data-unit", u.unit);
          unitSel.add(o);
        }
      });
      each(unitSel.options, function (o) { if (data.units[+o.value].unit === (keep && data.units[+keep] && data.units[+keep].unit)) { unitSel.value = o.value; } });
    }
    function render() {
      var idx = +unitSel.value, unit = data.units[idx];
      source.textContent = unit.text;
      var nbytes = new TextEncoder().encode(unit.text).length;
      while (out.firstChild) { out.removeChild(out.firstChild); }
      each(boxes.querySelectorAll("input:checked"), function (box) {
        var tok = box.value, rows = data.enc[tok];
        while (rows.same) { rows = data.enc[rows.same]; }  // identical tokens to an earlier tokenizer
        var toks = tokensOf(rows[idx], unit.text);
        var row = document.createElement("div"), h = document.createElement("h3"), line = document.createElement("div");
        row.className = "tok-row"; row.setAttribute("data-tokenizer", tok);
        var nUnk = toks.filter(function (t) { return t.kind === "u"; }).length;
        h.textContent = tok + " ";
        var info = document.createElement("span");
        info.className = "muted";
        info.textContent = "· " + toks.length + " tokens · " + (nbytes / Math.max(1, toks.length)).toFixed(2) + " bytes/token" +
          (nUnk ? " · " + nUnk + " UNK" : "") + (data.enc[tok].same ? " · the same tokens as " + data.enc[tok].same : "");
        h.appendChild(info);
        line.className = "tokens"; line.setAttribute("dir", "auto");
        toks.forEach(function (t, i) {
          var s = document.createElement("span");
          s.className = t.kind ? "k-" + t.kind + (t.kind === "b" ? " b" + (i % 2) : "") : "c" + (i % 5);
          s.textContent = t.text;
          if (t.hint) { s.title = t.hint; }
          line.appendChild(s);
        });
        row.appendChild(h); row.appendChild(line); out.appendChild(row);
      });
    }
    langSel.addEventListener("change", function () { fillUnits(); render(); });
    unitSel.addEventListener("change", render);
    fillUnits();
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    each(document.querySelectorAll("table.sortable"), function (t) {
      t.addEventListener("afterSort", function () { missingLast(t); });
      t.tablesort = new Tablesort(t);
      missingLast(t);
    });
    each(document.querySelectorAll("table.freeze"), freeze);
    window.addEventListener("resize", function () { each(document.querySelectorAll("table.freeze"), freeze); });
    each(document.querySelectorAll("input[data-filter]"), function (input) {
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
    var viewer = document.getElementById("viewer-data");
    if (viewer) { initViewer(viewer); }
  });
}());
