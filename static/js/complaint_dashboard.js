// The complaint dashboard's charts: monthly counts, and the Pareto of categories with its cumulative line.
(function () {
  const data = JSON.parse(document.getElementById("complaint-chart-data").textContent);
  new Chart(document.getElementById("chart-months"), {
    type: "bar",
    data: { labels: data.months, datasets: [
      { label: "Complaints", data: data.complaints, backgroundColor: "#dc3545" },
      { label: "Compliments", data: data.compliments, backgroundColor: "#198754" },
    ] },
    options: { animation: false },
  });
  new Chart(document.getElementById("chart-pareto"), {
    data: { labels: data.pareto_labels, datasets: [
      { type: "bar", label: "Complaints", data: data.pareto_counts, backgroundColor: "#0d6efd", yAxisID: "y" },
      { type: "line", label: "Cumulative %", data: data.pareto_cumulative, borderColor: "#fd7e14", yAxisID: "share" },
    ] },
    options: { animation: false, scales: { y: { beginAtZero: true },
      share: { position: "right", min: 0, max: 100, ticks: { callback: (v) => v + " %" } } } },
  });
})();
