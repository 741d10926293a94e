// The portal's own small behaviours. Loaded (deferred) after htmx and the gov.br DS script.
// Everything here is an enhancement: every page works without JavaScript.
(() => {
  "use strict";
  document.documentElement.classList.add("js");

  // --- Conditional fields: "show only when field X has value V" --------------------------
  // The server applies the same rule; here it only spares people from seeing what they
  // need not fill in.
  const fold = (text) =>
    (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").trim().toLocaleLowerCase("pt-BR");
  const TRUTHY = new Set(["sim", "true", "1", "marcado", "yes", "on"]);

  function controllerValues(form, name) {
    const inputs = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    const values = [];
    let isCheckbox = false;
    inputs.forEach((input) => {
      if (input.type === "checkbox" && inputs.length === 1) {
        isCheckbox = true;
        values.push(input.checked ? "sim" : "");
      } else if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) values.push(input.value);
      } else if (input.tagName === "SELECT") {
        values.push(input.value);
      } else if (input.type === "date" && input.value) {
        const [y, m, d] = input.value.split("-");
        values.push(`${d}/${m}/${y}`);
      } else {
        values.push(input.value);
      }
    });
    return { values, isCheckbox };
  }

  function applyConditions(form) {
    // Document order matters: a field only ever depends on an earlier one.
    form.querySelectorAll("[data-show-when]").forEach((wrapper) => {
      const controllerName = wrapper.dataset.showWhen;
      const expected = fold(wrapper.dataset.showValue);
      const controller = form.querySelector(`[name="${CSS.escape(controllerName)}"]`);
      const controllerWrapper = controller && controller.closest(".portal-field");
      const controllerVisible = !controllerWrapper || !controllerWrapper.hidden;
      const { values, isCheckbox } = controllerValues(form, controllerName);
      const met = isCheckbox
        ? (values[0] === "sim") === TRUTHY.has(expected)
        : values.some((value) => fold(value) === expected);
      const show = controllerVisible && met;
      wrapper.hidden = !show;
      wrapper.querySelectorAll("input, select, textarea").forEach((input) => {
        input.disabled = !show; // hidden answers are not sent
      });
      const hint = wrapper.querySelector(".portal-condition-hint");
      if (hint) hint.hidden = true;
    });
  }

  // --- Chosen files: list them and warn before sending what the server would refuse -------
  function describeFiles(input) {
    const list = document.querySelector(`[data-file-list-for="${CSS.escape(input.id)}"]`);
    const form = input.form;
    if (!list || !form) return;
    const maxFiles = Number(form.dataset.maxFiles || 0);
    const maxBytes = Number(form.dataset.maxMb || 0) * 1024 * 1024;
    const accepted = (input.accept || "").split(",").filter(Boolean);
    list.replaceChildren();
    const files = Array.from(input.files || []);
    if (maxFiles && files.length > maxFiles) {
      const li = document.createElement("li");
      li.className = "portal-file-warning";
      li.textContent = `Você escolheu ${files.length} arquivos; o limite é ${maxFiles} por envio.`;
      list.append(li);
    }
    files.forEach((file) => {
      const li = document.createElement("li");
      const size = file.size >= 1048576 ? `${(file.size / 1048576).toFixed(1).replace(".", ",")} MB` : `${Math.max(1, Math.round(file.size / 1024))} KB`;
      const dot = file.name.lastIndexOf(".");
      const extension = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
      let problem = "";
      if (file.size === 0) problem = "arquivo vazio";
      else if (maxBytes && file.size > maxBytes) problem = `passa do limite de ${form.dataset.maxMb} MB`;
      else if (accepted.length && !accepted.includes(extension)) problem = "tipo não aceito";
      li.textContent = `${file.name} (${size})${problem ? ` — ${problem}` : ""}`;
      if (problem) li.className = "portal-file-warning";
      const icon = document.createElement("i");
      icon.className = "fas fa-paperclip";
      icon.setAttribute("aria-hidden", "true");
      li.prepend(icon, " ");
      list.append(li);
    });
  }

  // --- Upload progress: htmx reports the XHR upload progress of the ticket form -----------
  function progressBox(form) {
    return form.querySelector(".portal-upload-progress");
  }

  document.addEventListener("htmx:xhr:progress", (event) => {
    const form = event.target.closest && event.target.closest("form[data-upload-progress]");
    if (!form || !event.detail.lengthComputable) return;
    const box = progressBox(form);
    if (!box) return;
    const percent = Math.round((event.detail.loaded / event.detail.total) * 100);
    box.hidden = false;
    box.querySelector("progress").value = percent;
    box.querySelector(".portal-upload-percent").textContent = `${percent}%`;
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.target.closest && event.target.closest("form[data-upload-progress]");
    if (form) form.querySelectorAll("button[type=submit]").forEach((button) => (button.disabled = true));
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.target.closest && event.target.closest("form[data-upload-progress]");
    if (form) form.querySelectorAll("button[type=submit]").forEach((button) => (button.disabled = false));
  });

  // --- Relative times: "há 3 horas" on the timeline's dates ---------------------------------
  // The server writes dates only (a rendered timeline is cached); data-relative says whether
  // the relative time goes before the date or replaces it (the title keeps the date).
  const UNITS = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60]];
  const relativeFormat = window.Intl && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat("pt-BR", { numeric: "auto" })
    : null;

  function howLongAgo(date) {
    const seconds = Math.max(0, (Date.now() - date.getTime()) / 1000);
    for (const [unit, size] of UNITS) {
      if (seconds >= size) return relativeFormat.format(-Math.floor(seconds / size), unit);
    }
    return "agora";
  }

  function showRelativeTimes(root) {
    if (!relativeFormat) return;
    root.querySelectorAll("time[data-relative]").forEach((time) => {
      const date = new Date(time.dateTime);
      if (Number.isNaN(date.getTime())) return;
      const ago = howLongAgo(date);
      time.textContent = time.dataset.relative === "only" ? ago : `${ago} · ${time.title}`;
    });
  }

  // --- Wiring --------------------------------------------------------------------------------
  function enhance(root) {
    showRelativeTimes(root);
    root.querySelectorAll("form").forEach((form) => {
      if (form.querySelector("[data-show-when]")) applyConditions(form);
    });
    if (window.portalEditor) window.portalEditor.enhance(root);
    const invalid = root.querySelector("[aria-invalid='true']");
    const news = root !== document && root.querySelector(".portal-messages");
    if (invalid) invalid.focus();
    else if (news) news.focus(); // after an htmx action: announce its result
    else if (root.id === "formulario-assunto") {
      // A subject was chosen without a page load: take keyboard users to its form.
      const heading = root.querySelector("h2");
      if (heading) {
        heading.tabIndex = -1;
        heading.focus();
      }
    }
  }

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.form && target.form.querySelector("[data-show-when]")) applyConditions(target.form);
    if (target.type === "file") describeFiles(target);
  });
  document.addEventListener("input", (event) => {
    const target = event.target;
    if (target.form && target.form.querySelector("[data-show-when]")) applyConditions(target.form);
  });

  document.addEventListener("DOMContentLoaded", () => {
    // The DS script defines its components but starts none of them by itself.
    if (window.core && window.core.globals) window.core.globals.initInstanceAll();
    enhance(document);
  });
  document.addEventListener("htmx:afterSettle", (event) => enhance(event.detail.elt || document));
  setInterval(() => showRelativeTimes(document), 60000); // "agora" becomes "há 1 minuto"
})();

// Required comments (refusing a solution, reopening): the browser stops an empty one before
// sending, with our pt-BR sentence instead of its own.
document.addEventListener(
  "invalid",
  (event) => {
    const field = event.target;
    const form = field.form;
    if (form && form.dataset.requiredMessage && field.validity.valueMissing) {
      field.setCustomValidity(form.dataset.requiredMessage);
    }
  },
  true,
);
document.addEventListener("input", (event) => {
  if (event.target.setCustomValidity) event.target.setCustomValidity("");
});
