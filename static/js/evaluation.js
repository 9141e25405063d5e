// Evaluation screens: small behaviours kept out of the templates (no inline code).

// A period or unit picker reloads the page as soon as a value is chosen; its button stays for
// keyboards and for browsers without scripts.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.requestSubmit();
});

// A tick in "hạ mức" puts the cursor in its reason, which the decision requires.
document.addEventListener("change", (event) => {
  const box = event.target.closest('input[type="checkbox"][name^="downgrade_"]');
  if (!box || !box.checked) return;
  const reason = document.getElementById(box.id.replace("downgrade_", "reason_"));
  if (reason && !reason.value.trim()) reason.focus();
});
