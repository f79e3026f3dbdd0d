// A standard answer's button puts its text into the timeline entry, so representatives answer with one voice.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-insert-answer]");
  if (!button) return;
  const body = document.getElementById("id_body");
  body.value = body.value ? `${body.value}\n\n${button.dataset.insertAnswer}` : button.dataset.insertAnswer;
  body.focus();
});
