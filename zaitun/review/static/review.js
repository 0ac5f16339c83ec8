// Keyboard shortcuts for the document view: j/k move, a approve, e edit, Ctrl+Enter save and
// approve the edit, r reject, u use the first memory suggestion, Shift+A approve all unflagged,
// p preview, Esc leaves a form.
// No build step, no libraries.
(function () {
  "use strict";
  var segs = Array.prototype.slice.call(document.querySelectorAll("li.seg"));
  if (!segs.length) { return; }
  var current = -1;

  function mark(i) {
    if (current >= 0) { segs[current].classList.remove("current"); }
    current = i;
    segs[i].classList.add("current");
  }

  function focusSeg(i) {
    if (i < 0 || i >= segs.length) { return; }
    mark(i);
    segs[i].focus({ preventScroll: true });
    segs[i].scrollIntoView({ block: "center" });
  }

  function open(kind) {
    var seg = segs[current];
    if (!seg) { return; }
    var box = seg.querySelector("details." + kind);
    if (!box) { return; }
    box.open = true;
    var field = box.querySelector("textarea, input[name=comment]");
    if (field) { field.focus(); }
  }

  // A memory suggestion goes into the segment's editor, to be checked, changed and saved there.
  function use(suggestion) {
    var seg = suggestion.closest("li.seg");
    var box = seg.querySelector("details.edit");
    if (!box) { return; }
    box.open = true;
    var field = box.querySelector("textarea");
    field.value = suggestion.getAttribute("data-target");
    keep(field);
    markInvisible(field);
    field.focus();
  }

  document.querySelectorAll("li.suggestion button.use").forEach(function (button) {
    button.addEventListener("click", function () { use(button.closest("li.suggestion")); });
  });

  // What a reviewer types is kept in this tab until the page shows it saved: a save the server refused, a
  // session that ended before the save, or a page older than the login must not lose it.
  function draftKey(field) {
    return "zaitun-draft:" + location.pathname + ":" + field.closest("li.seg").getAttribute("data-seg") + ":" +
      field.name;
  }

  function savedText(field) {
    var saved = field.getAttribute("data-saved");
    return (saved === null ? field.defaultValue : saved).trim();
  }

  function keep(field) {
    try {
      if (field.value.trim() === savedText(field)) { sessionStorage.removeItem(draftKey(field)); }
      else { sessionStorage.setItem(draftKey(field), field.value); }
    } catch (e) { /* storage refused (private mode, full): the box still holds the text */ }
  }

  function restore(field) {
    var kept = null;
    try { kept = sessionStorage.getItem(draftKey(field)); } catch (e) { return false; }
    if (kept === null || kept.trim() === savedText(field)) { keep(field); return false; }
    field.value = kept;
    var box = field.closest("details");
    box.open = true;
    var note = document.createElement("p");
    note.className = "kept";
    note.setAttribute("role", "status");
    note.textContent = "Not saved yet: this is what you typed. Check it, then send it again. ";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.textContent = "Discard it";
    discard.addEventListener("click", function () {
      field.value = field.defaultValue;
      keep(field);
      markInvisible(field);
      note.remove();
    });
    note.appendChild(discard);
    box.querySelector("form").prepend(note);
    return true;
  }

  // An invisible character (zero-width space, direction mark, soft hyphen) is refused in an edit, yet the box
  // shows it as nothing: the text is shown again under the box with each one marked, and a button removes them.
  var invisible = new RegExp(document.querySelector("ol.segments").getAttribute("data-invisible"), "g");

  function markInvisible(field) {
    var old = field.parentNode.querySelector(".invisible");
    if (old) { old.remove(); }
    var text = field.value;
    if (text.search(invisible) < 0) { return; }
    var shown = document.createElement("div");
    shown.className = "invisible";
    shown.setAttribute("role", "status");
    var note = document.createElement("p");
    note.textContent = "This English holds characters that show as nothing, marked here where they are:";
    var marked = document.createElement("p");
    marked.className = "marked";
    var last = 0, found;
    invisible.lastIndex = 0;
    while ((found = invisible.exec(text)) !== null) {
      var mark = document.createElement("mark");
      mark.textContent = "\u27e8U+" + found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "\u27e9";
      marked.append(text.slice(last, found.index), mark);
      last = invisible.lastIndex;
    }
    marked.append(text.slice(last));
    var remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove them";
    remove.addEventListener("click", function () {
      field.value = field.value.replace(invisible, "");
      keep(field);
      markInvisible(field);
      field.focus();
    });
    shown.append(note, marked, remove);
    field.after(shown);
  }

  var restored = -1;
  segs.forEach(function (seg, i) {
    seg.querySelectorAll("textarea[name=target], input[name=comment]").forEach(function (field) {
      if (restore(field) && restored < 0) { restored = i; }
      field.addEventListener("input", function () { keep(field); });
    });
    seg.querySelectorAll("textarea[name=target]").forEach(function (field) {
      markInvisible(field);
      field.addEventListener("input", function () { markInvisible(field); });
    });
  });

  var start = location.hash ? segs.findIndex(function (s) { return "#" + s.id === location.hash; }) : -1;
  if (start < 0) { start = restored; }
  if (start < 0) { start = segs.findIndex(function (s) { return !s.classList.contains("state-approved"); }); }
  focusSeg(start < 0 ? 0 : start);

  segs.forEach(function (seg, i) {
    seg.addEventListener("click", function () { if (current !== i) { focusSeg(i); } });
    // Tab moved the keyboard into another segment: the shortcuts act on that one, where the focus ring is
    seg.addEventListener("focusin", function () { if (current !== i) { mark(i); } });
  });

  // Shift+A: the "Approve all unflagged" button, asked first; when it is off (every draft left is flagged, or none
  // is left), say so rather than ask and send a form that approves nothing.
  function approveAll() {
    var all = document.getElementById("approve-unflagged");
    if (!all) { return; }
    var button = all.querySelector("button[type=submit]");
    if (button && button.disabled) {
      var note = document.getElementById("approve-unflagged-note");
      if (!note) {
        note = document.createElement("p");
        note.id = "approve-unflagged-note";
        note.className = "flash info";
        note.setAttribute("role", "status");
        all.closest(".doc-actions").after(note);
      }
      note.textContent = "No unflagged draft to approve all at once: read each draft left " +
        "(j/k to move, e to edit, a to approve).";
      return;
    }
    if (window.confirm("Approve every unflagged draft of this document?")) { all.requestSubmit(); }
  }

  document.addEventListener("keydown", function (ev) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(ev.target.tagName);
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && ev.target.tagName === "TEXTAREA") {
      var save = ev.target.form && ev.target.form.querySelector("button[name=approve][value='1']");
      if (save) { ev.preventDefault(); ev.target.form.requestSubmit(save); }
      return;
    }
    if (ev.key === "Escape") {
      if (typing) { ev.target.blur(); var d = ev.target.closest("details"); if (d) { d.open = false; } focusSeg(current); }
      return;
    }
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var seg = segs[current];
    if (ev.key === "j") { focusSeg(Math.min(current + 1, segs.length - 1)); }
    else if (ev.key === "k") { focusSeg(Math.max(current - 1, 0)); }
    else if (ev.key === "a" && seg) { var f = seg.querySelector("form.approve"); if (f) { f.requestSubmit(); } }
    else if (ev.key === "e") { open("edit"); }
    else if (ev.key === "r") { open("reject"); }
    else if (ev.key === "u" && seg) { var first = seg.querySelector("li.suggestion"); if (first) { use(first); } }
    else if (ev.key === "A") { approveAll(); }
    else if (ev.key === "p") { var p = document.querySelector("[data-key=p]"); if (p) { location.href = p.href; } }
    else { return; }
    ev.preventDefault();
  });
})();

// Add content: files dropped on the drop area go into the file picker.
(function () {
  "use strict";
  var drop = document.getElementById("drop");
  var input = document.getElementById("files");
  if (!drop || !input) { return; }
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (ev) {
    ev.preventDefault();
    if (ev.dataTransfer && ev.dataTransfer.files.length) { input.files = ev.dataTransfer.files; }
  });
})();
