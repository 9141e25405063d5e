// Dashboard charts: each <canvas data-chart="…" data-source="id"> is drawn from the JSON
// written by `json_script`; the table under every chart carries the same figures.
(() => {
  const COLORS = {
    HTXS: "#198754",
    HTT: "#0d6efd",
    HT: "#0dcaf0",
    KHT: "#dc3545",
    mean: "#a51d24",
  };

  const read = (canvas) => JSON.parse(document.getElementById(canvas.dataset.source).textContent);
  const color = (dataset) => COLORS[dataset.key] || "#6c757d";
  const percent = { min: 0, max: 100, ticks: { callback: (value) => `${value}%` } };

  const builders = {
    // Stacked horizontal bars: each unit's share of each band among the people rated.
    bands: (data) => ({
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((d) => ({ ...d, backgroundColor: color(d) })),
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        scales: { x: { ...percent, stacked: true }, y: { stacked: true } },
        plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.raw}%` } } },
      },
    }),
    // Lines per band (shares) and the mean score, all on the same 0–100 scale.
    trend: (data) => ({
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((d) => ({
          ...d,
          borderColor: color(d),
          backgroundColor: color(d),
          borderDash: d.key === "mean" ? [6, 4] : [],
          spanGaps: true,
        })),
      },
      options: { maintainAspectRatio: false, scales: { y: { min: 0, max: 100 } } },
    }),
    history: (data) => ({
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((d) => ({ ...d, borderColor: color(d), spanGaps: true })),
      },
      options: { maintainAspectRatio: false, scales: { y: { min: 0, max: 100 } } },
    }),
  };

  const draw = () => {
    if (typeof Chart === "undefined") return; // the tables still say everything
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const build = builders[canvas.dataset.chart];
      if (build && !canvas.dataset.drawn) {
        const data = read(canvas);
        if (canvas.dataset.chart === "bands") {
          // One bar per unit: the box grows with the units so names stay readable.
          canvas.parentElement.style.height = `${Math.max(12, data.labels.length * 1.6 + 4)}rem`;
        }
        new Chart(canvas, build(data));
        canvas.dataset.drawn = "true";
      }
    });
  };

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });
  // Charts keep their size on paper instead of stretching to the print page's width.
  window.addEventListener("beforeprint", () => {
    Object.values(Chart?.instances || {}).forEach((chart) => chart.resize());
  });
})();
