"""Forms of the requester's ticket screens."""

from django import forms

from servicedesk.core.formfields import VisibleHiddenErrorsMixin

from .uploads import ACCEPT_ATTRIBUTE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files from one <input type="file" multiple>."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class AttachmentsForm(forms.Form):
    files = MultipleFileField(label="Arquivos anexos")


class ReplyForm(VisibleHiddenErrorsMixin, forms.Form):
    """A message on the timeline. With JavaScript the body is the editor's HTML
    (body_format "html"); without it, plain text from the textarea."""

    body = forms.CharField(
        label="Sua mensagem",
        required=False,  # emptiness is judged after sanitising (ticket_reply)
        max_length=100_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    body_format = forms.ChoiceField(
        label="formato do texto",
        choices=[("text", "texto"), ("html", "html")],
        initial="text",
        widget=forms.HiddenInput,
        required=False,
    )
    files = MultipleFileField(label="Arquivos anexos")

    def clean_body_format(self) -> str:
        return self.cleaned_data.get("body_format") or "text"


class InlineImageForm(forms.Form):
    image = forms.FileField(error_messages={"required": "Escolha uma imagem."})


class CommentForm(forms.Form):
    """A plain-text comment with optional files: approving, refusing or reopening."""

    body = forms.CharField(
        label="Comentário (opcional)",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    body_format = forms.CharField(initial="text", widget=forms.HiddenInput, required=False)
    files = MultipleFileField(label="Arquivos anexos (opcional)")

    def __init__(self, *args, required_comment: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body_format"].initial = "text"
        if required_comment:
            body = self.fields["body"]
            body.label = "Comentário (obrigatório)"
            body.help_text = required_comment
            # The browser stops an empty comment before sending; the server checks again.
            body.widget.attrs["required"] = True
            body.widget.attrs["aria-required"] = "true"

    def clean_body_format(self) -> str:
        return "text"
