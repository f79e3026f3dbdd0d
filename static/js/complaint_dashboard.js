// The complaint dashboard's charts: monthly counts, and the Pareto of categories with its cumulative line.
// Every label comes translated from the server; numbers are formatted in the page's language.
(function () {
  const data = JSON.parse(document.getElementById("complaint-chart-data").textContent);
  const locale = document.documentElement.lang;
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  new Chart(document.getElementById("chart-months"), {
    type: "bar",
    data: { labels: data.months, datasets: [
      { label: data.labels.complaints, data: data.complaints, backgroundColor: "#dc3545" },
      { label: data.labels.compliments, data: data.compliments, backgroundColor: "#198754" },
    ] },
    options: { animation: false, locale },
  });
  new Chart(document.getElementById("chart-pareto"), {
    data: { labels: data.pareto_labels, datasets: [
      { type: "bar", label: data.labels.complaints, data: data.pareto_counts, backgroundColor: "#0d6efd", yAxisID: "y" },
      { type: "line", label: data.labels.cumulative, data: data.pareto_cumulative, borderColor: "#fd7e14", yAxisID: "share" },
    ] },
    options: { animation: false, locale, scales: { y: { beginAtZero: true },
      share: { position: "right", min: 0, max: 100, ticks: { callback: (v) => percent.format(v / 100) } } },
      plugins: { tooltip: { callbacks: { label: (item) => item.dataset.yAxisID === "share"
        ? `${item.dataset.label}: ${percent.format(item.parsed.y / 100)}` : undefined } } } },
  });
})();
