// Draws the promise dashboard's two charts from the JSON the page embeds.
// Every label comes translated from the server; percentages are formatted in the page's language.
(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const locale = document.documentElement.lang;
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const percentAxis = { min: 0, max: 100, ticks: { callback: (v) => percent.format(v / 100) } };
  const percentLabel = (item) => `${item.dataset.label}: ${percent.format(item.parsed.y / 100)}`;
  new Chart(document.getElementById("chart-promises"), {
    type: "bar",
    data: { labels: data.promises, datasets: [{ label: data.labels.kept, data: data.shares, backgroundColor: "#0d6efd" }] },
    options: { animation: false, locale, scales: { y: percentAxis }, plugins: { legend: { display: false },
      tooltip: { callbacks: { title: (items) => data.promise_titles[items[0].dataIndex], label: percentLabel } } } },
  });
  new Chart(document.getElementById("chart-weeks"), {
    type: "line",
    data: { labels: data.weeks, datasets: [{ label: data.labels.kept, data: data.weekly, borderColor: "#198754", tension: 0.2 }] },
    options: { animation: false, locale, scales: { y: percentAxis }, plugins: { legend: { display: false },
      tooltip: { callbacks: { label: percentLabel } } } },
  });
})();
