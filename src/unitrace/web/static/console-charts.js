/* unitrace console charts: draws each <figure data-chart> of the page with Chart.js
   (vendor/chartjs/chart.umd.min.js, loaded before this script).

   Contract (docs/console-assets.md):
     <figure data-chart="stacked-bars|line|doughnut">
       <figcaption>Scans by day</figcaption>
       <script type="application/json">
         {"labels": ["2026-01-01", ...],
          "series": [{"name": "genuine", "values": [12, ...]}, ...],
          "links": ["/console/scans?day=2026-01-01", ...]}
       </script>
       <table>... the same numbers, for reading without JavaScript ...</table>
     </figure>
   - "labels": the x axis (bars, line) or the slices (doughnut); "series": one per stack or
     line, "values" one number per label; a doughnut draws its first series, a slice per label.
   - A series (or a doughnut's label) named by a verdict gets the verdict's colour: genuine
     green, suspicious amber, counterfeit red, recalled dark red, expired and inactive grey.
   - "links" (optional): one same-site path per label ("/…"); clicking that label's bar, point
     or slice follows it. Anything else is ignored.
   - The table stays in the page for screen readers and is hidden from view once the chart is
     drawn (class console-chart-drawn on the figure); data-chart-state="drawn" then, or
     "failed" (the table is left shown) when the data is not of this shape.
   Works under the pages' Content-Security-Policy: no inline script or style, no other host;
   data becomes text only through textContent and Chart.js's canvas, never innerHTML. */
(function () {
  "use strict";

  var VERDICT_COLOURS = {
    genuine: "#1b7f3b",
    suspicious: "#e0a100",
    counterfeit: "#c62828",
    recalled: "#7b1010",
    expired: "#80868b",
    inactive: "#b4b8bd"
  };
  // series that are not verdicts: distinct from the verdicts' colours
  var PALETTE = ["#1a73e8", "#9334e6", "#12a4af", "#e8710a", "#5f6368", "#d01884", "#188038"];
  var KINDS = { "stacked-bars": "bar", line: "line", doughnut: "doughnut" };

  function colourOf(name, index) {
    var key = String(name).toLowerCase();
    if (Object.prototype.hasOwnProperty.call(VERDICT_COLOURS, key)) {
      return VERDICT_COLOURS[key];
    }
    return PALETTE[index % PALETTE.length];
  }

  function isNumberList(values, length) {
    return Array.isArray(values) && values.length === length && values.every(function (v) {
      return typeof v === "number" && isFinite(v);
    });
  }

  /* The figure's data, checked; null when it is not of the contract's shape. */
  function readData(figure) {
    var block = figure.querySelector('script[type="application/json"]');
    if (!block) {
      return null;
    }
    var data;
    try {
      data = JSON.parse(block.textContent);
    } catch (error) {
      return null;
    }
    if (!data || !Array.isArray(data.labels) || !Array.isArray(data.series)) {
      return null;
    }
    var length = data.labels.length;
    var good = data.series.every(function (series) {
      return series && typeof series.name === "string" && isNumberList(series.values, length);
    });
    if (!good || data.series.length === 0) {
      return null;
    }
    return {
      labels: data.labels.map(String),
      series: data.series,
      links: Array.isArray(data.links) && data.links.length === length ? data.links : null
    };
  }

  /* A link unitrace itself serves: a path on this site, never another host or a script. */
  function sameSitePath(link) {
    return typeof link === "string" && link.charAt(0) === "/" && link.charAt(1) !== "/" &&
      link.charAt(1) !== "\\";
  }

  function configFor(kind, data) {
    var type = KINDS[kind];
    var datasets;
    if (type === "doughnut") {
      var first = data.series[0];
      datasets = [{
        label: first.name,
        data: first.values,
        backgroundColor: data.labels.map(colourOf),
        borderColor: "#fff",
        borderWidth: 1
      }];
    } else {
      datasets = data.series.map(function (series, index) {
        var colour = colourOf(series.name, index);
        return {
          label: series.name,
          data: series.values,
          backgroundColor: colour,
          borderColor: colour,
          borderWidth: type === "line" ? 2 : 0,
          pointRadius: type === "line" ? 2 : 0,
          tension: 0.2,
          fill: false
        };
      });
    }
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom" } }
    };
    if (type === "bar") {
      options.scales = { x: { stacked: true }, y: { stacked: true, beginAtZero: true } };
    } else if (type === "line") {
      options.scales = { y: { beginAtZero: true } };
    }
    if (type !== "doughnut") {
      // a day's whole column answers the pointer: its tooltip lists every series
      options.interaction = { mode: "index", intersect: false };
    }
    if (data.links) {
      options.onClick = function (event, elements) {
        if (elements.length && sameSitePath(data.links[elements[0].index])) {
          window.location.assign(data.links[elements[0].index]);
        }
      };
      options.onHover = function (event, elements) {
        var target = event.native && event.native.target;
        if (target) {
          target.style.cursor = elements.length ? "pointer" : "default";
        }
      };
    }
    return { type: type, data: { labels: data.labels, datasets: datasets }, options: options };
  }

  function draw(figure) {
    var kind = figure.getAttribute("data-chart");
    var data = readData(figure);
    if (!Object.prototype.hasOwnProperty.call(KINDS, kind) || data === null) {
      figure.setAttribute("data-chart-state", "failed");
      return;
    }
    var frame = document.createElement("div");
    frame.className = "console-chart-frame console-chart-" + kind;
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    var caption = figure.querySelector("figcaption");
    canvas.setAttribute("aria-label", caption ? caption.textContent.trim() : kind + " chart");
    frame.appendChild(canvas);
    // before the fallback table where it is the figure's own, else at the figure's end
    figure.insertBefore(frame, figure.querySelector(":scope > table"));
    new window.Chart(canvas, configFor(kind, data));
    figure.classList.add("console-chart-drawn");
    figure.setAttribute("data-chart-state", "drawn");
  }

  function drawAll() {
    if (typeof window.Chart !== "function") {
      return; // the library did not load: the tables are the page
    }
    var figures = document.querySelectorAll("figure[data-chart]");
    Array.prototype.forEach.call(figures, draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
