// Draws each dashboard component's chart once htmx has loaded the component (or at once on the
// component's own page). A bar or slice with a drill-down link opens the filtered lead list; the
// table under each chart holds the same numbers and links.
(function () {
  "use strict";

  var PALETTE = ["#0176d3", "#f88962", "#2e844a", "#fcb95b", "#a094ed", "#54698d", "#e3066a", "#06a59a", "#7f8de1", "#ba0517"];

  function draw(canvas) {
    if (canvas.dataset.ready === "1" || typeof window.Chart === "undefined") { return; }
    if (!canvas.dataset.chart) { return; }
    var data = JSON.parse(canvas.dataset.chart);
    var box = canvas.parentElement;
    box.style.position = "relative";
    box.style.height = window.matchMedia("(max-width: 576px)").matches ? "220px" : "260px";
    var round = data.type === "doughnut";
    var stacked = Boolean(data.stacked);
    var datasets = (data.datasets || []).map(function (set, index) {
      var colour = round ? (set.data || []).map(function (_v, i) { return PALETTE[i % PALETTE.length]; }) : PALETTE[index % PALETTE.length];
      return { label: set.label, data: set.data, backgroundColor: colour, borderColor: round ? "#fff" : colour, borderWidth: 1, fill: false, tension: 0.2 };
    });
    var links = data.links || [];
    function linkOf(elements) {
      if (!elements || !elements.length) { return null; }
      var row = links[elements[0].datasetIndex] || [];
      return row[elements[0].index] || null;
    }
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      onClick: function (event, elements) {
        var url = linkOf(elements);
        if (url) { window.location.assign(url); }
      },
      onHover: function (event, elements) {
        canvas.style.cursor = linkOf(elements) ? "pointer" : "default";
      },
      plugins: { legend: { display: round || datasets.length > 1, position: "bottom", labels: { boxWidth: 12 } } }
    };
    // A funnel (a saved report's chart type) is a horizontal bar chart.
    if (data.horizontal) { options.indexAxis = "y"; }
    if (!round) {
      options.scales = {
        x: { stacked: stacked, ticks: { autoSkip: true, maxRotation: 60 } },
        y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }
      };
    }
    new window.Chart(canvas, { type: data.type || "bar", data: { labels: data.labels || [], datasets: datasets }, options: options });
    canvas.dataset.ready = "1";
  }

  function drawAll(root) {
    var canvases = (root || document).querySelectorAll("canvas.dashboard-chart");
    Array.prototype.forEach.call(canvases, draw);
  }

  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
})();
