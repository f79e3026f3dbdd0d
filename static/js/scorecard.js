// The twelve-month trend: overall, POE and Service Quality of each published month.
// Labels come translated from the server; percentages are formatted in the page's language.
(function () {
  const data = JSON.parse(document.getElementById("trend-data").textContent);
  const locale = document.documentElement.lang;
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  new Chart(document.getElementById("chart-trend"), {
    type: "line",
    data: { labels: data.months, datasets: [
      { label: data.labels.overall, data: data.overall, borderColor: "#0d6efd", spanGaps: true },
      { label: data.labels.poe, data: data.poe, borderColor: "#198754", spanGaps: true },
      { label: data.labels.service_quality, data: data.service_quality, borderColor: "#fd7e14", spanGaps: true },
    ] },
    options: { animation: false, locale,
      scales: { y: { min: 0, max: 100, ticks: { callback: (v) => percent.format(v / 100) } } },
      plugins: { tooltip: { callbacks: {
        label: (item) => `${item.dataset.label}: ${percent.format(item.parsed.y / 100)}` } } } },
  });
})();
