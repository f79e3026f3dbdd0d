// Draws the promise dashboard's two charts from the JSON the page embeds.
(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const percentAxis = { min: 0, max: 100, ticks: { callback: (v) => v + " %" } };
  new Chart(document.getElementById("chart-promises"), {
    type: "bar",
    data: { labels: data.promises, datasets: [{ label: "% kept", data: data.shares, backgroundColor: "#0d6efd" }] },
    options: { animation: false, scales: { y: percentAxis }, plugins: { legend: { display: false } } },
  });
  new Chart(document.getElementById("chart-weeks"), {
    type: "line",
    data: { labels: data.weeks, datasets: [{ label: "% kept", data: data.weekly, borderColor: "#198754", tension: 0.2 }] },
    options: { animation: false, scales: { y: percentAxis }, plugins: { legend: { display: false } } },
  });
})();
