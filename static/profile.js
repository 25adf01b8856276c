// Profile page: select the invite code when it gets focus, and show a copy button. The page
// works without this script (the code can be selected and copied by hand).
(function () {
  "use strict";
  var input = document.getElementById("invite-code");
  if (!input) return;
  var selectAll = function () { input.select(); };
  input.addEventListener("focus", selectAll);
  input.addEventListener("click", selectAll);

  var button = document.querySelector("[data-copy-target]");
  if (!button) return;
  var label = button.textContent;
  var copied = function () {
    button.textContent = button.getAttribute("data-copied-label");
    window.setTimeout(function () { button.textContent = label; }, 2000);
  };
  var fallback = function () {
    input.select();
    if (document.execCommand("copy")) copied();
  };
  button.hidden = false;
  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(copied, fallback);
    } else {
      fallback();
    }
  });
})();
