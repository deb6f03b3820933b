"""Forms of the web UI. They only parse input; the rules live in the actions, whose `Invalid`
errors are attached to the field they name (`add_invalid`).

Fields the actions check are `required=False` here so the action's own message is the one a
person reads; the HTML `required` attribute is still set for the browser's early hint.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse_lazy

from waggle.core.errors import Invalid
from waggle.people.actions import MAX_ROUTED_PER_WEEK
from waggle.people.models import Department, Team
from waggle.spaces.models import Space
from waggle.value.actions import MAX_MINUTES_SAVED

MAX_BODY_CHARS = 50_000  # mirrors settings.WAGGLE_MAX_POST_CHARS for the browser's maxlength


def _required(widget: forms.Widget) -> forms.Widget:
    widget.attrs["required"] = True
    return widget


def split_names(raw: str) -> list[str]:
    """Topic or skill names typed as "postgres, #sql performance" -> ["postgres", ...]."""
    return [part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()]


def add_invalid(form: forms.Form, error: Invalid, field_map: dict[str, str] | None = None) -> None:
    """Show an action's `Invalid` next to the field it names (or above the form)."""
    name = (field_map or {}).get(error.field or "", error.field)
    form.add_error(name if name in form.fields else None, error.message)


class TopicsField(forms.CharField):
    """Comma-separated topic names; each is normalized by the action."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault(
            "help_text", "Comma-separated, e.g. postgres, reporting. #tags in the text count too."
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        # CharField gives its `empty_value` ("" here, never None) for an empty field.
        return split_names(super().to_python(value) or "")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return value

    def validate(self, value: Any) -> None:
        return None

    def run_validators(self, value: Any) -> None:
        return None


class AskForm(forms.Form):
    title = forms.CharField(
        required=False, max_length=300, widget=_required(forms.TextInput(attrs={
            # Has this been asked? The closest questions appear under the field as one types.
            "hx-get": reverse_lazy("web:ask_similar"),
            "hx-trigger": "input changed delay:300ms, search",
            "hx-target": "#similar-questions",
            "hx-sync": "this:replace",
            "autocomplete": "off",
        })),
        help_text="One sentence: what do you want to know?",
    )
    body = forms.CharField(
        label="Details", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown. What did you try? Mention @colleagues and #topics.",
    )
    topics = TopicsField()
    anonymous = forms.BooleanField(
        label="Ask anonymously", required=False,
        help_text="Colleagues will not see your name. Only the audit log, which administrators "
        "keep for misuse, records who asked.",
    )
    route = forms.BooleanField(
        label="Invite people who may know to answer", required=False, initial=True,
        help_text="Waggle asks a few colleagues whose help shows they know about this.",
    )


class AskAnywhereForm(AskForm):
    """The ask form with a chooser for the space to ask in."""

    space = forms.ModelChoiceField(
        queryset=Space.objects.none(), to_field_name="slug", empty_label="Choose a space…",
        error_messages={"required": "Choose the space to ask in.",
                        "invalid_choice": "Choose one of your spaces."},
    )
    field_order = ["space", "title", "body", "topics", "anonymous", "route"]

    def __init__(self, *args: Any, spaces: QuerySet[Space], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces  # type: ignore[attr-defined]


class UpdateForm(forms.Form):
    title = forms.CharField(required=False, max_length=300, help_text="Optional.")
    body = forms.CharField(
        label="What are you working on?", required=False,
        widget=_required(forms.Textarea(attrs={"rows": 6})),
        help_text="Markdown. What you found, where you are stuck, what is next.",
    )
    topics = TopicsField()


class LessonForm(forms.Form):
    title = forms.CharField(required=False, max_length=300, widget=_required(forms.TextInput()))
    tried = forms.CharField(
        label="What we tried", required=False,
        widget=_required(forms.Textarea(attrs={"rows": 4})),
    )
    happened = forms.CharField(
        label="What happened", required=False,
        widget=_required(forms.Textarea(attrs={"rows": 4})),
    )
    next_time = forms.CharField(
        label="What we would do next time", required=False,
        widget=_required(forms.Textarea(attrs={"rows": 4})),
    )
    topics = TopicsField()


class AnswerForm(forms.Form):
    body = forms.CharField(
        label="Your answer", required=False,
        widget=_required(forms.Textarea(attrs={"rows": 5})),
        help_text="Markdown. Link to what already exists; mention who knows more.",
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", required=False, widget=_required(forms.Textarea(attrs={"rows": 2})),
    )


class ValueForm(forms.Form):
    """ "This helped me": how, and optionally how many minutes it saved."""

    KIND_CHOICES = [
        ("solved_problem", "It solved a problem"),
        ("saved_time", "It saved me time"),
        ("learned_something", "I learned something"),
        ("changed_practice", "It changed how I work"),
    ]
    kinds = forms.MultipleChoiceField(
        label="How did it help?", choices=KIND_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minutes_saved = forms.IntegerField(
        label="Minutes saved (optional)", required=False, min_value=0,
        max_value=MAX_MINUTES_SAVED, widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "What it helped with"}),
    )

    def action_kwargs(self) -> dict[str, Any]:
        kinds = set(self.cleaned_data["kinds"])
        return {
            **{name: name in kinds for name, _ in self.KIND_CHOICES},
            "minutes_saved": self.cleaned_data["minutes_saved"],
            "note": self.cleaned_data["note"],
        }


class KudosForm(forms.Form):
    message = forms.CharField(
        label="Kudos message", required=False, max_length=1000,
        widget=_required(forms.TextInput(attrs={"placeholder": "Thanks for…"})),
    )


class SpaceForm(forms.Form):
    name = forms.CharField(required=False, max_length=120, widget=_required(forms.TextInput()))
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is this space for, and who is it for?",
    )
    visibility = forms.ChoiceField(
        choices=Space.Visibility.choices, initial=Space.Visibility.OPEN,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(choices=Space.Kind.choices, initial=Space.Kind.COMMUNITY)


class InviteForm(forms.Form):
    username = forms.CharField(
        label="Invite a colleague (username)", max_length=150,
        error_messages={"required": "Enter the username of the person to invite."},
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(required=False, max_length=150)
    title = forms.CharField(label="Job title", required=False, max_length=150)
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, empty_label="—"
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.select_related("department"), required=False, empty_label="—"
    )
    location = forms.CharField(required=False, max_length=150)
    bio = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown. What you work on and what people can ask you about.",
    )
    skills = TopicsField(
        help_text="Comma-separated topics you know about, e.g. postgres, onboarding."
    )
    open_to_mentoring = forms.BooleanField(
        required=False, label="Open to mentoring",
        help_text="Colleagues with a learning goal may ask you to mentor them.",
    )
    accept_routed_questions = forms.BooleanField(
        required=False, label="Route questions to me",
        help_text="Waggle may ask you to answer questions your help shows you know about.",
    )
    # The action checks the range (its message is the one shown); min/max are the browser's
    # early hint.
    routed_questions_per_week = forms.IntegerField(
        label="At most this many questions a week", required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_ROUTED_PER_WEEK,
                                        "inputmode": "numeric"}),
    )
    opt_out_harvest = forms.BooleanField(
        required=False, label="Leave my messages out of imported archives",
    )
    opt_out_analytics = forms.BooleanField(
        required=False, label="Leave me out of aggregate insights",
    )
    share_impact = forms.BooleanField(
        required=False, label="Show my impact (value my help created, kudos) on my profile",
        help_text="Off by default: only you see your impact unless you choose to share it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].label_from_instance = (  # type: ignore[attr-defined]
            lambda team: f"{team.name} ({team.department.name})"
        )


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name", required=False, max_length=100, widget=_required(forms.TextInput()),
        help_text="What will use it, e.g. 'my laptop scripts'.",
    )


class EditPostForm(forms.Form):
    """Edit a question, update or answer (lessons use LessonForm)."""

    title = forms.CharField(required=False, max_length=300)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}))
    topics = TopicsField()


class LearningGoalForm(forms.Form):
    topic = forms.CharField(
        label="Topic", required=False, max_length=100, widget=_required(forms.TextInput()),
        help_text="One topic, e.g. rust or public-speaking.",
    )
    sentence = forms.CharField(
        label="What do you want to learn?", required=False, max_length=300,
        widget=_required(forms.TextInput(attrs={"placeholder": "Write a small CLI in Rust"})),
        help_text="One sentence. Only you see your goals (and the mentors you ask).",
    )


class MentoringRequestForm(forms.Form):
    mentor = forms.CharField(widget=forms.HiddenInput(), max_length=150)
    message = forms.CharField(
        label="Message (optional)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What you hope to learn from them"}),
    )
