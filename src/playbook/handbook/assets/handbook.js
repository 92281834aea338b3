/* Tick boxes on message cards: "posted" is kept in this browser's localStorage only (no
   server), keyed by the message's id, so it survives a reload and a new day has new boxes. */
(function () {
  "use strict";
  var prefix = "playbook-posted:";
  function store(key, on) {
    try {
      if (on) { window.localStorage.setItem(prefix + key, "1"); } else { window.localStorage.removeItem(prefix + key); }
    } catch (e) { /* storage disabled: the box still works for this visit */ }
  }
  function stored(key) {
    try { return window.localStorage.getItem(prefix + key) === "1"; } catch (e) { return false; }
  }
  function mark(box) {
    var variant = box.closest(".pb-variant");
    if (variant) { variant.classList.toggle("pb-done", box.checked); }
  }
  document.querySelectorAll("input[data-pb-tick]").forEach(function (box) {
    var key = box.getAttribute("data-pb-tick");
    box.checked = stored(key);
    mark(box);
    box.addEventListener("change", function () { store(key, box.checked); mark(box); });
  });
})();
