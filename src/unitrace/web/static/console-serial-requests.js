/* A serial request being issued: its page asks the console where it stands, every second or
   so, until it is done (then opens the request) or refused (then shows why, by reloading the
   page). Without JavaScript the page shows the state at load, and a Refresh link. */
(function () {
  "use strict";
  var box = document.querySelector("[data-job-progress]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var status = box.querySelector("#job-status");
  var bar = box.querySelector("#job-progress");
  var wait = 700;

  function seconds(value) {
    return Math.round(value || 0).toLocaleString("en") + " s";
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  function show(progress) {
    status.setAttribute("data-status", progress.status);
    if (progress.status === "done" && progress.href) {
      status.textContent = "Issued: opening the request.";
      window.location.assign(progress.href);
      return true;
    }
    if (progress.finished) {
      // the page says why, as it does without JavaScript
      window.location.reload();
      return true;
    }
    if (progress.status === "queued") {
      status.textContent = "Waiting to be issued" +
        (progress.ahead ? ": " + plural(progress.ahead, "request") + " ahead of it." : ".");
      return false;
    }
    var text = "Issuing: " + seconds(progress.elapsed) + " so far";
    if (progress.estimate) {
      text += ", about " + seconds(progress.estimate) + " in all";
      if (bar) {
        bar.max = progress.estimate;
        bar.value = Math.min(progress.elapsed || 0, progress.estimate * 0.95);
      }
    }
    status.textContent = text + ".";
    return false;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" })
      .then(function (answer) {
        var type = answer.headers.get("content-type") || "";
        if (!answer.ok || type.indexOf("application/json") !== 0) {
          throw new Error("no progress: " + answer.status);
        }
        return answer.json();
      })
      .then(function (progress) {
        if (!show(progress)) {
          wait = Math.min(wait * 1.2, 3000);
          window.setTimeout(poll, wait);
        }
      })
      .catch(function () {
        status.textContent = "Where this request stands could not be read: use Refresh.";
      });
  }

  window.setTimeout(poll, wait);
})();
