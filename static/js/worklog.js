// Work log, review queue and plans: small behaviours kept out of the templates (CSP: no inline code).

// Progress bars carry their width as data, since inline style attributes are not allowed.
function applyProgress(root) {
  root.querySelectorAll("[data-progress]").forEach((bar) => {
    const value = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0));
    bar.style.width = `${value}%`;
  });
}

// "Chọn tất cả": a checkbox with data-check-all="NAME" ticks every checkbox named NAME.
document.addEventListener("change", (event) => {
  const master = event.target.closest("[data-check-all]");
  if (!master) return;
  const name = master.dataset.checkAll;
  document.querySelectorAll(`input[type="checkbox"][name="${name}"]`).forEach((box) => {
    box.checked = master.checked;
  });
});

document.addEventListener("DOMContentLoaded", () => applyProgress(document));
document.addEventListener("htmx:afterSwap", (event) => applyProgress(event.detail.target));
