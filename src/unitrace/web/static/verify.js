// The verification page's one script: on the person's consent, the phone's location is sent
// with a second scan of the same code, and the page shows that scan's message. The code and
// the scan route come from the page's data attributes (the page has no inline script).
(function () {
  "use strict";
  var section = document.getElementById("location");
  var button = document.getElementById("share");
  if (!section || !button) { return; }
  if (!("geolocation" in navigator)) { button.hidden = true; return; }
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      fetch(section.dataset.scanUrl, {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({code: section.dataset.code, lat: position.coords.latitude,
                              lon: position.coords.longitude})
      }).then(function (answer) { return answer.json(); }).then(function (scan) {
        document.getElementById("message").textContent = scan.message || "";
        button.textContent = "Thank you";
      }, function () { button.disabled = false; });
    }, function () { button.disabled = false; });
  });
})();
