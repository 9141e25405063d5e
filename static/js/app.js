// Tree nodes flip their icon and aria state when HTMX loads their children.
document.addEventListener("htmx:afterSwap", (event) => {
  const item = event.detail.target.closest("li[aria-expanded]");
  if (item) {
    item.setAttribute("aria-expanded", "true");
    const icon = item.querySelector(":scope > .tree-toggle i");
    if (icon) icon.className = "bi bi-dash-square";
  }
});
