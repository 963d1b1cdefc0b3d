// rihub: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // "/" focuses the site search, unless the person is typing somewhere already.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var box = document.getElementById("q") || document.getElementById("site-q");
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  // Copy buttons (hidden until this script runs, since they need the clipboard API).
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(function () {
        button.textContent = "Copied";
      }, function () {
        source.select();
      });
    });
  });

  // Compare form: at most six initiatives; further boxes are disabled until one is unticked.
  var form = document.querySelector(".compare-form");
  if (form) {
    var boxes = form.querySelectorAll("input[type=checkbox][name=codes]");
    var limit = function () {
      var checked = form.querySelectorAll("input[type=checkbox][name=codes]:checked").length;
      boxes.forEach(function (box) { box.disabled = !box.checked && checked >= 6; });
    };
    boxes.forEach(function (box) { box.addEventListener("change", limit); });
    limit();
  }
})();
