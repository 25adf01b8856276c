// Profile page: select the invite code when it gets focus, and offer a copy button where the
// clipboard is available. The page works without this script.
(function () {
  "use strict";
  var input = document.getElementById("invite-code");
  if (!input) return;
  var selectAll = function () { input.select(); };
  input.addEventListener("focus", selectAll);
  input.addEventListener("click", selectAll);

  var button = document.querySelector("[data-copy-target]");
  if (!button || !navigator.clipboard) return;
  var label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(input.value).then(function () {
      button.textContent = button.getAttribute("data-copied-label");
      window.setTimeout(function () { button.textContent = label; }, 2000);
    });
  });
})();
