// The portal's own small behaviours. Loaded (deferred) after the gov.br DS script.
document.addEventListener("DOMContentLoaded", () => {
  // The DS script defines its components but starts none of them by itself.
  if (window.core && window.core.globals) window.core.globals.initInstanceAll();

  // Put the first invalid field in focus so keyboard and screen-reader users land on it.
  const invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
});
