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

// The invite link's "Share" button: the system's share sheet where the browser has one (Web
// Share API), else a copy of the link. Without this script the link can be selected and copied,
// and the QR code scanned.
(function () {
  "use strict";
  var button = document.getElementById("share-button");
  var input = button && document.getElementById(button.getAttribute("data-share-target"));
  if (!input) return;
  var label = button.textContent;
  var copied = function () {
    button.textContent = button.getAttribute("data-copied-label");
    window.setTimeout(function () { button.textContent = label; }, 2000);
  };
  var copy = function () {
    var fallback = function () {
      input.select();
      if (document.execCommand("copy")) copied();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(copied, fallback);
    } else {
      fallback();
    }
  };
  input.addEventListener("focus", function () { input.select(); });
  button.hidden = false;
  button.addEventListener("click", function () {
    if (typeof navigator.share === "function") {
      navigator.share({ title: button.getAttribute("data-share-title"), url: input.value })
        .catch(function (e) { if (e && e.name !== "AbortError") copy(); });
    } else {
      copy();
    }
  });
})();
