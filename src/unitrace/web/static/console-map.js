/* unitrace console map: draws each <div data-map> of the page with Leaflet
   (vendor/leaflet/leaflet.js and vendor/topojson-client/topojson-client.min.js, loaded before
   this script, and vendor/leaflet/leaflet.css) on unitrace's own map geometry: no tiles,
   nothing from another host.

   Contract (docs/console-assets.md):
     <div data-map>
       <script type="application/json">
         {"areas": {"MY-14": 12, "FR": 3},
          "points": [{"lat": 3.1, "lon": 101.6, "label": "Kuala Lumpur, 2 Jan",
                      "verdict": "genuine", "href": "/console/scans/1"}],
          "territory": ["MY", "SG"],
          "trail": true,
          "measure": "scans"}
       </script>
       <table>... the same facts, for reading without JavaScript ...</table>
     </div>
   Every key is optional.
   - "areas": a count by ISO 3166-2 region code ("MY-14", the codes unitrace gives a scan's
     place) or ISO 3166-1 alpha-2 country code ("FR"); each is shaded by its count (a region
     on its own shape, merged from its parts where the source draws it finer; a code with no
     shape is a circle sized by its count at its centroid). "measure" names what is counted
     in the legend (default "count").
   - "points": circle markers coloured by "verdict" (genuine green, suspicious amber,
     counterfeit red, recalled dark red, expired and inactive grey); "label" is shown when
     pointed at; "href", a same-site path ("/…"), is followed on click.
   - "territory": region or country codes outlined with a dashed line (a distributor's
     territory).
   - "trail": true joins the points with a line in the order given (a cloned unit's trail).
   The map fits to what it draws and has a legend; codes it cannot place are listed there.
   The fallback table stays in the page for screen readers and is hidden from view once the
   map is drawn (class console-map-drawn); data-map-state is "drawn" then, or "failed" (the
   table left shown). SVG elements carry data-area, data-territory and data-point.
   The geometry index is geo/index.json beside this script. Data becomes text only through
   textContent, never innerHTML. */
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
  var OTHER_VERDICT = "#5f6368";
  var RAMP = ["#dbe7fb", "#a9c6f5", "#6e9eeb", "#3b73d6", "#1a4fa8"];
  var TERRITORY = "#6b3fd4";
  var TRAIL = "#202124";
  var script = document.currentScript;
  var indexUrl = script ? new URL("geo/index.json", script.src).href : null;
  var loaded = {};

  function getJson(url) {
    if (!loaded[url]) {
      loaded[url] = fetch(url, { credentials: "same-origin" }).then(function (answer) {
        if (!answer.ok) {
          throw new Error(url + ": " + answer.status);
        }
        return answer.json();
      });
    }
    return loaded[url];
  }

  function own(object, key) {
    return object !== null && typeof object === "object" &&
      Object.prototype.hasOwnProperty.call(object, key);
  }

  function sameSitePath(link) {
    return typeof link === "string" && link.charAt(0) === "/" && link.charAt(1) !== "/" &&
      link.charAt(1) !== "\\";
  }

  function isCode(code) {
    return typeof code === "string" && /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/.test(code);
  }

  /* The element's data, checked and reduced to what the contract allows. */
  function readData(element) {
    var block = element.querySelector('script[type="application/json"]');
    var data = block ? JSON.parse(block.textContent) : {};
    var areas = {};
    if (own(data, "areas") && typeof data.areas === "object" && data.areas !== null) {
      Object.keys(data.areas).forEach(function (code) {
        var value = data.areas[code];
        if (isCode(code) && typeof value === "number" && isFinite(value) && value > 0) {
          areas[code] = value;
        }
      });
    }
    var points = (Array.isArray(data.points) ? data.points : []).filter(function (p) {
      return p && typeof p.lat === "number" && typeof p.lon === "number" &&
        Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180;
    });
    var territory = (Array.isArray(data.territory) ? data.territory : []).filter(isCode);
    return {
      areas: areas,
      points: points,
      territory: territory,
      trail: data.trail === true,
      measure: typeof data.measure === "string" ? data.measure : "count"
    };
  }

  /* Geometry: the countries topology and, for region codes, their country's topology. */
  function Geometry(index, countries, regions) {
    this.index = index;
    this.countries = countries;
    this.regions = regions;
  }

  Geometry.prototype.name = function (code) {
    var topology = code.indexOf("-") > 0 ? this.regions[code.slice(0, 2)] : this.countries;
    return topology && own(topology.names, code) ? topology.names[code] : code;
  };

  /* What draws `code`: {shape: GeoJSON} or {centroid: [lat, lon]}, or null. */
  Geometry.prototype.resolve = function (code) {
    if (code.indexOf("-") < 0) {
      return this.shapeOrCentroid(this.countries, "countries", code, function (g) {
        return g.properties && g.properties.code === code;
      });
    }
    var topology = this.regions[code.slice(0, 2)];
    if (!topology) {
      return null;
    }
    if (own(topology.countries, code)) {
      return this.resolve(topology.countries[code]);
    }
    return this.shapeOrCentroid(topology, "regions", code, function (g) {
      return g.properties && Array.isArray(g.properties.codes) &&
        g.properties.codes.indexOf(code) >= 0;
    });
  };

  Geometry.prototype.shapeOrCentroid = function (topology, object, code, matches) {
    var collection = topology.objects[object];
    var parts = collection ? collection.geometries.filter(matches) : [];
    if (parts.length === 1) {
      return { shape: window.topojson.feature(topology, parts[0]) };
    }
    if (parts.length > 1) {
      var merged = window.topojson.merge(topology, parts);
      return { shape: { type: "Feature", properties: {}, geometry: merged } };
    }
    if (own(topology.centroids, code)) {
      return { centroid: topology.centroids[code] };
    }
    return null;
  };

  function loadGeometry(data) {
    return getJson(indexUrl).then(function (index) {
      return getJson(index.countries).then(function (countries) {
        var wanted = {};
        Object.keys(data.areas).concat(data.territory).forEach(function (code) {
          var country = code.slice(0, 2);
          if (code.indexOf("-") > 0 && own(index.regions, country)) {
            wanted[country] = true;
          }
        });
        var names = Object.keys(wanted);
        return Promise.all(names.map(function (country) {
          return getJson(index.regions[country]);
        })).then(function (topologies) {
          var regions = {};
          names.forEach(function (country, i) { regions[country] = topologies[i]; });
          return new Geometry(index, countries, regions);
        });
      });
    });
  }

  /* Upper bounds of the shading classes for counts up to `most`. */
  function breaksFor(most) {
    var breaks = [];
    for (var k = 1; k <= RAMP.length; k++) {
      var bound = Math.ceil(most * k / RAMP.length);
      if (breaks.indexOf(bound) < 0) {
        breaks.push(bound);
      }
    }
    return breaks;
  }

  function shadeOf(value, breaks) {
    for (var k = 0; k < breaks.length; k++) {
      if (value <= breaks[k]) {
        return RAMP[Math.round(k * (RAMP.length - 1) / Math.max(breaks.length - 1, 1))];
      }
    }
    return RAMP[RAMP.length - 1];
  }

  function textBlock(lines) {
    var block = document.createElement("div");
    lines.forEach(function (line, i) {
      if (i > 0) {
        block.appendChild(document.createElement("br"));
      }
      block.appendChild(document.createTextNode(line));
    });
    return block;
  }

  /* Names the SVG element(s) a layer drew, for the page's tests and style sheets. */
  function mark(layer, attribute, value) {
    if (layer.eachLayer) {
      layer.eachLayer(function (part) { mark(part, attribute, value); });
    } else if (layer.getElement()) {
      layer.getElement().setAttribute(attribute, value);
    }
  }

  /* One code of the areas or the territory on the map; null when it cannot be placed. */
  function drawCode(map, geometry, code, style, radius, tooltip) {
    var found = geometry.resolve(code);
    if (!found) {
      return null;
    }
    var layer = found.shape ? window.L.geoJSON(found.shape, { style: style })
      : window.L.circleMarker(found.centroid, Object.assign({ radius: radius }, style));
    layer.bindTooltip(tooltip, { sticky: true });
    layer.addTo(map);
    return layer;
  }

  function legendControl(parts) {
    var control = window.L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = document.createElement("div");
      box.className = "console-map-legend";
      parts.forEach(function (part) {
        var row = document.createElement("div");
        if (part.swatch) {
          var swatch = document.createElement("span");
          swatch.className = "console-map-swatch " + (part.kind || "");
          swatch.style.backgroundColor = part.swatch;
          row.appendChild(swatch);
        }
        var text = document.createElement(part.heading ? "strong" : "span");
        text.textContent = part.text;
        row.appendChild(text);
        box.appendChild(row);
      });
      return box;
    };
    return control;
  }

  function draw(element, data, geometry) {
    var canvas = document.createElement("div");
    canvas.className = "console-map-canvas";
    element.insertBefore(canvas, element.querySelector(":scope > table"));
    var L = window.L;
    var map = L.map(canvas, { attributionControl: false, worldCopyJump: false, minZoom: 1 });
    map.setView([20, 0], 1);
    L.control.attribution({ prefix: false }).addAttribution("Natural Earth").addTo(map);
    L.geoJSON(window.topojson.feature(geometry.countries, geometry.countries.objects.countries), {
      interactive: false,
      style: { color: "#ffffff", weight: 0.6, fillColor: "#d9dde3", fillOpacity: 1 }
    }).addTo(map);

    var bounds = L.latLngBounds([]);
    var unplaced = [];
    var legend = [];
    var codes = Object.keys(data.areas).sort(function (a, b) {
      return a.indexOf("-") - b.indexOf("-"); // countries first, their regions over them
    });
    var most = codes.reduce(function (m, c) { return Math.max(m, data.areas[c]); }, 0);
    var breaks = breaksFor(most);
    codes.forEach(function (code) {
      var value = data.areas[code];
      var shade = shadeOf(value, breaks);
      var style = { color: "#ffffff", weight: 1, fillColor: shade, fillOpacity: 0.9 };
      var tip = textBlock([geometry.name(code) + " (" + code + ")", data.measure + ": " + value]);
      var layer = drawCode(map, geometry, code, style, 4 + 14 * Math.sqrt(value / most), tip);
      if (layer) {
        mark(layer, "data-area", code);
        bounds.extend(layer.getBounds ? layer.getBounds() : layer.getLatLng());
      } else {
        unplaced.push(code);
      }
    });
    if (codes.length) {
      legend.push({ heading: true, text: data.measure });
      breaks.forEach(function (bound, k) {
        var low = k === 0 ? 1 : breaks[k - 1] + 1;
        legend.push({ swatch: shadeOf(bound, breaks), text: low === bound ? "" + bound
          : low + "–" + bound });
      });
    }

    data.territory.forEach(function (code) {
      var style = { color: TERRITORY, weight: 2, dashArray: "6 4", fillColor: TERRITORY,
        fillOpacity: 0.08 };
      var layer = drawCode(map, geometry, code, style, 10,
        textBlock(["Territory: " + geometry.name(code) + " (" + code + ")"]));
      if (layer) {
        mark(layer, "data-territory", code);
        bounds.extend(layer.getBounds ? layer.getBounds() : layer.getLatLng());
      } else if (unplaced.indexOf(code) < 0) {
        unplaced.push(code);
      }
    });
    if (data.territory.length) {
      legend.push({ swatch: "rgba(107, 63, 212, 0.08)", kind: "territory", text: "territory" });
    }

    if (data.trail && data.points.length > 1) {
      L.polyline(data.points.map(function (p) { return [p.lat, p.lon]; }), {
        color: TRAIL, weight: 2, dashArray: "4 6", interactive: false,
        className: "console-map-trail"
      }).addTo(map);
      legend.push({ swatch: TRAIL, kind: "trail", text: "trail, in order" });
    }
    var verdicts = [];
    data.points.forEach(function (point, i) {
      var verdict = typeof point.verdict === "string" ? point.verdict : "";
      var colour = own(VERDICT_COLOURS, verdict) ? VERDICT_COLOURS[verdict] : OTHER_VERDICT;
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: 6, color: "#ffffff", weight: 1.5, fillColor: colour, fillOpacity: 0.95
      }).addTo(map);
      var label = (data.trail ? (i + 1) + ". " : "") + String(point.label || "");
      marker.bindTooltip(textBlock(verdict ? [label, verdict] : [label]));
      if (sameSitePath(point.href)) {
        marker.on("click", function () { window.location.assign(point.href); });
      }
      mark(marker, "data-point", "" + i);
      bounds.extend(marker.getLatLng());
      if (verdict && verdicts.indexOf(verdict) < 0) {
        verdicts.push(verdict);
        legend.push({ swatch: colour, kind: "point", text: verdict });
      }
    });
    if (unplaced.length) {
      legend.push({ text: "not on the map: " + unplaced.join(", ") });
    }
    if (legend.length) {
      legendControl(legend).addTo(map);
    }
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 7 });
    }
    element.classList.add("console-map-drawn");
    element.setAttribute("data-map-state", "drawn");
  }

  function start(element) {
    var data;
    try {
      data = readData(element);
    } catch (error) {
      element.setAttribute("data-map-state", "failed");
      return;
    }
    loadGeometry(data).then(function (geometry) {
      draw(element, data, geometry);
    }).catch(function (error) {
      element.setAttribute("data-map-state", "failed");
      console.warn("unitrace map: " + error.message);
    });
  }

  function startAll() {
    if (!window.L || !window.topojson || !indexUrl) {
      return; // a library did not load: the tables are the page
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
