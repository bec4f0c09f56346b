// Draws a report's chart from the JSON the page carries (#report-chart-data); the table below the
// chart holds the same numbers for screen readers and small screens.
(function () {
  "use strict";

  var PALETTE = ["#0176d3", "#f88962", "#2e844a", "#fcb95b", "#a094ed", "#54698d", "#e3066a", "#06a59a", "#7f8de1", "#ba0517"];

  function draw() {
    var source = document.getElementById("report-chart-data");
    var canvas = document.getElementById("report-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var box = canvas.parentElement;
    box.style.position = "relative";
    box.style.height = window.matchMedia("(max-width: 576px)").matches ? "260px" : "340px";
    var stacked = Boolean(data.stacked);
    var round = data.type === "doughnut";
    var datasets = (data.datasets || []).map(function (set, index) {
      // A donut colours its slices; other charts colour their series.
      var colour = round
        ? (set.data || []).map(function (_value, i) { return PALETTE[i % PALETTE.length]; })
        : PALETTE[index % PALETTE.length];
      var line = data.type === "line";
      return { label: set.label, data: set.data, backgroundColor: colour, borderColor: colour, borderWidth: line ? 2 : 1, fill: false };
    });
    var links = data.links || [];
    function linkOf(elements) {
      if (!elements || !elements.length) { return null; }
      var row = links[elements[0].datasetIndex] || [];
      return row[elements[0].index] || null;
    }
    canvas.dataset.ready = "0";
    new window.Chart(canvas, {
      type: data.type || "bar",
      data: { labels: data.labels || [], datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        // A bar with a drill-down link opens the filtered list; the table has the same links.
        onClick: function (event, elements) {
          var url = linkOf(elements);
          if (url) { window.location.assign(url); }
        },
        onHover: function (event, elements) {
          canvas.style.cursor = linkOf(elements) ? "pointer" : "default";
        },
        // A funnel is a horizontal bar chart, widest stage first.
        indexAxis: data.horizontal ? "y" : "x",
        plugins: {
          legend: { display: round || datasets.length > 1, position: "bottom", labels: { boxWidth: 12 } },
          title: { display: false, text: data.title || "" }
        },
        scales: round ? {} : {
          x: { stacked: stacked, beginAtZero: true, ticks: { autoSkip: true, maxRotation: 60 } },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
    canvas.dataset.ready = "1";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
