// Rich-text editor of the replies (Quill 2, vendored in static/vendor/quill).
// Loaded (deferred) after quill.js and before portal.js, whose enhance(root) calls
// window.portalEditor.enhance(root) on page load and after every htmx swap.
//
// Markup it enhances (without JavaScript the textarea is the editor, as plain text):
//   <div class="portal-editor" data-rich-text data-upload-url="URL">
//     <label for="ID">…</label> <textarea id="ID" name="body">…</textarea>
//     <input type="hidden" name="body_format" value="text">
//   </div>
// With JavaScript the textarea stays in the form (hidden) and always holds the editor's
// HTML (Quill's getSemanticHTML, or "" when empty); body_format becomes "html".
// Images (pasted, dropped or chosen) are uploaded at once to data-upload-url and inserted
// by URL; never as data: URLs. CSP-safe: no inline styles or scripts.
(() => {
  "use strict";

  const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
  // Only what the toolbar offers (and the indentation of nested lists); anything else
  // that comes in by pasting (colours, fonts, headings, tables…) is dropped.
  const FORMATS = ["bold", "italic", "underline", "strike", "list", "indent", "blockquote", "code-block", "link", "image"];
  const TOOLBAR = [
    ["bold", "italic", "underline", "strike"],
    [{ list: "ordered" }, { list: "bullet" }],
    ["blockquote", "code-block"],
    ["link", "image"],
    ["clean"],
  ];
  const LABELS = {
    bold: ["Negrito", "Ctrl+B"],
    italic: ["Itálico", "Ctrl+I"],
    underline: ["Sublinhado", "Ctrl+U"],
    strike: ["Tachado"],
    "list:ordered": ["Lista numerada"],
    "list:bullet": ["Lista com marcadores"],
    blockquote: ["Citação"],
    "code-block": ["Código"],
    link: ["Inserir link"],
    image: ["Inserir imagem"],
    clean: ["Limpar formatação"],
  };
  const TEXT = {
    uploading: (n) => (n > 1 ? `Enviando ${n} imagens…` : "Enviando imagem…"),
    network: "Não foi possível enviar a imagem. Verifique sua conexão e tente novamente.",
    tooLarge: "A imagem é grande demais para ser enviada.",
    forbidden: "Não foi possível enviar a imagem: sua sessão pode ter expirado. Recarregue a página.",
    failed: (status) => `Não foi possível enviar a imagem (erro ${status}).`,
    badType: "Formato de imagem não aceito. Use PNG, JPEG, GIF ou WebP.",
    notImage: "Só é possível colar imagens (PNG, JPEG, GIF ou WebP) no texto. Para outros arquivos, use o campo de anexos.",
    linkNeedsText: "Selecione o texto que vai virar link e use o botão “Inserir link” de novo.",
    keyboardHint:
      "Em listas e blocos de código, a tecla Tab recua o texto; para sair do editor, pressione Esc e depois Tab.",
    linkInput: "Endereço do link",
    toolbar: "Formatação do texto",
  };

  const instances = new WeakMap(); // .portal-editor element -> state
  const byForm = new WeakMap(); // form -> Set of states
  let counter = 0;

  // ---- HTML out ------------------------------------------------------------------------
  // Quill 2.0.3's getSemanticHTML writes every space as &nbsp;, so a paragraph would never
  // wrap once shown. Give the spaces back, keeping &nbsp; only where a plain space would
  // collapse (runs of spaces, the start or end of a block). Code blocks are left alone.
  const TAG_RE = /<(?:[^>"']|"[^"]*"|'[^']*')*>/g;
  const BLOCK_TAG_RE = /^<\/?(?:p|li|ol|ul|blockquote|pre|br|h[1-6]|div)\b/i;

  function respace(html) {
    const parts = [];
    let last = 0;
    let inPre = 0;
    html.replace(TAG_RE, (tag, at) => {
      parts.push({ text: html.slice(last, at) }, { tag });
      last = at + tag.length;
      return tag;
    });
    parts.push({ text: html.slice(last) });
    return parts
      .map((part, i) => {
        if (part.tag !== undefined) {
          if (/^<pre\b/i.test(part.tag)) inPre += 1;
          else if (/^<\/pre\b/i.test(part.tag)) inPre = Math.max(0, inPre - 1);
          return part.tag;
        }
        if (inPre || part.text.indexOf("&nbsp;") < 0) return part.text;
        const before = parts[i - 1];
        const after = parts[i + 1];
        const blockBefore = !before || BLOCK_TAG_RE.test(before.tag || "");
        const blockAfter = !after || BLOCK_TAG_RE.test(after.tag || "");
        const end = part.text.length;
        return part.text.replace(/(?:&nbsp;)+/g, (run, at) => {
          const n = run.length / 6;
          const atStart = at === 0 && blockBefore;
          const atEnd = at + run.length === end && blockAfter;
          let out = "";
          for (let k = 0; k < n; k += 1) {
            // Alternate so that no two plain spaces meet; plain first unless at a block edge.
            const plain = (k % 2 === 0) !== atStart;
            out += plain && !(atEnd && k === n - 1) ? " " : "&nbsp;";
          }
          return out;
        });
      })
      .join("");
  }

  function isEmpty(quill) {
    if (quill.getText().trim() !== "") return false;
    return !quill.getContents().ops.some((op) => op.insert && typeof op.insert === "object");
  }

  function sync(state) {
    state.textarea.value = isEmpty(state.quill) ? "" : respace(state.quill.getSemanticHTML());
    return state.textarea.value;
  }

  // ---- Status area ---------------------------------------------------------------------
  function render(state) {
    const box = state.status;
    box.replaceChildren();
    if (state.error) {
      const span = document.createElement("span");
      span.className = "feedback danger";
      const icon = document.createElement("i");
      icon.className = "fas fa-times-circle";
      icon.setAttribute("aria-hidden", "true");
      span.append(icon, " ", state.error);
      box.append(span);
    }
    const neutral = state.uploading ? TEXT.uploading(state.uploading) : state.info;
    if (neutral) {
      const span = document.createElement("span");
      span.className = "portal-editor-progress";
      if (state.uploading) {
        const icon = document.createElement("i");
        icon.className = "fas fa-spinner fa-pulse";
        icon.setAttribute("aria-hidden", "true");
        span.append(icon, " ");
      }
      span.append(neutral);
      box.append(span);
    }
  }

  function setError(state, message) {
    state.error = message;
    state.info = "";
    render(state);
  }

  // ---- Uploads -------------------------------------------------------------------------
  function csrfToken(form) {
    const input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) return input.value;
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
  }

  async function uploadOne(state, file) {
    const data = new FormData();
    data.append("image", file, file.name || "imagem");
    let response;
    try {
      response = await fetch(state.uploadUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": csrfToken(state.form), "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
    } catch (_) {
      throw new Error(TEXT.network);
    }
    let payload = null;
    try {
      payload = await response.json();
    } catch (_) {
      payload = null;
    }
    if (response.ok && payload && typeof payload.url === "string" && payload.url) return payload;
    if (payload && typeof payload.error === "string" && payload.error) throw new Error(payload.error);
    if (response.status === 413) throw new Error(TEXT.tooLarge);
    if (response.status === 403) throw new Error(TEXT.forbidden);
    throw new Error(TEXT.failed(response.status));
  }

  // Uploads the files one after the other and inserts each image where the paste/drop/
  // choice happened; the position follows the edits made meanwhile (see text-change).
  async function uploadFiles(state, files, range) {
    const list = Array.from(files || []);
    const accepted = list.filter((file) => IMAGE_TYPES.includes(file.type));
    if (accepted.length < list.length) setError(state, list.some((f) => /^image\//.test(f.type)) ? TEXT.badType : TEXT.notImage);
    else {
      state.error = "";
      state.info = "";
    }
    if (!accepted.length) return;
    const { quill } = state;
    let index = range ? range.index : quill.getLength() - 1;
    if (range && range.length) quill.deleteText(range.index, range.length, "user");
    const cursor = { index: Math.min(index, quill.getLength() - 1) };
    state.cursors.add(cursor);
    state.uploading += accepted.length;
    render(state);
    try {
      for (const file of accepted) {
        try {
          const { url, name } = await uploadOne(state, file);
          index = Math.min(cursor.index, quill.getLength() - 1);
          const attributes = name ? { alt: String(name) } : undefined;
          const Delta = window.Quill.import("delta");
          quill.updateContents(new Delta().retain(index).insert({ image: url }, attributes), "user");
          cursor.index = index + 1;
        } catch (error) {
          state.error = error.message || TEXT.network;
        } finally {
          state.uploading -= 1;
          render(state);
        }
      }
    } finally {
      state.cursors.delete(cursor);
    }
  }

  function imageFilesOf(transfer) {
    return Array.from((transfer && transfer.files) || []);
  }

  // True when pasted HTML is only image(s), as when copying an image from a page:
  // upload the file instead. Text with images (e.g. from a word processor) is pasted as text.
  function htmlIsOnlyImages(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    return doc.body.textContent.trim() === "" && doc.body.querySelector("img") !== null;
  }

  function dropRange(quill, event) {
    let native = null;
    if (document.caretRangeFromPoint) {
      native = document.caretRangeFromPoint(event.clientX, event.clientY);
    } else if (document.caretPositionFromPoint) {
      const position = document.caretPositionFromPoint(event.clientX, event.clientY);
      if (position) {
        native = document.createRange();
        native.setStart(position.offsetNode, position.offset);
        native.setEnd(position.offsetNode, position.offset);
      }
    }
    try {
      const normalized = native && quill.selection.normalizeNative(native);
      if (normalized) return quill.selection.normalizedToRange(normalized);
    } catch (_) {
      /* fall back to the current selection */
    }
    return quill.getSelection(true);
  }

  // Drops <img src="data:…"> (and images from other origins or blob:, which the CSP would
  // not show) from pasted HTML; same-origin images (e.g. our own attachments) are kept.
  function keepImage(src) {
    if (!src || /^(?:data|blob):/i.test(src.trim())) return false;
    try {
      return new URL(src, window.location.href).origin === window.location.origin;
    } catch (_) {
      return false;
    }
  }

  // ---- Keyboard ------------------------------------------------------------------------
  // Tab indents only inside lists and code blocks (Quill's own behaviour there); anywhere
  // else, and after Esc, Tab and Shift+Tab move the focus out of the editor as usual.
  function keyboardBindings(state) {
    const defaults = window.Quill.import("modules/keyboard").DEFAULTS.bindings;
    const inList = (context) => context.format.list != null;
    const inCode = (context) => context.format["code-block"] != null;
    const wrap = (name, allowed) => {
      const original = defaults[name];
      if (!original || typeof original.handler !== "function") return undefined;
      return {
        handler(range, context) {
          if (state.escaped || !allowed(context)) return true;
          return original.handler.call(this, range, context);
        },
      };
    };
    const bindings = {
      indent: wrap("indent", inList),
      outdent: wrap("outdent", (c) => inList(c) || c.format.indent != null),
      "indent code-block": wrap("indent code-block", inCode),
      "outdent code-block": wrap("outdent code-block", inCode),
      "remove tab": wrap("remove tab", (c) => inList(c) || inCode(c)),
      tab: wrap("tab", (c) => inList(c) || inCode(c)),
    };
    Object.keys(bindings).forEach((name) => bindings[name] === undefined && delete bindings[name]);
    return bindings;
  }

  // ---- Toolbar: labels and a single tab stop (arrow keys move between buttons) ----------
  function labelToolbar(toolbar) {
    toolbar.setAttribute("aria-label", TEXT.toolbar);
    const buttons = Array.from(toolbar.querySelectorAll("button"));
    buttons.forEach((button) => {
      const format = Array.from(button.classList).find((c) => c.startsWith("ql-") && c !== "ql-active");
      if (!format) return;
      const name = format.slice(3);
      const key = button.value ? `${name}:${button.value}` : name;
      const [label, shortcut] = LABELS[key] || LABELS[name] || [name];
      button.setAttribute("aria-label", label);
      button.title = shortcut ? `${label} (${shortcut})` : label;
      button.tabIndex = -1;
      button.querySelectorAll("svg").forEach((svg) => {
        svg.setAttribute("aria-hidden", "true");
        svg.setAttribute("focusable", "false");
      });
    });
    if (buttons.length) buttons[0].tabIndex = 0;
    toolbar.addEventListener("focusin", (event) => {
      if (event.target.tagName !== "BUTTON") return;
      buttons.forEach((b) => (b.tabIndex = b === event.target ? 0 : -1));
    });
    toolbar.addEventListener("keydown", (event) => {
      const at = buttons.indexOf(document.activeElement);
      if (at < 0) return;
      let next = -1;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") next = (at + 1) % buttons.length;
      else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = (at - 1 + buttons.length) % buttons.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = buttons.length - 1;
      if (next < 0) return;
      event.preventDefault();
      buttons[next].focus();
    });
  }

  // The snow theme's link tooltip: pt-BR texts come from editor.css; here the input gets
  // a name and the "Editar"/"Remover" actions become reachable by keyboard.
  function fixTooltip(quill) {
    const tooltip = quill.theme && quill.theme.tooltip && quill.theme.tooltip.root;
    if (!tooltip) return;
    const input = tooltip.querySelector("input[type=text]");
    if (input) {
      input.setAttribute("aria-label", TEXT.linkInput);
      input.setAttribute("data-link", "https://");
    }
    tooltip.querySelectorAll("a.ql-action, a.ql-remove").forEach((a) => {
      a.setAttribute("role", "button");
      a.tabIndex = 0;
      a.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          a.click();
        }
      });
    });
  }

  function labelText(label) {
    const clone = label.cloneNode(true);
    clone.querySelectorAll("[aria-hidden='true']").forEach((n) => n.remove());
    return clone.textContent.replace(/\s+/g, " ").trim();
  }

  // ---- Setting up one editor -----------------------------------------------------------
  function setup(box) {
    const Quill = window.Quill;
    // Also prefixed forms of the desk, e.g. name="nota-body".
    const textarea = box.querySelector("textarea[name=body], textarea[name$=\"-body\"]");
    const format = box.querySelector("input[name=body_format], input[name$=\"-body_format\"]");
    const form = textarea && textarea.form;
    if (!Quill || !textarea || !format || !form) return;
    // Leftovers of an earlier instance (e.g. a page restored from htmx's history cache).
    box.querySelectorAll(".portal-editor-ui, .portal-editor-status, .portal-editor-file, .portal-editor-hint")
      .forEach((n) => n.remove());

    counter += 1;
    const id = textarea.id || `portal-editor-${counter}`;
    const initial = textarea.value;
    // The format the server rendered (kept aside: setting a hidden input's value also sets
    // its attribute, and a page restored from htmx's history cache would show "html").
    if (!format.dataset.serverFormat) format.dataset.serverFormat = format.value;
    const initialIsHtml = format.dataset.serverFormat === "html";

    const ui = document.createElement("div");
    ui.className = "portal-editor-ui";
    const container = document.createElement("div");
    ui.append(container);
    textarea.after(ui);

    const status = document.createElement("div");
    status.className = "portal-editor-status";
    status.setAttribute("aria-live", "polite");
    ui.after(status);

    const hint = document.createElement("p");
    hint.className = "portal-editor-hint portal-visually-hidden";
    hint.id = `${id}-dica-teclado`;
    hint.textContent = TEXT.keyboardHint;
    status.after(hint);

    const picker = document.createElement("input");
    picker.type = "file";
    picker.accept = IMAGE_TYPES.join(",");
    picker.multiple = true;
    picker.hidden = true;
    picker.tabIndex = -1;
    picker.className = "portal-editor-file";
    picker.setAttribute("aria-hidden", "true");
    hint.after(picker);

    const state = {
      box, textarea, format, form, status, quill: null, uploadUrl: box.dataset.uploadUrl || "",
      uploading: 0, error: "", info: "", escaped: false, cursors: new Set(), pickerRange: null,
    };

    const quill = new Quill(container, {
      theme: "snow",
      bounds: container,
      formats: FORMATS,
      placeholder: textarea.getAttribute("placeholder") || "",
      modules: {
        toolbar: {
          container: TOOLBAR,
          handlers: {
            image() {
              state.pickerRange = quill.getSelection(true);
              picker.click();
            },
            link(value) {
              const range = quill.getSelection();
              if (value && (!range || range.length === 0)) {
                state.info = TEXT.linkNeedsText;
                render(state);
                return;
              }
              if (value) {
                const selected = quill.getText(range).trim();
                let preview = /^https?:\/\/\S+$/i.test(selected) ? selected : "https://";
                if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(selected)) preview = `mailto:${selected}`;
                quill.theme.tooltip.edit("link", preview);
              }
              else quill.format("link", false, "user");
            },
          },
        },
        keyboard: { bindings: keyboardBindings(state) },
        uploader: {
          mimetypes: IMAGE_TYPES,
          // Reached only if an image gets past the listeners below: never make data: URLs.
          handler(range, files) {
            uploadFiles(state, files, range);
          },
        },
      },
    });
    state.quill = quill;
    instances.set(box, state);
    if (!byForm.has(form)) byForm.set(form, new Set());
    byForm.get(form).add(state);

    quill.clipboard.addMatcher("img", (node, delta) => {
      if (keepImage(node.getAttribute("src"))) return delta;
      const Delta = Quill.import("delta");
      return new Delta();
    });

    // Initial content: what the server re-rendered (already sanitised when it is HTML).
    // This is clipboard.dangerouslyPasteHTML(html) without its setSelection(0), which
    // would move the focus into the editor on page load.
    if (initial.trim()) {
      if (initialIsHtml) quill.setContents(quill.clipboard.convert({ html: initial, text: "" }), "silent");
      else quill.setText(initial, "silent");
      quill.history.clear();
    }

    // The textarea stays in the form, hidden, and follows the editor.
    textarea.hidden = true;
    textarea.classList.add("portal-editor-source");
    textarea.tabIndex = -1;
    textarea.required = false; // a hidden control must not block submitting; the server checks
    format.value = "html";

    const root = quill.root;
    root.id = `${id}-editor`;
    root.setAttribute("role", "textbox");
    root.setAttribute("aria-multiline", "true");
    const labels = Array.from(form.querySelectorAll(`label[for="${CSS.escape(textarea.id)}"]`));
    const name = labels.length ? labelText(labels[0]) : textarea.getAttribute("aria-label") || "";
    if (name) root.setAttribute("aria-label", name);
    if (textarea.hasAttribute("required") || textarea.getAttribute("aria-required") === "true") {
      root.setAttribute("aria-required", "true");
    }
    const describedBy = (textarea.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    describedBy.push(hint.id);
    root.setAttribute("aria-describedby", describedBy.join(" "));
    if (textarea.getAttribute("aria-invalid") === "true") {
      root.setAttribute("aria-invalid", "true");
      textarea.removeAttribute("aria-invalid"); // so portal.js focuses the editor, not the hidden textarea
    }
    labels.forEach((label) =>
      label.addEventListener("click", (event) => {
        event.preventDefault();
        quill.focus();
      }),
    );
    if (textarea.disabled || textarea.readOnly) quill.disable();

    labelToolbar(quill.getModule("toolbar").container);
    fixTooltip(quill);

    quill.on("text-change", (delta) => {
      state.cursors.forEach((cursor) => {
        cursor.index = delta.transformPosition(cursor.index, true);
      });
      if (state.info) {
        state.info = "";
        render(state);
      }
      sync(state);
    });
    quill.on("selection-change", (range) => {
      if (!range) state.escaped = false;
      if (state.info && range && range.length) {
        state.info = "";
        render(state);
      }
    });
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape") state.escaped = true;
      else if (event.key !== "Tab" && event.key !== "Shift") state.escaped = false;
    });

    // Pasted and dropped images: capture phase, before Quill's own listeners, which would
    // insert them as data: URLs.
    root.addEventListener(
      "paste",
      (event) => {
        const files = imageFilesOf(event.clipboardData);
        if (!files.length || !quill.isEnabled()) return;
        const html = event.clipboardData.getData("text/html");
        const text = event.clipboardData.getData("text/plain");
        const images = files.some((f) => /^image\//.test(f.type));
        if (images && html && !htmlIsOnlyImages(html)) return; // text with a picture of itself
        if (!images && (html || text)) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        uploadFiles(state, files, quill.getSelection(true));
      },
      true,
    );
    root.addEventListener(
      "drop",
      (event) => {
        const files = imageFilesOf(event.dataTransfer);
        if (!files.length || !quill.isEnabled()) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        uploadFiles(state, files, dropRange(quill, event));
      },
      true,
    );
    picker.addEventListener("change", () => {
      const files = Array.from(picker.files || []);
      picker.value = "";
      const range = state.pickerRange || quill.getSelection(true);
      state.pickerRange = null;
      if (files.length) uploadFiles(state, files, range);
    });

    sync(state);
  }

  // ---- Form submission -----------------------------------------------------------------
  function syncForm(form) {
    const states = form && byForm.get(form);
    const values = [];
    if (states) {
      states.forEach((state) => {
        if (state.box.isConnected) values.push([state.textarea.name, sync(state)]);
      });
    }
    return values;
  }

  // Capture phase on the document: runs before htmx's or any other submit handler.
  document.addEventListener("submit", (event) => syncForm(event.target), true);
  document.addEventListener("htmx:configRequest", (event) => {
    const elt = event.detail && event.detail.elt;
    if (!elt) return;
    const form = elt.tagName === "FORM" ? elt : elt.form || (elt.closest && elt.closest("form"));
    syncForm(form).forEach(([name, value]) => {
      if (event.detail.formData && typeof event.detail.formData.set === "function") {
        event.detail.formData.set(name, value);
      } else if (event.detail.parameters) {
        event.detail.parameters[name] = value;
      }
    });
  });

  function enhance(root) {
    const scope = root || document;
    const boxes = [];
    if (scope.matches && scope.matches(".portal-editor[data-rich-text]")) boxes.push(scope);
    if (scope.querySelectorAll) boxes.push(...scope.querySelectorAll(".portal-editor[data-rich-text]"));
    boxes.forEach((box) => {
      if (!instances.has(box)) setup(box);
    });
  }

  window.portalEditor = {
    enhance,
    // For tests and other scripts: the Quill instance of an enhanced .portal-editor.
    instance: (box) => (instances.get(box) || {}).quill || null,
  };
})();
