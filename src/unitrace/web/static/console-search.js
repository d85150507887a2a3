/* The console's search box: "Scan with the camera" where the browser can read barcodes
   (BarcodeDetector) from a camera (navigator.mediaDevices). The button stays hidden
   everywhere else; the box itself works without any script. A QR Code or Data Matrix read
   from the camera is put into the box and the search is sent, as if typed. */
(function () {
  "use strict";

  var WANTED = ["qr_code", "data_matrix"];
  var button = document.getElementById("console-scan");
  var form = button ? button.form : null;
  var media = navigator.mediaDevices;
  if (!button || !form || !("BarcodeDetector" in window) || !media ||
      typeof media.getUserMedia !== "function") {
    return;
  }

  function usableFormats() {
    var asked = window.BarcodeDetector.getSupportedFormats;
    if (typeof asked !== "function") {
      return Promise.resolve(WANTED);
    }
    return asked.call(window.BarcodeDetector).then(function (formats) {
      return WANTED.filter(function (format) { return formats.indexOf(format) >= 0; });
    });
  }

  function element(name, attributes, text) {
    var made = document.createElement(name);
    Object.keys(attributes).forEach(function (key) { made.setAttribute(key, attributes[key]); });
    if (text) {
      made.textContent = text;
    }
    return made;
  }

  function scan(formats) {
    var detector = new window.BarcodeDetector({ formats: formats });
    var dialog = element("dialog", { "class": "camera", "aria-labelledby": "camera-title" });
    var title = element("h2", { id: "camera-title" }, "Scan a code with the camera");
    var video = element("video", { "aria-label": "What the camera sees", muted: "",
                                   playsinline: "" });
    var status = element("p", { role: "status", "class": "small" },
                         "Hold the unit's QR Code or Data Matrix in front of the camera.");
    var actions = element("div", { "class": "camera-actions" });
    var cancel = element("button", { type: "button", "class": "secondary" }, "Cancel");
    var stream = null;
    var stopped = false;

    video.muted = true;
    video.playsInline = true;
    actions.appendChild(cancel);
    dialog.append(title, video, status, actions);
    document.body.appendChild(dialog);

    function stop() {
      stopped = true;
      if (stream) {
        stream.getTracks().forEach(function (track) { track.stop(); });
      }
      if (dialog.open) {
        dialog.close();
      }
      dialog.remove();
      button.focus();
    }

    function look() {
      if (stopped) {
        return;
      }
      detector.detect(video).then(function (codes) {
        var found = codes.filter(function (code) { return code.rawValue; })[0];
        if (!found) {
          window.setTimeout(look, 200);
          return;
        }
        form.elements.code.value = found.rawValue;
        stop();
        form.submit();
      }).catch(function () {
        window.setTimeout(look, 500);
      });
    }

    cancel.addEventListener("click", stop);
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      stop();
    });
    dialog.showModal();
    media.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (opened) {
        stream = opened;
        if (stopped) {
          stop();
          return null;
        }
        video.srcObject = opened;
        return video.play().then(look);
      })
      .catch(function (error) {
        status.textContent = "The camera could not be opened (" + error.name +
          "): type or paste the code into the box instead.";
      });
  }

  usableFormats().then(function (formats) {
    if (formats.length === 0) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () { scan(formats); });
  }).catch(function () {
    // no formats known: the button stays hidden
  });
}());
