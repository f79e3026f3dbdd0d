// Behaviour every page shares, kept out of the templates (the Content-Security-Policy allows no inline script).
// A "Go back" link returns to the page before when there is one; otherwise it follows its href.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-history-back]");
  if (!link || window.history.length < 2) return;
  event.preventDefault();
  window.history.back();
});
